"""``GET /v1/compliance/apps/chats``: ordering, cursors, filters, and every documented 400."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from fetch.simulator.timestamps import render
from tests.fetch.simulator.conftest import CHATS, Served, error_of, walk


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def _expected(served: Served, order_by: str = "created_at") -> list[str]:
    return [chat.id for chat in served.org.ordered(order_by)[1]]


def test_default_page_is_everything_ascending_by_created_at(shared: Served) -> None:
    body = shared.get(CHATS).json()
    assert _ids(body["data"]) == _expected(shared) and len(body["data"]) == 60
    assert body["has_more"] is False and body["first_id"] and body["last_id"]
    keys = [(item["created_at"], item["id"]) for item in body["data"]]
    assert keys == sorted(keys, key=lambda k: (datetime.fromisoformat(k[0]), k[1]))
    item = body["data"][0]
    assert set(item) == {
        "id",
        "name",
        "created_at",
        "updated_at",
        "deleted_at",
        "href",
        "model",
        "organization_id",
        "organization_uuid",
        "project_id",
        "user",
    }
    assert set(item["user"]) == {"id", "email_address"}


def test_empty_page_has_null_cursors(shared: Served) -> None:
    body = shared.get(CHATS, **{"created_at.gt": "2030-01-01T00:00:00Z"}).json()
    assert body == {"data": [], "has_more": False, "first_id": None, "last_id": None}


@pytest.mark.parametrize("order_by", ["created_at", "updated_at"])
@pytest.mark.parametrize("limit", [1, 7, 60])
def test_walk_visits_every_chat_once_in_order(shared: Served, order_by: str, limit: int) -> None:
    items, _ = walk(shared, limit=limit, order_by=order_by)
    assert _ids(items) == _expected(shared, order_by)


def test_ties_are_broken_by_id(shared: Served) -> None:
    for order_by in ("created_at", "updated_at"):
        keys = [(item[order_by], item["id"]) for item in walk(shared, limit=3, order_by=order_by)[0]]
        stamps = [k[0] for k in keys]
        tied = [k for k in keys if stamps.count(k[0]) > 1]
        assert tied, f"the seeded org has {order_by} ties"
        assert tied == sorted(tied)


@pytest.mark.parametrize(
    ("limit", "status"),
    [("1", 200), ("1000", 200), ("0", 400), ("1001", 400), ("1500", 400), ("-3", 400), ("ten", 400)],
)
def test_limit_bounds(shared: Served, limit: str, status: int) -> None:
    response = shared.get(CHATS, limit=limit)
    assert response.status_code == status
    if status == 400:
        assert error_of(response) == (
            400,
            "invalid_request_error",
            f"The limit parameter must be between 1 and 1000, inclusive. Got {limit}.",
        )


def _cursor(served: Served, **params: Any) -> str:
    cursor = served.get(CHATS, limit=2, **params).json()["last_id"]
    assert cursor
    return str(cursor)


RULES = [
    # (params, what the message must mention)
    ({"updated_at.gte": "2026-01-01T00:00:00Z"}, "order_by=updated_at"),
    ({"order_by": "updated_at", "created_at.gte": "2026-01-01T00:00:00Z"}, "order_by=created_at"),
    ({"user_ids[]": "USER", "order_by": "updated_at"}, "user_ids[]"),
    ({"user_ids[]": "USER", "updated_at.gte": "2026-01-01T00:00:00Z"}, "user_ids[]"),
    ({"before_id": "CURSOR"}, "before_id"),
    ({"user_ids[]": "USER", "after_id": "CURSOR", "before_id": "CURSOR"}, "after_id"),
    ({"order_by": "updated_at", "after_id": "CURSOR"}, "order_by=created_at"),
    ({"after_id": "not-a-cursor"}, "after_id"),
    ({"user_ids[]": "USER", "before_id": "bm90IGpzb24="}, "before_id"),
    ({"order_by": "name"}, "order_by"),
    ({"user_ids": "USER"}, "user_ids[]"),
    ({"project_ids[]": "claude_proj_x"}, "project_ids[]"),
    ({"user_ids[]": [f"user_{i}" for i in range(11)]}, "between 1 and 10"),
]


@pytest.mark.parametrize(("params", "mentions"), RULES)
def test_documented_400_rules(shared: Served, params: dict[str, Any], mentions: str) -> None:
    user = shared.org.users[0].id
    cursor = _cursor(shared)
    filled = {k: (user if v == "USER" else cursor if v == "CURSOR" else v) for k, v in params.items()}
    status, kind, message = error_of(shared.get(CHATS, **filled))
    assert (status, kind) == (400, "invalid_request_error")
    assert mentions in message


def test_the_same_filters_are_fine_when_they_match_the_order(shared: Served) -> None:
    user = shared.org.users[0].id
    for params in (
        {"order_by": "updated_at", "updated_at.gte": "2026-01-01T00:00:00Z"},
        {"created_at.gte": "2026-01-01T00:00:00Z"},
        {"user_ids[]": user, "created_at.gte": "2026-01-01T00:00:00Z"},
        {"order_by": "updated_at", "after_id": _cursor(shared, order_by="updated_at")},
        {"user_ids[]": user, "before_id": _cursor(shared, **{"user_ids[]": user})},
    ):
        assert shared.get(CHATS, **params).status_code == 200, params


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01",
        "2024-01-01T00:00:00",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-01-01 00:00:00+00:00x",
        "1704067200",
    ],
)
def test_malformed_timestamp_gets_the_verbatim_message(shared: Served, value: str) -> None:
    assert error_of(shared.get(CHATS, **{"created_at.gte": value})) == (
        400,
        "invalid_request_error",
        "The `created_at.gte` parameter contains an invalid timestamp format. Timestamps must be provided "
        f'in RFC 3339 format e.g., "2024-03-01T00:00:00Z". Got "{value}".',
    )


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_time_bounds_are_exact(shared: Served, field: str) -> None:
    records = shared.org.ordered(field)[1]
    pivot = getattr(records[len(records) // 2], field)
    order = {"order_by": field}
    later = (
        (pivot + timedelta(hours=5)).astimezone(timezone(timedelta(hours=2))).isoformat()
    )  # any zone works
    cases = {
        "gte": lambda t: t >= pivot,
        "gt": lambda t: t > pivot,
        "lt": lambda t: t < pivot,
        "lte": lambda t: t <= pivot,
    }
    for op, keep in cases.items():
        items, _ = walk(shared, limit=50, **order, **{f"{field}.{op}": render(pivot)})
        assert _ids(items) == [c.id for c in records if keep(getattr(c, field))], op
    items, _ = walk(shared, limit=50, **order, **{f"{field}.gte": render(pivot), f"{field}.lt": later})
    window = [c.id for c in records if pivot <= getattr(c, field) < pivot + timedelta(hours=5)]
    assert window and _ids(items) == window


def test_user_filter_and_backwards_paging(shared: Served) -> None:
    users = shared.org.users
    mine = [c.id for c in shared.org.ordered("created_at")[1] if c.user.id == users[1].id]
    assert _ids(walk(shared, limit=2, **{"user_ids[]": users[1].id})[0]) == mine
    both = {users[1].id, users[2].id}
    items, last = walk(shared, limit=3, **{"user_ids[]": sorted(both)})
    assert {item["user"]["id"] for item in items} == both
    assert _ids(items) == [c.id for c in shared.org.ordered("created_at")[1] if c.user.id in both]
    # Walk back from the end with before_id: the same chats, newest page first, each page ascending.
    seen: list[str] = []
    cursor = last
    for _ in range(50):
        body = shared.get(CHATS, limit=3, before_id=cursor, **{"user_ids[]": sorted(both)}).json()
        seen = _ids(body["data"]) + seen
        if not body["has_more"]:
            break
        cursor = body["first_id"]
    assert seen == _ids(items)[:-1]


def test_unknown_user_lists_nothing(shared: Served) -> None:
    assert shared.get(CHATS, **{"user_ids[]": "user_01nobody"}).json()["data"] == []


def test_project_and_organization_filters(shared: Served) -> None:
    records = shared.org.ordered("created_at")[1]
    in_project = next(c for c in records if c.project_id)
    params = {"user_ids[]": in_project.user.id, "project_ids[]": in_project.project_id}
    items = shared.get(CHATS, **params).json()["data"]
    assert items and {item["project_id"] for item in items} == {in_project.project_id}
    for unit in shared.org.org_units:
        expected = [c.id for c in records if c.org.uuid == unit.uuid]
        assert expected
        for ident in (unit.uuid, unit.org_id):
            assert _ids(walk(shared, limit=25, **{"organization_ids[]": ident})[0]) == expected
    assert shared.get(CHATS, **{"organization_ids[]": "org_01unknown"}).json()["data"] == []


def test_soft_deleted_chats_are_listed_with_deleted_at(shared: Served) -> None:
    items = shared.get(CHATS, limit=1000).json()["data"]
    deleted = [item for item in items if item["deleted_at"]]
    assert len(deleted) == 3  # 5% of 60
    assert all(item["updated_at"] >= item["deleted_at"] for item in deleted)


def test_cursor_is_base64_json_of_a_position(shared: Served) -> None:
    body = shared.get(CHATS, limit=1, order_by="updated_at").json()
    doc = json.loads(base64.urlsafe_b64decode(body["last_id"]))
    assert doc == {"k": "updated_at", "t": body["data"][0]["updated_at"], "id": body["data"][0]["id"]}


def test_incremental_export_sees_changes_ahead_of_the_cursor(served: Served) -> None:
    first, cursor = walk(served, limit=4, order_by="updated_at")
    assert _ids(first) == _expected(served, "updated_at") and cursor
    assert walk(served, order_by="updated_at", after_id=cursor)[0] == []

    live = [item["id"] for item in first if item["deleted_at"] is None]
    visited, deleted, gone = live[3], live[5], live[6]
    new_message = served.org.append_message(visited, "user", "one more question about the rollout plan")
    served.org.soft_delete(deleted)
    served.org.hard_delete(gone)
    changed, cursor2 = walk(served, limit=1, order_by="updated_at", after_id=cursor)
    assert _ids(changed) == [visited, deleted]
    assert changed[1]["deleted_at"] == changed[1]["updated_at"]
    assert gone not in _ids(walk(served, limit=100)[0])
    assert walk(served, order_by="updated_at", after_id=cursor2)[0] == []
    messages = served.get(f"{CHATS}/{visited}/messages").json()["chat_messages"]
    assert messages[-1]["id"] == new_message
    assert messages[-1]["created_at"] == changed[0]["updated_at"]


def test_cursor_keeps_its_position_when_its_chat_moves(served: Served) -> None:
    page = served.get(CHATS, limit=6, order_by="updated_at").json()
    anchor = next(item["id"] for item in reversed(page["data"]) if item["deleted_at"] is None)
    cursor = page["data"][-1]["id"]
    before = _expected(served, "updated_at")
    served.org.append_message(anchor, "assistant", "noted")
    after = walk(served, limit=50, order_by="updated_at", after_id=page["last_id"])[0]
    assert _ids(after) == [*before[before.index(cursor) + 1 :], anchor]
