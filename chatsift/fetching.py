"""Fetch chats concurrently: messages after each chat's stored cursor, and their text-like attachments.

Fetching is network-bound and classification CPU-bound, so a bounded pool of worker threads fetches
ahead (``fetch_concurrency`` at once, all through one client and so one shared request budget)
while the caller classifies the results strictly in submission order. ``ordered_stage`` is that
window: it starts each item's work as the item comes, hands the items on in input order, and keeps
at most ``ahead`` started items not yet handed on, so at most that many fetched chats wait in
memory, however long the list is. Stages chain (fetch, then classification in worker processes),
and an item can ask for a drain: everything before it is handed on before anything after it is
even read from the input.

A worker never raises a per-chat ``FetchError``: it comes back in ``Fetched.error`` so the chat
becomes an error record and a retry. Errors that end the run (a revoked key, a missing scope)
propagate to the caller when it reaches that chat's result.

Attachments: text-like ones (by MIME type, else by file-name extension, in memory only) are
downloaded up to ``attachment_max_bytes`` and decoded as UTF-8; the others are recorded as not
scanned with a reason (``binary``, ``too_large``, ``attachment_gone``, ``not_utf8``, or an HTTP code).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chatsift import crashpoints
from chatsift.settings import Settings
from fetch import ComplianceClient
from fetch.attachments import attachment_refs, download_attachment
from fetch.errors import (
    AttachmentGoneError,
    AttachmentTooLargeError,
    AuthenticationError,
    FetchError,
    MessageCursorRejectedError,
    PermissionDeniedError,
)
from fetch.models import Chat, ChatSummary, Message
from fetch.streams import fetch_chat_since
from labels import AttachmentScan, ChatState, LabelRecord

log = logging.getLogger("chatsift.fetching")

T = TypeVar("T")

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-javascript",
    "application/typescript",
    "application/x-sh",
    "application/x-python",
    "application/sql",
    "application/x-yaml",
    "application/yaml",
    "application/toml",
    "application/x-ndjson",
    "application/csv",
    "application/vnd.ant.code",
    "application/vnd.ant.mermaid",
    "application/vnd.ant.react",
    "image/svg+xml",
)
_EXTENSION_WORDS = (
    "txt md markdown csv tsv json jsonl ndjson xml yaml yml toml ini cfg conf env log sql py js ts tsx "
    "jsx java kt go rs rb php c h cc cpp hpp cs swift sh bash zsh ps1 html htm css scss svg tex rst"
)
_TEXT_EXTENSIONS = frozenset(_EXTENSION_WORDS.split())


@dataclass(frozen=True)
class FetchJob:
    """One chat to fetch: from its message cursor when an earlier record can be extended."""

    chat_id: str
    summary: ChatSummary | None = None  # the list item, when the chat came from a list page
    base: LabelRecord | None = None  # the record whose findings the new messages add to
    state: ChatState | None = None  # where the messages of ``base`` ended


@dataclass
class AttachmentText:
    """One attachment's outcome; ``text`` (raw, memory only) is set when it is to be scanned."""

    scan: AttachmentScan
    index: int  # among the message's attachments: files, then generated files, then artifacts
    role: str
    text: str | None = field(default=None, repr=False)


@dataclass
class Fetched:
    """A fetch job's result: the chat (new messages only when incremental) or the error."""

    job: FetchJob
    chat: Chat | None = None
    cursor: str | None = None
    incremental: bool = False
    attachments: list[AttachmentText] = field(default_factory=list)
    error: FetchError | None = None

    @property
    def failed_attachments(self) -> list[AttachmentScan]:
        """Attachments that could not be read for a reason a later run may not have."""
        return [a.scan for a in self.attachments if a.scan.reason not in (None, *_FINAL_REASONS)]


_FINAL_REASONS = ("binary", "too_large", "attachment_gone", "not_utf8", "disabled")


