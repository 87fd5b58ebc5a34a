"""``GET /v1/compliance/activities``: content of the feed, paging both ways, filters, 400s, late rows."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from fetch.simulator import timestamps
from tests.fetch.simulator.conftest import MAX_PAGES, Served, error_of

FEED = "/v1/compliance/activities"
INVALID_AFTER = 'Invalid `after_id`. No activity found for `after_id` "activity_invalid123"'
SIGN_INS = ("sso_login_succeeded", "magic_link_login_succeeded")
COMMON = {"id", "created_at", "organization_id", "organization_uuid", "actor", "type"}


def _walk(served: Served, query: dict[str, Any], direction: str = "after_id") -> list[dict[str, Any]]:
    """Every activity of a walk following ``last_id`` (``after_id``) or ``first_id`` (``before_id``)."""
    items: list[dict[str, Any]] = []
    params = dict(query)
    cursor = params.pop(direction, None)
    for _ in range(MAX_PAGES):
        body = served.get(FEED, **params, **({direction: cursor} if cursor else {})).json()
        assert set(body) == {"data", "has_more", "first_id", "last_id"}
        items += body["data"] if direction == "after_id" else body["data"][::-1]
        cursor = (body["last_id"] if direction == "after_id" else body["first_id"]) or cursor
        if not body["has_more"]:
            return items
    raise AssertionError("the walk did not finish")


def _at(item: dict[str, Any]) -> datetime:
    moment = timestamps.parse(item["created_at"])
    assert moment is not None
    return moment


def _key(item: dict[str, Any]) -> tuple[datetime, str]:
    return (_at(item), item["id"])


def test_feed_content(shared: Served) -> None:
    items = _walk(shared, {"limit": 5000})
    chats = shared.org.ordered("created_at")[1]
    assert all(set(item) >= COMMON for item in items) and len({i["id"] for i in items}) == len(items)
    created = [i for i in items if i["type"] == "claude_chat_created"]
    assert sorted(i["claude_chat_id"] for i in created) == sorted(c.id for c in chats)
    assert len([i for i in items if i["type"] == "claude_chat_deleted"]) == sum(
        bool(c.deleted_at) for c in chats
    )
    files = [f["id"] for c in chats for m in c.messages for f in m["files"] or []]
    assert sorted(i["claude_file_id"] for i in items if i["type"] == "claude_file_uploaded") == sorted(files)
    for item in items:
        if item["type"] in (*SIGN_INS, "compliance_api_accessed"):
            assert item["organization_id"] is None and item["organization_uuid"] is None
        else:
            assert item["organization_id"].startswith("org_") and item["organization_uuid"]
        expected_actor = "api_actor" if item["type"] == "compliance_api_accessed" else "user_actor"
        assert item["actor"]["type"] == expected_actor
    api = next(i for i in items if i["type"] == "compliance_api_accessed")
    assert {"request_id", "request_method", "status_code", "url", "request_body"} <= set(api)
    assert {"claude_chat_viewed", *SIGN_INS} <= {i["type"] for i in items}
    sign_in = next(i for i in items if i["type"] == "sso_login_succeeded")
    assert (sign_in["auth_method"], sign_in["mfa_method"]) == ("sso", "not_used")


def test_feed_carries_no_chat_text(shared: Served) -> None:
    dump = json.dumps(_walk(shared, {"limit": 5000}), ensure_ascii=False)
    for chat in shared.org.ordered("created_at")[1]:
        assert chat.name not in dump
        for message in chat.messages:
            for block in message["content"]:
                if block["type"] == "text" and len(block["text"]) > 12:
                    assert block["text"] not in dump


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("direction", ["after_id", "before_id"])
def test_paging_both_orders_and_directions(shared: Served, order: str, direction: str) -> None:
    everything = sorted(_walk(shared, {"limit": 5000}), key=_key, reverse=order == "desc")
    assert shared.get(FEED, limit=5000).json()["data"] == sorted(everything, key=_key, reverse=True)
    if direction == "after_id":
        walked = _walk(shared, {"order": order, "limit": 37})
        assert walked == everything
    else:  # from the end of the sequence back to its start
        walked = _walk(shared, {"order": order, "limit": 37, "before_id": everything[-1]["id"]}, "before_id")
        assert walked[::-1] == everything[:-1]


def test_page_edges(shared: Served) -> None:
    everything = sorted(_walk(shared, {"limit": 5000}), key=_key)
    first = shared.get(FEED, order="asc", limit=3).json()
    assert [i["id"] for i in first["data"]] == [i["id"] for i in everything[:3]]
    assert (first["first_id"], first["last_id"], first["has_more"]) == (
        everything[0]["id"],
        everything[2]["id"],
        True,
    )
    assert len(shared.get(FEED).json()["data"]) == 100, "default limit"
    tail = shared.get(FEED, order="asc", after_id=everything[-2]["id"]).json()
    assert [i["id"] for i in tail["data"]] == [everything[-1]["id"]] and tail["has_more"] is False
    empty = shared.get(FEED, order="asc", after_id=everything[-1]["id"]).json()
    assert empty == {"data": [], "has_more": False, "first_id": None, "last_id": None}


def _in_org(uuid: str, item: dict[str, Any]) -> bool:
    return bool(item["organization_uuid"] == uuid)


def test_filters(shared: Served) -> None:
    everything = _walk(shared, {"limit": 5000})
    user_a, user_b = (u.id for u in shared.org.users[:2])
    looked, dropped = ["claude_chat_viewed", "sso_login_succeeded"], "claude_chat_created"
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({"activity_types[]": looked}, lambda i: i["type"] in looked),
        ({"exclude_activity_types[]": [dropped]}, lambda i: i["type"] != dropped),
        (
            {"actor_ids[]": [user_a], "user_ids[]": [user_b]},
            lambda i: i["actor"].get("user_id") in (user_a, user_b),
        ),
        ({"user_ids[]": [user_a]}, lambda i: i["actor"].get("user_id") == user_a),
    ]
    for unit in shared.org.org_units:
        in_unit = functools.partial(_in_org, unit.uuid)
        cases += [({"organization_ids[]": [ident]}, in_unit) for ident in (unit.org_id, unit.uuid)]
    middle = sorted(everything, key=_key)[len(everything) // 2]
    cases.append(({"created_at.gte": middle["created_at"]}, lambda i: _at(i) >= _at(middle)))
    cases.append(({"created_at.lt": middle["created_at"]}, lambda i: _at(i) < _at(middle)))
    for params, wanted in cases:
        expected = [i for i in everything if wanted(i)]
        assert 0 < len(expected) < len(everything), params
        assert _walk(shared, {"limit": 50, **params}) == expected, params
    assert _walk(shared, {"user_ids[]": ["user_01nobody"]}) == []


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"activity_types[]": "a", "exclude_activity_types[]": "b"}, "cannot be combined"),
        ({"after_id": "FIRST", "before_id": "FIRST"}, "Only one of"),
        ({"order": "sideways"}, "`order`"),
        ({"after_id": "activity_invalid123"}, INVALID_AFTER),
        ({"before_id": "nope"}, "Invalid `before_id`."),
        ({"limit": "5001"}, "The limit parameter must be between 1 and 5000, inclusive. Got 5001."),
        ({"limit": "0"}, "between 1 and 5000"),
        ({"created_at.gte": "2024-01-01"}, 'Got "2024-01-01".'),
        ({"activity_types": "claude_chat_created"}, "`activity_types[]`"),
    ],
)  # fmt: skip
def test_bad_parameters(shared: Served, params: dict[str, str], mentions: str) -> None:
    first = shared.get(FEED, limit=1).json()["first_id"]
    filled = {k: first if v == "FIRST" else v for k, v in params.items()}
    status, kind, message = error_of(shared.get(FEED, **filled))
    assert (status, kind) == (400, "invalid_request_error") and mentions in message


def test_late_arrival_is_skipped_by_the_cursor_and_found_by_an_overlap_window(served: Served) -> None:
    everything = _walk(served, {"order": "asc", "limit": 5000})
    last = everything[-1]
    assert _walk(served, {"order": "asc", "after_id": last["id"]}) == []
    late_at = timestamps.parse(everything[-5]["created_at"])
    assert late_at is not None
    user = served.org.users[0].id
    late = served.org.add_activity(
        "claude_chat_viewed", user, late_at + timedelta(microseconds=1), claude_chat_id="x"
    )
    assert _walk(served, {"order": "asc", "after_id": last["id"]}) == [], "behind the cursor: skipped"
    window = _walk(served, {"order": "asc", "created_at.gte": everything[-10]["created_at"]})
    assert late in [i["id"] for i in window]
    assert [i["id"] for i in window if i["id"] != late] == [i["id"] for i in everything[-10:]]


def test_mutations_record_activities(served: Served) -> None:
    live = [c for c in served.org.chats if c.deleted_at is None]
    user = served.org.users[1]
    served.org.append_message(live[0].id, "user", "one more")
    served.org.soft_delete(live[1].id)
    served.org.hard_delete(live[2].id)
    new_chat = served.org.add_chat(user.id, [("user", "hello")])
    outside = served.org.add_activity("user_logged_out", user.id, org=None)
    robot = served.org.add_activity("claude_chat_viewed", {"type": "api_actor", "api_key_id": "apikey_01x"})
    newest = served.get(FEED, limit=6).json()["data"][::-1]  # oldest of the six first
    assert [(i["type"], i.get("claude_chat_id")) for i in newest] == [
        ("claude_chat_updated", live[0].id),
        ("claude_chat_deleted", live[1].id),
        ("compliance_api_accessed", None),
        ("claude_chat_created", new_chat),
        ("user_logged_out", None),
        ("claude_chat_viewed", None),
    ]
    assert newest[2]["request_method"] == "DELETE" and newest[2]["url"].endswith(live[2].id)
    assert newest[4]["id"] == outside and newest[4]["organization_id"] is None
    assert newest[4]["actor"]["user_id"] == user.id and newest[4]["actor"]["email_address"] == user.email
    assert newest[5]["id"] == robot and newest[5]["organization_uuid"] is None
    assert newest[3]["organization_uuid"] == user_org(served, user.id)
    with pytest.raises(KeyError):
        served.org.add_activity("user_logged_out", user.id, org="org_01nothing")
    moved = served.org.add_activity("claude_chat_viewed", user.id, org=served.org.parent.org_id)
    assert served.get(FEED, limit=1).json()["data"][0]["id"] == moved
    with pytest.raises(KeyError):
        served.org.add_activity("user_logged_out", "user_01nobody")


def user_org(served: Served, user_id: str) -> str:
    """The org UUID a user belongs to."""
    record = served.org.user(user_id)
    assert record is not None
    return record.org_uuid
