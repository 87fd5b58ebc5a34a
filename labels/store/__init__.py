"""The SQLite label store: records, latest labels per chat, cursors, retries and the feed outbox."""

from labels.store.store import LabelStore
from labels.store.types import CommitResult, RetryItem, StoreSummary

__all__ = ["CommitResult", "LabelStore", "RetryItem", "StoreSummary"]
