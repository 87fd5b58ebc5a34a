"""Decide what a listed chat needs, and turn a fetched chat into its label record.

* already stored at this version and ruleset: nothing (``plan`` returns None);
* soft-deleted (``deleted_at``): a deletion record without fetching (there is no content left),
  and its stored evidence snippets purged when ``deleted_chats = "purge_evidence"``;
* otherwise a ``FetchJob``: incremental (messages after the stored message cursor, findings added
  to the earlier record's) when the chat's last record is ``ok`` under the same ruleset, else full.

A chat that cannot be fetched becomes a ``status: error`` record (ids and an error code) plus a
retry entry, so one bad chat never stops a run and the next run tries it again. A chat that is gone
(404: hard-deleted) is recorded as deleted, with the error code, and is not retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from chatsift import crashpoints
from chatsift.convert import chat_text
from chatsift.fetching import Fetched, FetchJob
from chatsift.runtime import Runtime
from classifier import Classifier
from classifier.types import BlockText, ChatResult, ChatText, Finding
from fetch.errors import ChatGoneError, FetchError, RetriableFetchError
from fetch.models import Chat, ChatSummary
from labels import (
    AttachmentScan,
    ChatMeta,
    ChatState,
    LabelRecord,
    RecordError,
    RetryItem,
    make_record_id,
    rfc3339,
)

log = logging.getLogger("chatsift.labeling")


@dataclass(frozen=True)
class ChatOutcome:
    """What happened to one chat, ready to be committed with its page."""

    chat_id: str
    record: LabelRecord | None  # None: this version is already in the store
    retry: RetryItem | None = None  # set when the chat must be tried again next run
    retriable_failure: bool = False  # the API, not the chat, failed (counts toward aborting)
    state: ChatState | None = None  # the chat's message cursor after this record
    purge: bool = False  # the chat is deleted: purge its stored evidence
    incremental: bool = False
    messages_classified: int = 0
    attachments: tuple[AttachmentScan, ...] = field(default=())

    @property
    def resolved(self) -> bool:
        """True when any earlier retry entry for this chat can be cleared."""
        return self.retry is None


def now() -> datetime:
    """The scan timestamp (UTC)."""
    return datetime.now(UTC)


def plan(rt: Runtime, summary: ChatSummary) -> ChatOutcome | FetchJob | None:
    """What a listed chat needs: nothing (stored), a deletion record, or a fetch job."""
    record_id = make_record_id(summary.id, rfc3339(summary.updated_at), rt.ruleset)
    if rt.store.has_record(record_id):
        return None
    if summary.deleted_at is not None:
        return ChatOutcome(summary.id, _deleted_record(rt, summary), purge=_purges(rt))
    return job_for(rt, summary.id, summary)


def job_for(rt: Runtime, chat_id: str, summary: ChatSummary | None = None) -> FetchJob:
    """A fetch job, incremental when the chat's last record can be extended."""
    state = rt.store.chat_state(chat_id)
    if state is None or state.ruleset != rt.ruleset:
        return FetchJob(chat_id, summary)
    base = rt.store.get_record(state.record_id)
    if base is None or base.status != "ok" or base.deleted:
        return FetchJob(chat_id, summary)
    return FetchJob(chat_id, summary, base, state)


def label_fetched(rt: Runtime, fetched: Fetched) -> ChatOutcome:
    """The outcome of a fetch job: a labelled record, or an error record and a retry."""
    job = fetched.job
    if fetched.error is not None or fetched.chat is None:
        return _failed(rt, fetched)
    chat = fetched.chat
    base = job.base if fetched.incremental else None
    prior = job.state.messages_scanned if base is not None and job.state is not None else 0
    result = rt.classifier.classify(_chat_text(chat, fetched))
    result = _merged(rt.classifier, result, base, prior)
    scans = [*(base.attachments if base is not None else ()), *(a.scan for a in fetched.attachments)]
    record = record_from_result(result, chat, rt.ruleset, scans)
    crashpoints.reached("classified")
    retry = None
    failed = fetched.failed_attachments
    if failed:
        # Unread attachments of a readable chat: keep the labels, read the chat in full next run.
        record = record.with_errors([RecordError(code=f"attachment_{a.reason}", detail=a.id) for a in failed])
        retry = RetryItem(chat_id=chat.id, chat_updated_at=record.chat_updated_at, error_code="attachment")
    state = None
    if record.status == "ok":
        state = ChatState(
            chat_id=chat.id,
            record_id=record.record_id,
            ruleset=rt.ruleset,
            message_cursor=fetched.cursor,
            messages_scanned=record.messages_scanned,
        )
    return ChatOutcome(
        chat.id,
        record,
        retry,
        state=state,
        purge=record.deleted and _purges(rt),
        incremental=base is not None,
        messages_classified=len(chat.chat_messages),
        attachments=tuple(scans),
    )


