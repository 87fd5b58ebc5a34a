"""Label one chat: skip it if this version is already stored, else fetch, classify, build its record.

A chat that cannot be fetched or parsed becomes a ``status: error`` record (ids and an error code)
plus a retry entry, so one bad chat never stops a run and the next run tries it again. Errors that
mean the whole run cannot go on (a revoked key, a missing scope) propagate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from chatsift.convert import chat_text
from chatsift.runtime import Runtime
from classifier import Classifier
from classifier.types import ChatResult
from fetch import fetch_chat
from fetch.errors import (
    AuthenticationError,
    ChatGoneError,
    FetchError,
    PermissionDeniedError,
    RetriableFetchError,
)
from fetch.models import Chat, ChatSummary
from labels import ChatMeta, LabelRecord, RecordError, RetryItem, make_record_id, rfc3339

log = logging.getLogger("chatsift.labeling")


@dataclass(frozen=True)
class ChatOutcome:
    """What happened to one chat, ready to be committed with its page."""

    chat_id: str
    record: LabelRecord | None  # None: this version is already in the store
    retry: RetryItem | None = None  # set when the chat must be tried again next run
    retriable_failure: bool = False  # the API, not the chat, failed (counts toward aborting)

    @property
    def resolved(self) -> bool:
        """True when any earlier retry entry for this chat can be cleared."""
        return self.retry is None


def now() -> datetime:
    """The scan timestamp (UTC)."""
    return datetime.now(UTC)


def label_summary(rt: Runtime, summary: ChatSummary) -> ChatOutcome:
    """Label a listed chat unless its current version is already stored."""
    record_id = make_record_id(summary.id, rfc3339(summary.updated_at), rt.ruleset)
    if rt.store.has_record(record_id):
        return ChatOutcome(summary.id, None)
    if summary.deleted_at is not None:
        # Soft-deleted chats have no content left to read: record the deletion itself.
        return ChatOutcome(summary.id, _deleted_record(rt, summary))
    return label_chat_id(rt, summary.id, summary)


def label_chat_id(rt: Runtime, chat_id: str, summary: ChatSummary | None = None) -> ChatOutcome:
    """Fetch and label one chat by id; ``summary`` (from a list page) backs error records."""
    try:
        chat = fetch_chat(rt.client, chat_id)
    except (AuthenticationError, PermissionDeniedError):
        raise
    except ChatGoneError as exc:
        log.info("chat %s is gone (%s)", chat_id, exc.code)
        return ChatOutcome(chat_id, _error_record(rt, chat_id, summary, exc))
    except FetchError as exc:
        log.warning("chat %s could not be fetched: %s", chat_id, exc.code)
        updated = rfc3339(summary.updated_at) if summary else None
        retry = RetryItem(chat_id=chat_id, chat_updated_at=updated, error_code=exc.code)
        record = _error_record(rt, chat_id, summary, exc) if summary else None
        return ChatOutcome(chat_id, record, retry, isinstance(exc, RetriableFetchError))
    return ChatOutcome(chat.id, classify_chat(rt.classifier, chat))


def classify_chat(classifier: Classifier, chat: Chat) -> LabelRecord:
    """Classify a fetched chat into its label record (raw text is dropped when this returns)."""
    result = classifier.classify(chat_text(chat))
    return record_from_result(result, chat, classifier.ruleset)


def record_from_result(result: ChatResult, chat: ChatSummary, ruleset: str) -> LabelRecord:
    """A label record from a classifier result and the chat's metadata."""
    return LabelRecord.from_result(result, ruleset=ruleset, scanned_at=now(), **_meta(chat))


def _meta(chat: ChatSummary) -> ChatMeta:
    return {
        "href": chat.href,
        "user_id": chat.user.id if chat.user else None,
        "user_email": chat.user.email_address if chat.user else None,
        "organization_uuid": chat.organization_uuid,
        "project_id": chat.project_id,
        "model": chat.model,
        "chat_created_at": chat.created_at,
        "chat_updated_at": chat.updated_at,
        "deleted": chat.deleted_at is not None,
    }


def _deleted_record(rt: Runtime, summary: ChatSummary) -> LabelRecord:
    empty = ChatResult(summary.id, (), (), {}, "none", 0, "ok")
    return record_from_result(empty, summary, rt.ruleset)


def _error_record(
    rt: Runtime, chat_id: str, summary: ChatSummary | None, exc: FetchError
) -> LabelRecord | None:
    if summary is None:
        return None
    error = RecordError(code=exc.code, detail=str(exc))
    return LabelRecord.error_record(
        chat_id, errors=[error], ruleset=rt.ruleset, scanned_at=now(), **_meta(summary)
    )