def ordered_stage(
    items: Iterable[T],
    start: Callable[[T], Future[Any] | None],
    ahead: int,
    *,
    drain: Callable[[T], bool] = lambda _: False,
) -> Generator[T, None, None]:
    """Call ``start`` on each item as it is read and yield the items in input order.

    ``start`` submits the item's work and returns its future (the caller keeps it on the item), or
    None when the item has no work. At most ``ahead`` items with work are read but not yet yielded;
    the consumer waits on each future. An item for which ``drain`` is true is yielded only after
    every item before it, and nothing after it is read until the consumer asks for the next item.
    Closing the generator (an abort) cancels the work not started yet; running work finishes.
    """
    pending: deque[tuple[T, Future[Any] | None]] = deque()
    started = 0
    try:
        for item in items:
            if drain(item):
                while pending:
                    yield pending.popleft()[0]
                started = 0
                yield item
                continue
            future = start(item)
            pending.append((item, future))
            started += future is not None
            while started >= ahead:
                done, future = pending.popleft()
                started -= future is not None
                yield done
        while pending:
            yield pending.popleft()[0]
    finally:
        for _, future in pending:
            if future is not None:
                future.cancel()


def fetch_one(client: ComplianceClient, settings: Settings, job: FetchJob) -> Fetched:
    """Run one job (in a worker thread): messages after the cursor, then the new messages' attachments."""
    after = job.state.message_cursor if job.state is not None else None
    try:
        try:
            got = fetch_chat_since(client, job.chat_id, after_id=after)
        except MessageCursorRejectedError:
            log.info("chat %s: stored message cursor rejected; reading every message", job.chat_id)
            after = None
            got = fetch_chat_since(client, job.chat_id, after_id=None)
        attachments = _attachments(client, settings, got.chat.chat_messages)
    except (AuthenticationError, PermissionDeniedError):
        raise
    except FetchError as exc:
        return Fetched(job, error=exc)
    crashpoints.reached("fetched")
    return Fetched(job, got.chat, got.cursor, after is not None, attachments)


def _attachments(
    client: ComplianceClient, settings: Settings, messages: Iterable[Message]
) -> list[AttachmentText]:
    out: list[AttachmentText] = []
    for message in messages:
        for index, ref in enumerate(attachment_refs(message)):
            scan = AttachmentScan(
                kind=ref.kind,
                id=ref.id,
                message_id=message.id,
                mime_type=ref.mime_type,
                size_bytes=ref.size_bytes,
                scanned=False,
                reason=None,
            )
            item = AttachmentText(scan, index, message.role)
            _read(client, settings, item, ref.filename)
            out.append(item)
    return out


def _read(client: ComplianceClient, settings: Settings, item: AttachmentText, filename: str | None) -> None:
    scan = item.scan
    reason: str | None = None
    if not settings.attachments:
        reason = "disabled"
    elif not is_text_like(scan.mime_type, filename):
        reason = "binary"
    elif scan.size_bytes is not None and scan.size_bytes > settings.attachment_max_bytes:
        reason = "too_large"
    else:
        try:
            download = download_attachment(
                client, scan.kind, scan.id, max_bytes=settings.attachment_max_bytes
            )
        except AttachmentTooLargeError:
            reason = "too_large"
        except AttachmentGoneError:
            reason = "attachment_gone"
        except (AuthenticationError, PermissionDeniedError):
            raise
        except FetchError as exc:
            log.warning("attachment %s of message %s: %s", scan.id, scan.message_id, exc.code)
            reason = exc.code
        else:
            try:
                item.text = download.content.decode("utf-8")
            except UnicodeDecodeError:
                reason = "not_utf8"
            if item.text is not None and "\x00" in item.text[:8192]:
                item.text, reason = None, "binary"
    item.scan = scan.model_copy(update={"scanned": reason is None, "reason": reason})


def is_text_like(mime_type: str | None, filename: str | None) -> bool:
    """Whether an attachment is text worth scanning: by MIME type, else by the name's extension."""
    if mime_type:
        base = mime_type.split(";", 1)[0].strip().lower()
        if base.startswith("text/") or base in _TEXT_TYPES or base.endswith(("+json", "+xml")):
            return True
        if base != "application/octet-stream":
            return False
    if filename and "." in filename:
        return filename.rsplit(".", 1)[1].lower() in _TEXT_EXTENSIONS
    return False
