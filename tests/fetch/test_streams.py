"""Streaming chat reads against an in-memory multi-page API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from fetch import fetch_chat, iter_changed_chat_pages, iter_user_chat_pages, rfc3339z
from fetch.errors import (
    ChatGoneError,
    ChatSkipError,
    FetchConfigError,
    MalformedResponseError,
    NotFoundError,
    PageCapError,
    PaginationLoopError,
    ServerError,
)
from fetch.models import Chat
from tests.fetch.conftest import FakeChatApi, Script, Sleeps, err, make_client, ok, params_of

STAMP = "2026-01-01T00:00:00Z"


def _ids(pages: list) -> list[str]:
    return [c.id for page in pages for c in page.data]


def test_changed_pages_walk_the_org_in_updated_order(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client:
        pages = list(iter_changed_chat_pages(client, page_size=2))
    assert [len(p.data) for p in pages] == [2, 2, 1]
    expected = sorted(chat_api.chats, key=lambda c: (c["updated_at"], c["id"]))
    assert _ids(pages) == [c["id"] for c in expected]
    sent = [params_of(r) for r in chat_api.requests]
    assert all(("order_by", "updated_at") in p and ("limit", "2") in p for p in sent)
    assert [dict(p).get("after_id") for p in sent] == [None, pages[0].last_id, pages[1].last_id]
    assert not pages[-1].has_more and pages[-1].last_id is not None


def test_pages_are_fetched_lazily(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client:
        pages = iter_changed_chat_pages(client, page_size=2)
        assert chat_api.requests == []
        next(pages)
        assert len(chat_api.requests) == 1


def test_resume_from_a_stored_cursor(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client:
        first = next(iter_changed_chat_pages(client, page_size=2))
        rest = list(iter_changed_chat_pages(client, after_id=first.last_id, page_size=2))
        everything = list(iter_changed_chat_pages(client, page_size=10))
    assert _ids([first, *rest]) == _ids(everything)


def test_resume_from_the_final_cursor_is_one_empty_page(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client:
        last = list(iter_changed_chat_pages(client, page_size=100))[-1].last_id
        chat_api.requests.clear()
        pages = list(iter_changed_chat_pages(client, after_id=last))
    assert len(chat_api.requests) == 1
    assert pages[0].data == [] and pages[0].last_id is None  # the caller keeps its cursor


def test_since_is_sent_only_without_a_cursor(chat_api: FakeChatApi) -> None:
    since = datetime(2026, 1, 4, tzinfo=UTC)
    with make_client(chat_api) as client:
        filtered = list(iter_changed_chat_pages(client, since=since))
        list(iter_changed_chat_pages(client, since=since, after_id="cur_" + "1000_tahc_edualc"))
    first, second = (dict(params_of(r)) for r in chat_api.requests)
    assert first["updated_at.gte"] == "2026-01-04T00:00:00Z"
    assert "updated_at.gte" not in second and second["after_id"].startswith("cur_")
    assert all(c.updated_at >= since for c in filtered[0].data) and filtered[0].data


def test_until_is_sent_with_or_without_a_cursor(chat_api: FakeChatApi) -> None:
    until = datetime(2026, 1, 4, 12, tzinfo=timezone(timedelta(hours=2)))
    with make_client(chat_api) as client:
        list(iter_changed_chat_pages(client, until=until))
        list(iter_changed_chat_pages(client, until=until, after_id="cur_" + "1000_tahc_edualc"))
    for request in chat_api.requests:
        assert dict(params_of(request))["updated_at.lt"] == "2026-01-04T10:00:00Z"


def test_user_pages_filter_by_user_in_created_order(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client:
        pages = list(iter_user_chat_pages(client, "user_b", page_size=1))
    assert _ids(pages) == ["claude_chat_0002", "claude_chat_0004"]
    sent = [params_of(r) for r in chat_api.requests]
    assert all(("user_ids[]", "user_b") in p and "order_by" not in dict(p) for p in sent)


def test_a_retried_list_page_resends_the_same_cursor(chat_api: FakeChatApi, sleeps: Sleeps) -> None:
    failures = iter([err(429, "rate_limit_error", retry_after="2"), err(503)])

    def flaky(request: httpx.Request) -> httpx.Response:
        if "after_id" in request.url.params and (bad := next(failures, None)) is not None:
            chat_api.requests.append(request)
            return bad
        return chat_api(request)

    with make_client(flaky, sleeps) as client:
        pages = list(iter_changed_chat_pages(client, page_size=3))
    cursors = [r.url.params.get("after_id") for r in chat_api.requests]
    assert cursors == [None, pages[0].last_id, pages[0].last_id, pages[0].last_id]
    assert len(_ids(pages)) == 5 and sleeps[0] >= 2.0


def test_list_failure_after_retries_propagates_and_stops(chat_api: FakeChatApi) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return err(503) if "after_id" in request.url.params else chat_api(request)

    with make_client(down, max_retries=1) as client:
        pages = iter_changed_chat_pages(client, page_size=2)
        assert len(next(pages).data) == 2
        with pytest.raises(ServerError):
            next(pages)


def test_a_looping_list_is_stopped() -> None:
    same = ok({"data": [], "has_more": True, "last_id": "cur_same"})
    script = Script([same, same, same])
    with make_client(script) as client, pytest.raises(PaginationLoopError):
        list(iter_changed_chat_pages(client))
    assert len(script.requests) == 2


def test_the_page_cap_stops_a_runaway_list(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client, pytest.raises(PageCapError):
        list(iter_changed_chat_pages(client, page_size=1, max_pages=3))
    assert len(chat_api.requests) == 3


@pytest.mark.parametrize("size", [0, -1, 1001])
def test_page_size_bounds(size: int, chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client, pytest.raises(FetchConfigError):
        next(iter_changed_chat_pages(client, page_size=size))
    assert chat_api.requests == []


def test_fetch_chat_merges_every_message_page() -> None:
    api = FakeChatApi()
    chat_id = api.add_chat(1, messages=5)
    with make_client(api) as client:
        chat = fetch_chat(client, chat_id, page_size=2)
    assert type(chat) is Chat
    assert [m.id for m in chat.chat_messages] == [f"{chat_id}_msg_{i}" for i in range(5)]
    assert chat.id == chat_id and chat.user is not None and chat.user.id == "user_a"
    assert chat.name == "chat 1"
    assert "after_id" not in api.requests[0].url.params
    assert len(api.requests) == 3 and all(r.url.params["limit"] == "2" for r in api.requests)


def test_fetch_chat_without_a_limit_takes_one_response() -> None:
    api = FakeChatApi()
    chat_id = api.add_chat(1, messages=4)
    with make_client(api) as client:
        chat = fetch_chat(client, chat_id, page_size=None)
    assert len(chat.chat_messages) == 4 and len(api.requests) == 1
    assert "limit" not in api.requests[0].url.params


def test_fetch_chat_counts_an_overlapping_message_once() -> None:
    meta = {"id": "claude_chat_1", "created_at": STAMP, "updated_at": STAMP}
    msg = {"id": "m1", "role": "user", "content": []}
    script = Script([
        ok({**meta, "chat_messages": [msg], "has_more": True, "last_id": "c1"}),
        ok({**meta, "chat_messages": [msg, {**msg, "id": "m2"}], "has_more": False, "last_id": "c2"}),
    ])  # fmt: skip
    with make_client(script) as client:
        chat = fetch_chat(client, "claude_chat_1")
    assert [m.id for m in chat.chat_messages] == ["m1", "m2"]


def test_fetch_chat_404_is_a_gone_chat(chat_api: FakeChatApi) -> None:
    with make_client(chat_api) as client, pytest.raises(ChatGoneError) as info:
        fetch_chat(client, "claude_chat_9999")
    exc = info.value
    assert exc.code == "not_found" and exc.status == 404 and exc.error_type == "not_found_error"
    assert isinstance(exc, ChatSkipError) and isinstance(exc.__cause__, NotFoundError)


@pytest.mark.parametrize(
    "body",
    [
        {
            "id": "claude_chat_1",
            "created_at": STAMP,
            "updated_at": STAMP,
            "chat_messages": [{"role": "user"}],
        },
        {"id": "claude_chat_1", "created_at": "not a time", "updated_at": STAMP},
        {"id": "claude_chat_OTHER", "created_at": STAMP, "updated_at": STAMP, "chat_messages": []},
        {"id": "claude_chat_1", "created_at": STAMP, "updated_at": STAMP, "has_more": True, "last_id": None},
    ],
)
def test_fetch_chat_bad_bodies_are_skippable(body: dict[str, object]) -> None:
    script = Script([ok(body)])
    with make_client(script) as client, pytest.raises(MalformedResponseError) as info:
        fetch_chat(client, "claude_chat_1")
    assert isinstance(info.value, ChatSkipError)


def test_fetch_chat_keeps_unknown_blocks_and_extra_fields() -> None:
    message = {"id": "m1", "role": "user", "content": [{"type": "image", "source": "x"}]}
    body = {
        "id": "claude_chat_1",
        "created_at": STAMP,
        "updated_at": STAMP,
        "new_field": 1,
        "chat_messages": [message],
    }
    with make_client(Script([ok(body)])) as client:
        chat = fetch_chat(client, "claude_chat_1")
    assert chat.chat_messages[0].content[0].type == "image"
    assert (chat.model_extra or {}).get("new_field") == 1


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 3, 1, 12, 0, 0), "2026-03-01T12:00:00Z"),
        (datetime(2026, 3, 1, 12, 0, 0, 250, tzinfo=UTC), "2026-03-01T12:00:00.000250Z"),
        (datetime(2026, 3, 1, 14, 0, 0, tzinfo=timezone(timedelta(hours=2))), "2026-03-01T12:00:00Z"),
    ],
)
def test_rfc3339z(moment: datetime, text: str) -> None:
    assert rfc3339z(moment) == text
