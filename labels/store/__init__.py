"""The SQLite label store: records, latest labels per chat, cursors, retries and the feed outbox."""

from labels.store.database import FeedOutbox
from labels.store.store import PURGED_EVIDENCE, LabelStore
from labels.store.types import ChatState, CommitResult, RetryItem, StoredActivity, StoreSummary

__all__ = [
    "PURGED_EVIDENCE",
    "ChatState",
    "CommitResult",
    "FeedOutbox",
    "LabelStore",
    "RetryItem",
    "StoreSummary",
    "StoredActivity",
]
