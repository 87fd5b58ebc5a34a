"""``GET /v1/compliance/apps/chats/{id}/messages``: full reads, paging both ways, filters, 404s."""

from __future__ import annotations

from typing import Any

import pytest

from fetch.models import MessagesPage
from tests.fetch.simulator.conftest import CHATS, Served, error_of, messages_path


def _longest(served: Served) -> str:
    records = [c for c in served.org.ordered("created_at")[1] if c.deleted_at is None]
    return max(records, key=lambda c: (len(c.messages), c.id)).id


def _ids(body: dict[str, Any]) -> list[str]:
    return [m["id"] for m in body["chat_messages"]]


def test_no_limit_returns_every_message_with_chat_metadata(shared: Served) -> None:
    chat_id = _longest(shared)
    body = shared.get(messages_path(chat_id)).json()
    listed = next(item for item in shared.get(CHATS, limit=1000).json()["data"] if item["id"] == chat_id)
    assert {k: body[k] for k in listed} == listed
    expected = shared.org.chat(chat_id)
    assert _ids(body) == [m.id for m in expected.chat_messages] and len(_ids(body)) > 2
    assert body["has_more"] is False and body["first_id"] and body["last_id"]
    page = MessagesPage.model_validate(body)
    assert page.chat_messages == expected.chat_messages
    message = body["chat_messages"][0]
    assert set(message) == {"id", "role", "created_at", "content", "files", "generated_files", "artifacts"}


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 3])
def test_paging_forward_visits_every_message_once(shared: Served, order: str, limit: int) -> None:
    chat_id = _longest(shared)
    expected = [m.id for m in shared.org.chat(chat_id).chat_messages]
    if order == "desc":
        expected.reverse()
    seen: list[str] = []
    cursor = None
    for _ in range(30):
        params: dict[str, Any] = {"limit": limit, "order": order} | ({"after_id": cursor} if cursor else {})
        body = shared.get(messages_path(chat_id), **params).json()
        seen += _ids(body)
        cursor = body["last_id"]
        if not body["has_more"]:
            break
    assert seen == expected


def test_before_id_pages_toward_the_start(shared: Served) -> None:
    chat_id = _longest(shared)
    everything = shared.get(messages_path(chat_id)).json()
    expected = _ids(everything)
    body = shared.get(messages_path(chat_id), limit=2, before_id=everything["last_id"]).json()
    assert _ids(body) == expected[-3:-1] and body["has_more"] is (len(expected) > 3)


def test_created_at_filter(shared: Served) -> None:
    chat_id = _longest(shared)
    messages = shared.get(messages_path(chat_id)).json()["chat_messages"]
    pivot = messages[2]["created_at"]
    body = shared.get(messages_path(chat_id), **{"created_at.gte": pivot}).json()
    assert _ids(body) == [m["id"] for m in messages[2:]]
    body = shared.get(messages_path(chat_id), **{"created_at.lt": pivot}).json()
    assert _ids(body) == [m["id"] for m in messages[:2]]


def test_soft_deleted_chat_serves_empty_content(shared: Served) -> None:
    deleted = next(c for c in shared.org.ordered("created_at")[1] if c.deleted_at is not None)
    body = shared.get(messages_path(deleted.id)).json()
    assert body["deleted_at"] and body["chat_messages"]
    for message in body["chat_messages"]:
        assert message["content"] == []
        assert (
            message["files"] is None and message["generated_files"] is None and message["artifacts"] is None
        )


def _other_chat_cursor(shared: Served, chat_id: str) -> str:
    other = next(c.id for c in shared.org.ordered("created_at")[1] if c.id != chat_id)
    return str(shared.get(messages_path(other)).json()["last_id"])


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"limit": "0"}, "The limit parameter must be between 1 and 1000, inclusive. Got 0."),
        ({"limit": "1001"}, "The limit parameter must be between 1 and 1000, inclusive. Got 1001."),
        ({"order": "sideways"}, "`order`"),
        ({"after_id": "garbage"}, 'Invalid `after_id`. No message found for `after_id` "garbage"'),
        ({"before_id": "OTHER"}, "Invalid `before_id`."),
        ({"after_id": "OWN", "before_id": "OWN"}, "Only one of"),
        ({"created_at.gte": "2024-01-01"}, 'Got "2024-01-01".'),
    ],
)
def test_bad_parameters(shared: Served, params: dict[str, str], mentions: str) -> None:
    chat_id = _longest(shared)
    own = shared.get(messages_path(chat_id)).json()["first_id"]
    other = _other_chat_cursor(shared, chat_id)
    filled = {k: own if v == "OWN" else other if v == "OTHER" else v for k, v in params.items()}
    status, kind, message = error_of(shared.get(messages_path(chat_id), **filled))
    assert (status, kind) == (400, "invalid_request_error") and mentions in message


def test_unknown_and_hard_deleted_chats_are_404(served: Served) -> None:
    assert error_of(served.get(messages_path("claude_chat_01doesnotexist"))) == (
        404,
        "not_found_error",
        "Chat claude_chat_01doesnotexist not found.",
    )
    victim = served.org.chats[0].id
    assert served.get(messages_path(victim)).status_code == 200
    served.org.hard_delete(victim)
    assert error_of(served.get(messages_path(victim))) == (
        404,
        "not_found_error",
        f"Chat {victim} not found.",
    )
