"""Label records (``chatsift.label.v1``), rollups, the SQLite label store, feed formats and delivery.

``labels`` imports only ``classifier.types`` from the rest of chatsift. Errors: ``labels.errors``.
"""

from labels.delivery import Backoff, Deliverer, WriterOutcome, deliver
from labels.errors import (
    FeedConfigError,
    FeedWriteError,
    LabelsError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
)
from labels.record import (
    SCHEMA_NAME,
    AttachmentScan,
    ChatMeta,
    FindingRecord,
    LabelRecord,
    RecordError,
    UserRef,
    make_record_id,
)
from labels.rollup import ROLLUP_SCHEMA_NAME, CategoryRollup, RollupRecord
from labels.schema import json_schema
from labels.store import (
    PURGED_EVIDENCE,
    ChatState,
    CommitResult,
    FeedOutbox,
    LabelStore,
    RetryItem,
    StoredActivity,
    StoreSummary,
)
from labels.store.outbox import WriterStatus
from labels.timestamps import parse_rfc3339, rfc3339
from labels.writers.base import FeedWriter
from labels.writers.jsonl import JsonlFeedWriter

__all__ = [
    "PURGED_EVIDENCE",
    "ROLLUP_SCHEMA_NAME",
    "SCHEMA_NAME",
    "AttachmentScan",
    "Backoff",
    "CategoryRollup",
    "ChatMeta",
    "ChatState",
    "CommitResult",
    "Deliverer",
    "FeedConfigError",
    "FeedOutbox",
    "FeedWriteError",
    "FeedWriter",
    "FindingRecord",
    "JsonlFeedWriter",
    "LabelRecord",
    "LabelStore",
    "LabelsError",
    "RecordError",
    "RetryItem",
    "RollupRecord",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreLockedError",
    "StoreSummary",
    "StoredActivity",
    "UserRef",
    "WriterOutcome",
    "WriterStatus",
    "deliver",
    "json_schema",
    "make_record_id",
    "parse_rfc3339",
    "rfc3339",
]
