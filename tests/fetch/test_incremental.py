"""fetch_chat_since: resume a chat from a stored message cursor (fake API and the real simulator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fetch import ComplianceClient, FetchedChat, fetch_chat, fetch_chat_since
from fetch.errors import (
    BadRequestError,
    ChatGoneError,
    MessageCursorRejectedError,
    PaginationLoopError,
)
from tests.fetch.conftest import FakeChatApi, Script, err, make_client, ok, params_of

simulator = pytest.importorskip("fetch.simulator")

KEY = "sk-ant-api01-incremental-tests"
MESSAGES = "/v1/compliance/apps/chats/{id}/messages"
STAMP = "2026-01-01T00:00:00Z"
CHAT = {"id": "claude_chat_1", "created_at": STAMP, "updated_at": STAMP}


def test_a_full_fetch_returns_the_cursor_to_store(chat_api: FakeChatApi) -> None:
    chat_id = chat_api.add_chat(9, messages=5)
    with make_client(chat_api) as client:
        got = fetch_chat_since(client, chat_id, after_id=None, page_size=2)
    assert isinstance(got, FetchedChat) and got.new_messages == 5
    assert [m.id for m in got.chat.chat_messages] == [f"{chat_id}_msg_{i}" for i in range(5)]
    assert got.cursor == "cur_" + f"{chat_id}_msg_4"[::-1]  # the last non-empty page's last_id
    assert len(chat_api.requests) == 3


def test_only_messages_after_the_cursor_come_back(chat_api: FakeChatApi) -> None:
    chat_id = chat_api.add_chat(9, messages=5)
    with make_client(chat_api) as client:
        first = fetch_chat_since(client, chat_id, after_id=None)
        chat_api.messages[chat_id] += [
            {"id": f"{chat_id}_msg_{i}", "role": "user", "content": [{"type": "text", "text": "more"}]}
            for i in (5, 6)
        ]
        second = fetch_chat_since(client, chat_id, after_id=first.cursor)
    assert [m.id for m in second.chat.chat_messages] == [f"{chat_id}_msg_5", f"{chat_id}_msg_6"]
    assert second.new_messages == 2 and second.cursor != first.cursor
    assert second.chat.id == chat_id and second.chat.name == "chat 9"  # metadata from the response
    assert dict(params_of(chat_api.requests[-1]))["after_id"] == first.cursor


def test_nothing_new_keeps_the_cursor(chat_api: FakeChatApi) -> None:
    chat_id = chat_api.add_chat(9, messages=3)
    with make_client(chat_api) as client:
        first = fetch_chat_since(client, chat_id, after_id=None)
        again = fetch_chat_since(client, chat_id, after_id=first.cursor)
    assert (again.new_messages, again.chat.chat_messages, again.cursor) == (0, [], first.cursor)


def test_messages_requests_ask_for_full_tool_content(chat_api: FakeChatApi) -> None:
    chat_id = chat_api.add_chat(9, messages=1)
    with make_client(chat_api) as client:
        fetch_chat(client, chat_id, page_size=None)
    sent = params_of(chat_api.requests[-1])
    assert ("tool_result_max_chars", "-1") in sent and ("tool_use_input_max_chars", "-1") in sent
    assert "limit" not in dict(sent)  # page_size=None still means one response with everything


def test_a_refused_cursor_is_its_own_error_and_a_refused_first_page_is_not() -> None:
    refusal = err(400, "invalid_request_error", 'Invalid `after_id`. No message found for `after_id` "x"')
    with make_client(Script([refusal, refusal])) as client:
        with pytest.raises(MessageCursorRejectedError) as info:
            fetch_chat_since(client, "claude_chat_1", after_id="stale")
        with pytest.raises(BadRequestError) as plain:
            fetch_chat_since(client, "claude_chat_1", after_id=None)
    assert info.value.code == "message_cursor_rejected" and isinstance(info.value, BadRequestError)
    assert info.value.path_template == MESSAGES and "stale" not in str(info.value)
    assert type(plain.value) is BadRequestError


def test_a_cursor_the_server_hands_back_again_is_a_loop() -> None:
    page = ok({**CHAT, "chat_messages": [], "has_more": True, "first_id": "c1", "last_id": "c1"})
    with make_client(Script([page])) as client, pytest.raises(PaginationLoopError):
        fetch_chat_since(client, "claude_chat_1", after_id="c1")


# --- against the simulator ---------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[Any, ComplianceClient]]:
    """A small org on loopback (no rate limit) and a client for it."""
    org = simulator.generate_org(21, users=3, chats=6)
    server = simulator.SimulatorServer(org, api_key=KEY, rate_limit_per_minute=None)
    with server, ComplianceClient(server.start().url, KEY, timeout=10, connect_timeout=5) as client:
        yield server, client


def _longest(org: Any) -> str:
    return str(max(org.chats, key=lambda c: len(org.chat(c.id).chat_messages)).id)


def test_two_new_messages_cost_one_request(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    org = server.org
    chat_id = _longest(org)
    full = fetch_chat_since(client, chat_id, after_id=None, page_size=2)
    assert full.new_messages == len(org.chat(chat_id).chat_messages) >= 3  # several pages
    added = [
        org.append_message(chat_id, "user", "and one more"),
        org.append_message(chat_id, "assistant", "ok"),
    ]
    before = server.stats.by_path[MESSAGES]
    got = fetch_chat_since(client, chat_id, after_id=full.cursor)
    after = server.stats.by_path[MESSAGES]
    assert after - before == 1
    assert [m.id for m in got.chat.chat_messages] == added and got.new_messages == 2
    assert got.chat.updated_at == org.chat(chat_id).updated_at
    unchanged = fetch_chat_since(client, chat_id, after_id=got.cursor)
    assert (unchanged.new_messages, unchanged.cursor) == (0, got.cursor)


def test_the_simulator_refuses_a_foreign_cursor(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    org = server.org
    first, second = org.chats[0].id, org.chats[1].id
    cursor = fetch_chat_since(client, first, after_id=None).cursor
    with pytest.raises(MessageCursorRejectedError):
        fetch_chat_since(client, second, after_id=cursor)  # another chat's message cursor
    assert fetch_chat_since(client, second, after_id=None).new_messages > 0  # the fallback works


def test_a_deleted_chat_is_gone_with_or_without_a_cursor(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    org = server.org
    chat_id = org.chats[0].id
    cursor = fetch_chat_since(client, chat_id, after_id=None).cursor
    org.hard_delete(chat_id)
    for after in (None, cursor):
        with pytest.raises(ChatGoneError):
            fetch_chat_since(client, chat_id, after_id=after)
