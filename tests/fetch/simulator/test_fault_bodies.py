"""Broken 200 bodies, chats gone between list and fetch, slow chats, and cursors that loop."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from fetch.simulator import Faults, generate_org
from tests.fetch.simulator.conftest import CHATS, KEY, Served, error_of, messages_path, serving


def _is_json(content: bytes) -> bool:
    try:
        json.loads(content)
    except json.JSONDecodeError:
        return False
    return True


@pytest.mark.parametrize("fault", ["malformed_messages", "invalid_json_messages"])
def test_messages_body_faults(served: Served, fault: str) -> None:
    chat_id = served.org.chats[1].id
    whole = served.get(messages_path(chat_id)).content
    getattr(served.faults, fault).add(chat_id)
    broken = served.get(messages_path(chat_id))
    assert broken.status_code == 200 and not _is_json(broken.content)
    if fault == "malformed_messages":  # a cut-off JSON document
        assert whole.startswith(broken.content) and broken.content.startswith(b"{")
    else:  # not JSON at all, and nothing of the chat in it
        assert not whole.startswith(broken.content[:1]) and b"claude_chat_" not in broken.content
    assert served.get(messages_path(served.org.chats[2].id)).content != broken.content
    getattr(served.faults, fault).discard(chat_id)
    assert served.get(messages_path(chat_id)).content == whole
    assert served.server.stats.injected == {fault: 1}


@pytest.mark.parametrize("kind", ["truncated", "invalid"])
def test_list_body_fault_breaks_the_next_n_pages(served: Served, kind: str) -> None:
    whole = served.get(CHATS, limit=3).content
    served.faults.list_body_fault = (kind, 2)
    broken = [served.get(CHATS, limit=3) for _ in range(2)]
    assert all(r.status_code == 200 and not _is_json(r.content) for r in broken)
    assert whole.startswith(broken[0].content) is (kind == "truncated")
    assert served.get(CHATS, limit=3).content == whole, "the third page is whole again"
    assert served.server.stats.injected == {"list_body_fault": 2}


def test_list_body_fault_is_validated_and_cleared() -> None:
    with pytest.raises(ValueError):
        Faults(list_body_fault=("garbled", 1))
    faults = Faults()
    with pytest.raises(ValueError):
        faults.list_body_fault = ("truncated", -1)
    faults.list_body_fault = ("invalid", 3)
    assert faults.take_list_body_fault() == "invalid"
    faults.clear()
    assert faults.take_list_body_fault() is None


def test_gone_chat_is_listed_but_its_messages_404(served: Served) -> None:
    chat_id, other = (c.id for c in served.org.chats[:2])
    served.faults.gone_messages.add(chat_id)
    listed = [item["id"] for item in served.get(CHATS, limit=1000).json()["data"]]
    assert chat_id in listed
    assert error_of(served.get(messages_path(chat_id))) == (
        404,
        "not_found_error",
        f"Chat {chat_id} not found.",
    )
    assert served.get(messages_path(other)).status_code == 200
    served.faults.gone_messages.discard(chat_id)
    assert served.get(messages_path(chat_id)).status_code == 200


def test_slow_messages_wait_for_that_chat_only() -> None:
    slept: list[float] = []
    with serving(generate_org(5, users=2, chats=6), rate_limit_per_minute=None, sleep=slept.append) as served:
        slow, fast = (c.id for c in served.org.chats[:2])
        served.faults.slow_messages[slow] = 2.5
        assert served.get(messages_path(fast)).status_code == 200 and slept == []
        assert served.get(messages_path(slow)).status_code == 200 and slept == [2.5]
        assert served.get(CHATS).status_code == 200 and slept == [2.5]


def test_a_slow_chat_times_the_client_out_and_does_not_wedge_stop() -> None:
    with serving(generate_org(5, users=2, chats=6), rate_limit_per_minute=None) as served:
        chat_id = served.org.chats[0].id
        served.faults.slow_messages[chat_id] = 60.0
        client = httpx.Client(base_url=served.server.url, headers={"x-api-key": KEY}, timeout=0.3)
        with client, pytest.raises(httpx.ReadTimeout):
            client.get(messages_path(chat_id))
        stopper = threading.Thread(target=served.server.stop)
        stopper.start()
        stopper.join(20)
        assert not stopper.is_alive(), "stop() returned while a handler was still sleeping"
        for _ in range(200):  # the woken handler finishes its request (bounded wait)
            if served.server.stats.total:
                break
            threading.Event().wait(0.05)
        assert served.server.stats.injected == {"slow_messages": 1} and served.server.stats.total == 1


def _page(served: Served, path: str, **params: Any) -> dict[str, Any]:
    response = served.get(path, **params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_repeat_list_cursor_serves_the_same_page_again(served: Served) -> None:
    first = _page(served, CHATS, limit=4)
    served.faults.repeat_list_cursor = True
    assert _page(served, CHATS, limit=4) == first, "a walk's first page is not affected"
    again = _page(served, CHATS, limit=4, after_id=first["last_id"])
    assert [c["id"] for c in again["data"]] == [c["id"] for c in first["data"]]
    assert again["last_id"] == first["last_id"] and again["has_more"] is True
    served.faults.repeat_list_cursor = False
    moved = _page(served, CHATS, limit=4, after_id=first["last_id"])
    assert not {c["id"] for c in moved["data"]} & {c["id"] for c in first["data"]}
    assert moved["last_id"] != first["last_id"]


def test_repeat_messages_cursor_serves_the_same_page_again(served: Served) -> None:
    chat = max(served.org.ordered("created_at")[1], key=lambda c: len(c.messages))
    first = _page(served, messages_path(chat.id), limit=2)
    served.faults.repeat_messages_cursor.add(chat.id)
    again = _page(served, messages_path(chat.id), limit=2, after_id=first["last_id"])
    assert again["chat_messages"] == first["chat_messages"] and again["last_id"] == first["last_id"]
    assert again["has_more"] is True
    served.faults.repeat_messages_cursor.clear()
    moved = _page(served, messages_path(chat.id), limit=2, after_id=first["last_id"])
    assert moved["chat_messages"] != first["chat_messages"]
    assert served.server.stats.injected == {"repeat_messages_cursor": 1}
