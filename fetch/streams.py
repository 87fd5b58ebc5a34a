"""Streaming reads of chats: list pages one at a time, and one chat's messages merged into a ``Chat``.

Nothing here holds more than one list page or one chat in memory, so memory stays flat as the
organisation grows. Callers commit a page's results together with ``page.last_id`` (the cursor
to persist); an empty final page has ``last_id`` null and the caller keeps its old cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from fetch.client import ComplianceClient
from fetch.directory import iter_org_users, iter_organizations, resolve_user
from fetch.errors import ChatGoneError, FetchConfigError, MalformedResponseError, NotFoundError
from fetch.models import Chat, ChatListPage, Message, MessagesPage
from fetch.pagination import DEFAULT_MAX_PAGES, CursorPaginator
from fetch.parsing import validate

__all__ = [
    "CHATS_PATH",
    "MESSAGES_PATH",
    "fetch_chat",
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


def iter_changed_chat_pages(
    client: ComplianceClient,
    *,
    after_id: str | None = None,
    since: datetime | None = None,
    page_size: int = 100,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[ChatListPage]:
    """Org-wide chat pages oldest-change first (``order_by=updated_at``), from a cursor or a time."""
    params = [("order_by", "updated_at"), ("limit", _limit(page_size))]
    if since is not None and after_id is None:
        # The API rejects a time filter that does not match order_by, and a cursor already encodes
        # the position, so the filter only starts a walk that has no cursor.
        params.append(("updated_at.gte", rfc3339z(since)))
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


def fetch_chat(
    client: ComplianceClient,
    chat_id: str,
    *,
    page_size: int | None = MAX_LIST_LIMIT,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Chat:
    """One chat with every message, following ``has_more``; 404 -> ChatGoneError (skippable)."""
    params = [("limit", _limit(page_size))] if page_size is not None else []
    paginator = CursorPaginator(max_pages, path_template=MESSAGES_PATH)
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
    return _merge(first, messages)


def _messages_page(client: ComplianceClient, chat_id: str, params: list[tuple[str, str]]) -> MessagesPage:
    try:
        body = client.get_json(MESSAGES_PATH, params, path_params={"id": chat_id})
    except NotFoundError as exc:
        raise ChatGoneError(
            "the chat was listed but no longer exists",
            status=exc.status,
            error_type=exc.error_type,
            path_template=MESSAGES_PATH,
            request_id=exc.request_id,
        ) from exc
    page = validate(MessagesPage, body, path_template=MESSAGES_PATH)
    if page.id != chat_id:
        raise MalformedResponseError("the page belongs to another chat id", path_template=MESSAGES_PATH)
    return page


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
