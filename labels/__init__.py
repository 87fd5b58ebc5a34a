"""Label records (``chatsift.label.v1``), the SQLite label store, and feed delivery.

``labels`` imports only ``classifier.types`` from the rest of chatsift. Errors: ``labels.errors``.
"""

from labels.errors import (
    FeedWriteError,
    LabelsError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
)
from labels.feed import FeedWriter, JsonlFeedWriter, deliver
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
from labels.schema import json_schema
from labels.store import (
    PURGED_EVIDENCE,
    ChatState,
    CommitResult,
    LabelStore,
    RetryItem,
    StoredActivity,
    StoreSummary,
)
from labels.timestamps import parse_rfc3339, rfc3339

__all__ = [
    "PURGED_EVIDENCE",
    "SCHEMA_NAME",
    "AttachmentScan",
    "ChatMeta",
    "ChatState",
    "CommitResult",
    "FeedWriteError",
    "FeedWriter",
    "FindingRecord",
    "JsonlFeedWriter",
    "LabelRecord",
    "LabelStore",
    "LabelsError",
    "RecordError",
    "RetryItem",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreLockedError",
    "StoreSummary",
    "StoredActivity",
    "UserRef",
    "deliver",
    "json_schema",
    "make_record_id",
    "parse_rfc3339",
    "rfc3339",
]