def classify_chat(classifier: Classifier, chat: Chat) -> LabelRecord:
    """Classify a whole fetched chat into its label record (offline input; no attachments)."""
    result = classifier.classify(chat_text(chat))
    return record_from_result(result, chat, classifier.ruleset)


def record_from_result(
    result: ChatResult, chat: ChatSummary, ruleset: str, attachments: list[AttachmentScan] | None = None
) -> LabelRecord:
    """A label record from a classifier result and the chat's metadata."""
    return LabelRecord.from_result(
        result, ruleset=ruleset, scanned_at=now(), attachments=attachments or [], **_meta(chat)
    )


def _chat_text(chat: Chat, fetched: Fetched) -> ChatText:
    """The chat's blocks with each message's attachment contents right after that message's blocks.

    That order makes findings come out in chat order, so an incremental record (earlier findings,
    then the new messages') lists them exactly as a full read would.
    """
    base = chat_text(chat)
    extra: dict[str, list[BlockText]] = {}
    for a in fetched.attachments:
        if a.text:
            block = BlockText(a.scan.message_id, a.role, a.index, "attachment", a.text, a.scan.id)
            extra.setdefault(a.scan.message_id, []).append(block)
    if not extra:
        return base
    blocks: list[BlockText] = []
    for i, block in enumerate(base.blocks):
        blocks.append(block)
        following = base.blocks[i + 1].message_id if i + 1 < len(base.blocks) else None
        if block.message_id is not None and following != block.message_id:
            blocks.extend(extra.pop(block.message_id, ()))
    for rest in extra.values():  # messages with attachments but no text
        blocks.extend(rest)
    return replace(base, blocks=tuple(blocks))


def _merged(
    classifier: Classifier, result: ChatResult, base: LabelRecord | None, prior_messages: int
) -> ChatResult:
    """The new messages' result added to the earlier record's (the chat name is always re-read)."""
    if base is None:
        return result
    kept = [
        Finding(**f.model_dump())
        for f in base.findings
        if f.message_id is not None or f.attachment is not None
    ]
    names = [f for f in result.findings if f.message_id is None and f.attachment is None]
    rest = [f for f in result.findings if f.message_id is not None or f.attachment is not None]
    findings = (*names, *kept, *rest)
    labels, scores, severity = classifier.rollup(findings)
    return replace(
        result,
        findings=findings,
        labels=labels,
        scores=scores,
        severity=severity,
        messages_scanned=prior_messages + result.messages_scanned,
    )


def _failed(rt: Runtime, fetched: Fetched) -> ChatOutcome:
    job, exc = fetched.job, fetched.error
    assert exc is not None
    chat_id, summary = job.chat_id, job.summary
    if isinstance(exc, ChatGoneError):
        log.info("chat %s is gone (%s)", chat_id, exc.code)
        record = _error_record(rt, chat_id, summary, exc, deleted=True)
        return ChatOutcome(chat_id, record, purge=_purges(rt))
    log.warning("chat %s could not be fetched: %s", chat_id, exc.code)
    updated = rfc3339(summary.updated_at) if summary else None
    retry = RetryItem(chat_id=chat_id, chat_updated_at=updated, error_code=exc.code)
    record = _error_record(rt, chat_id, summary, exc)
    return ChatOutcome(chat_id, record, retry, isinstance(exc, RetriableFetchError))


def _purges(rt: Runtime) -> bool:
    return rt.settings.deleted_chats == "purge_evidence"


def _meta(chat: ChatSummary, *, deleted: bool | None = None) -> ChatMeta:
    return {
        "href": chat.href,
        "user_id": chat.user.id if chat.user else None,
        "user_email": chat.user.email_address if chat.user else None,
        "organization_uuid": chat.organization_uuid,
        "project_id": chat.project_id,
        "model": chat.model,
        "chat_created_at": chat.created_at,
        "chat_updated_at": chat.updated_at,
        "deleted": chat.deleted_at is not None if deleted is None else deleted,
    }


def _deleted_record(rt: Runtime, summary: ChatSummary) -> LabelRecord:
    empty = ChatResult(summary.id, (), (), {}, "none", 0, "ok")
    return record_from_result(empty, summary, rt.ruleset)


def _error_record(
    rt: Runtime, chat_id: str, summary: ChatSummary | None, exc: FetchError, *, deleted: bool | None = None
) -> LabelRecord | None:
    if summary is None:
        return None
    error = RecordError(code=exc.code, detail=str(exc))
    return LabelRecord.error_record(
        chat_id, errors=[error], ruleset=rt.ruleset, scanned_at=now(), **_meta(summary, deleted=deleted)
    )
