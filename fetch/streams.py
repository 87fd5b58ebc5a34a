"""Streaming reads of chats: list pages one at a time, and one chat's messages merged into a ``Chat``.

Nothing here holds more than one list page or one chat in memory, so memory stays flat as the
organisation grows. Callers commit a page's results together with ``page.last_id`` (the cursor
to persist); an empty final page has ``last_id`` null and the caller keeps its old cursor.

Per chat, ``fetch_chat_since`` resumes from a stored *message* cursor, so a chat that changed
costs one request for its new messages instead of a re-read of its whole history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from fetch.client import ComplianceClient
from fetch.directory import iter_org_users, iter_organizations, resolve_user
from fetch.errors import (
    BadRequestError,
    ChatGoneError,
    FetchConfigError,
    FetchError,
    MalformedResponseError,
    MessageCursorRejectedError,
    NotFoundError,
)
from fetch.models import Chat, ChatListPage, Message, MessagesPage
from fetch.pagination import DEFAULT_MAX_PAGES, CursorPaginator
from fetch.parsing import validate

E = TypeVar("E", bound=FetchError)

__all__ = [
    "CHATS_PATH",
    "MESSAGES_PATH",
    "FetchedChat",
    "fetch_chat",
    "fetch_chat_since",
    "iter_changed_chat_pages",
    "iter_org_users",
    "iter_organizations",
    "iter_user_chat_pages",
    "resolve_user",
    "rfc3339z",
]

CHATS_PATH = "/v1/compliance/apps/chats"
MESSAGES_PATH = "/v1/compliance/apps/chats/{id}/messages"
MAX_LIST_LIMIT = 1000
# Tool inputs and results in full (-1 disables the server's truncation, reference §2.3): a secret
# past an unknown default cut-off would otherwise never be scanned.
_FULL_TOOL_CONTENT = (("tool_result_max_chars", "-1"), ("tool_use_input_max_chars", "-1"))


def iter_changed_chat_pages(
    client: ComplianceClient,
    *,
    after_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page_size: int = 100,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[ChatListPage]:
    """Org-wide chat pages oldest-change first (``order_by=updated_at``), from a cursor or a time.

    ``until`` bounds the walk to chats updated before it (``updated_at.lt``), so a walk started
    at a run's start is finite however busy the organisation is.
    """
    params = [("order_by", "updated_at"), ("limit", _limit(page_size))]
    if since is not None and after_id is None:
        # A cursor already encodes the position, so the lower bound only starts a walk that has
        # no cursor (both filters match order_by=updated_at, which the API requires).
        params.append(("updated_at.gte", rfc3339z(since)))
    if until is not None:
        params.append(("updated_at.lt", rfc3339z(until)))
    paginator = CursorPaginator(max_pages, start=after_id, path_template=CHATS_PATH)
    yield from _chat_pages(client, params, paginator)


def iter_user_chat_pages(
    client: ComplianceClient, user_id: str, *, page_size: int = 100, max_pages: int = DEFAULT_MAX_PAGES
) -> Iterator[ChatListPage]:
    """One user's chat pages in the default ``created_at`` order."""
    params = [("user_ids[]", user_id), ("limit", _limit(page_size))]
    yield from _chat_pages(client, params, CursorPaginator(max_pages, path_template=CHATS_PATH))


def _chat_pages(
    client: ComplianceClient, params: Sequence[tuple[str, str]], paginator: CursorPaginator
) -> Iterator[ChatListPage]:
    while not paginator.finished:
        body = client.get_json(CHATS_PATH, [*params, *paginator.params()])
        page = validate(ChatListPage, body, path_template=CHATS_PATH)
        paginator.advance(page)
        yield page


@dataclass(frozen=True)
class FetchedChat:
    """A chat's messages after a cursor, and the message cursor to store for next time."""

    chat: Chat  # metadata from the response; ``chat_messages`` holds only the new messages
    cursor: str | None  # the last non-empty page's ``last_id``, or the given ``after_id`` if none came
    new_messages: int


def fetch_chat(
    client: ComplianceClient,
    chat_id: str,
    *,
    page_size: int | None = MAX_LIST_LIMIT,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Chat:
    """One chat with every message, following ``has_more``; 404 -> ChatGoneError (skippable)."""
    return fetch_chat_since(client, chat_id, after_id=None, page_size=page_size, max_pages=max_pages).chat


def fetch_chat_since(
    client: ComplianceClient,
    chat_id: str,
    *,
    after_id: str | None,
    page_size: int | None = MAX_LIST_LIMIT,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> FetchedChat:
    """The chat's messages after message cursor ``after_id`` (all of them when None).

    A long chat that gained two messages costs one request. 404 -> ChatGoneError; a 400 on a
    request carrying a cursor -> MessageCursorRejectedError (fall back to ``after_id=None``).
    """
    params = [*_FULL_TOOL_CONTENT, *([("limit", _limit(page_size))] if page_size is not None else [])]
    paginator = CursorPaginator(max_pages, start=after_id, path_template=MESSAGES_PATH)
    first: MessagesPage | None = None
    messages: list[Message] = []
    seen: set[str] = set()
    while not paginator.finished:
        page = _messages_page(client, chat_id, [*params, *paginator.params()])
        first = first or page
        # Pages should not overlap; if a retried page does, a message is still counted once.
        fresh = [m for m in page.chat_messages if m.id not in seen]
        seen.update(m.id for m in fresh)
        messages.extend(fresh)
        paginator.advance(page)
    assert first is not None  # the loop runs at least once
    return FetchedChat(_merge(first, messages), paginator.cursor, len(messages))


def _messages_page(client: ComplianceClient, chat_id: str, params: list[tuple[str, str]]) -> MessagesPage:
    try:
        body = client.get_json(MESSAGES_PATH, params, path_params={"id": chat_id})
    except NotFoundError as exc:
        raise _as(ChatGoneError, "the chat was listed but no longer exists", exc) from exc
    except BadRequestError as exc:
        if not any(name == "after_id" for name, _ in params):
            raise
        raise _as(MessageCursorRejectedError, "the API refused the stored message cursor", exc) from exc
    page = validate(MessagesPage, body, path_template=MESSAGES_PATH)
    if page.id != chat_id:
        raise MalformedResponseError("the page belongs to another chat id", path_template=MESSAGES_PATH)
    return page


def _as(cls: type[E], message: str, exc: FetchError) -> E:
    """``exc``'s safe facts under another class of the error tree (a more precise meaning)."""
    return cls(
        message,
        status=exc.status,
        error_type=exc.error_type,
        path_template=MESSAGES_PATH,
        request_id=exc.request_id,
    )


def _merge(first: MessagesPage, messages: list[Message]) -> Chat:
    # Already-validated models pass through model_validate as they are (no second parse of content).
    fields = {name: getattr(first, name) for name in Chat.model_fields if name != "chat_messages"}
    data = {**(first.model_extra or {}), **fields, "chat_messages": messages}
    return validate(Chat, data, path_template=MESSAGES_PATH)


def rfc3339z(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix; a naive datetime is taken to be UTC already."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    text = aware.strftime("%Y-%m-%dT%H:%M:%S")
    if aware.microsecond:
        text += f".{aware.microsecond:06d}"
    return text + "Z"


def _limit(page_size: int) -> str:
    if not 1 <= page_size <= MAX_LIST_LIMIT:
        raise FetchConfigError(f"page_size must be between 1 and {MAX_LIST_LIMIT}", code="bad_page_size")
    return str(page_size)
