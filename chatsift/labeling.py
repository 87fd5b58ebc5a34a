"""Decide what a listed chat needs, and turn a fetched chat into its label record.

* already stored at this version and ruleset: nothing (``plan`` returns None);
* soft-deleted (``deleted_at``): a deletion record without fetching (there is no content left),
  and its stored evidence snippets purged when ``deleted_chats = "purge_evidence"``;
* otherwise a ``FetchJob``: incremental (messages after the stored message cursor, findings added
  to the earlier record's) when the chat's last record is ``ok`` under the same ruleset, else full.

A chat that cannot be fetched becomes a ``status: error`` record (ids and an error code) plus a
retry entry, so one bad chat never stops a run and the next run tries it again. A chat that is gone
(404: hard-deleted) is recorded as deleted, with the error code, and is not retried.

Classification runs here (``label_fetched``), in this process, or in a worker process of the
runtime's classifier pool (``chatsift.runtime``): then ``label_fetched`` is handed the worker's
future and turns its result into the record exactly as an in-process result. A classification that
raises (in either place) becomes a ``classify_failed`` error record and a retry, naming the exception
type only (its message could quote the chat). A pool whose worker process died ends the run, and
so does a run of ``max_consecutive_chat_failures`` chats in a row that fail to classify (a broken
classifier, not a bad chat: the run stops instead of writing an error record for every chat).
"""

from __future__ import annotations

import logging
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from chatsift import crashpoints
from chatsift.convert import chat_text
from chatsift.fetching import Fetched, FetchJob
from chatsift.runtime import Classified, ClassifierPoolError, Runtime, WorkerClassifyError, classify_timed
from classifier import Classifier
from classifier.types import BlockText, ChatResult, ChatText, Finding
from fetch.errors import ChatGoneError, RetriableFetchError
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

CLASSIFY_FAILED = "classify_failed"  # error code of a chat whose classification raised


@dataclass(frozen=True)
class ChatOutcome:
    """What happened to one chat, ready to be committed with its page."""

    chat_id: str
    record: LabelRecord | None  # None: this version is already in the store
    retry: RetryItem | None = None  # set when the chat must be tried again next run
    retriable_failure: bool = False  # the API, not the chat, failed (counts toward aborting)
    classify_failure: bool = False  # the classifier raised on this chat (a run of them aborts too)
    state: ChatState | None = None  # the chat's message cursor after this record
    purge: bool = False  # the chat is deleted: purge its stored evidence
    incremental: bool = False
    messages_classified: int = 0
    attachments: tuple[AttachmentScan, ...] = field(default=())
    classify_s: float = 0.0  # time the classifier spent on this chat (here or in a worker)
    classify_cpu_s: float = 0.0  # CPU time of that, in the classifying thread

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


def classifier_input(fetched: Fetched) -> ChatText | None:
    """What the classifier reads of a fetched chat (None when the fetch failed)."""
    if fetched.error is not None or fetched.chat is None:
        return None
    return _chat_text(fetched.chat, fetched)


def label_fetched(rt: Runtime, fetched: Fetched, classified: Future[Classified] | None = None) -> ChatOutcome:
    """The outcome of a fetch job: a labelled record, or an error record and a retry.

    ``classified``: the classification a worker process is doing for this chat; without it the
    chat is classified here, by ``rt.classifier``.
    """
    job = fetched.job
    if fetched.error is not None or fetched.chat is None:
        return _failed(rt, fetched)
    chat = fetched.chat
    base = job.base if fetched.incremental else None
    prior = job.state.messages_scanned if base is not None and job.state is not None else 0
    try:
        done = (
            classify_timed(rt.classifier, _chat_text(chat, fetched))
            if classified is None
            else classified.result()
        )
    except BrokenExecutor:
        raise ClassifierPoolError(
            f"a classification worker process died (chat {chat.id}); rerun to continue"
        ) from None
    except Exception as exc:  # one chat's classification must not sink the run: record, retry
        failure: str | None = str(exc) if isinstance(exc, WorkerClassifyError) else type(exc).__name__
    else:
        failure = None
    if failure is not None:
        # Out of the handler: nothing logged from here on can print the exception (its message
        # may quote the chat), not even a logging handler reporting its own failure.
        return _classify_failed(rt, fetched, failure)
    result = _merged(rt.classifier, done.result, base, prior)
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
        classify_s=done.seconds,
        classify_cpu_s=done.cpu_seconds,
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
        record = _error_record(rt, chat_id, summary, exc.code, str(exc), deleted=True)
        return ChatOutcome(chat_id, record, purge=_purges(rt))
    log.warning("chat %s could not be fetched: %s", chat_id, exc.code)
    updated = rfc3339(summary.updated_at) if summary else None
    retry = RetryItem(chat_id=chat_id, chat_updated_at=updated, error_code=exc.code)
    record = _error_record(rt, chat_id, summary, exc.code, str(exc))
    return ChatOutcome(chat_id, record, retry, isinstance(exc, RetriableFetchError))


def _classify_failed(rt: Runtime, fetched: Fetched, error_type: str) -> ChatOutcome:
    """A chat whose classification raised: an error record and a retry, by exception type only."""
    chat_id, summary = fetched.job.chat_id, fetched.job.summary
    log.warning("chat %s could not be classified: %s", chat_id, error_type)
    updated = rfc3339(summary.updated_at) if summary else None
    retry = RetryItem(chat_id=chat_id, chat_updated_at=updated, error_code=CLASSIFY_FAILED)
    record = _error_record(rt, chat_id, summary, CLASSIFY_FAILED, f"classification raised {error_type}")
    return ChatOutcome(chat_id, record, retry, classify_failure=True)


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
    rt: Runtime,
    chat_id: str,
    summary: ChatSummary | None,
    code: str,
    detail: str,
    *,
    deleted: bool | None = None,
) -> LabelRecord | None:
    if summary is None:
        return None
    error = RecordError(code=code, detail=detail)
    return LabelRecord.error_record(
        chat_id, errors=[error], ruleset=rt.ruleset, scanned_at=now(), **_meta(summary, deleted=deleted)
    )
