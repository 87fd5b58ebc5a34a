"""The Activity Feed walk: parameters, cursor paging, loops, caps, the model's extras and privacy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from fetch import ACTIVITIES_PATH, Activity, iter_activity_pages
from fetch.errors import FetchConfigError, MalformedResponseError, PageCapError, PaginationLoopError
from tests.fetch.conftest import Script, make_client, ok, params_of

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _activity(n: int, kind: str = "claude_chat_created") -> dict[str, Any]:
    return {
        "id": f"activity_{n:04d}",
        "created_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "organization_id": "org_01Wv6QeBcDfGhJkLmNpQrSt8",
        "organization_uuid": "abcdef01-2345-6789-abcd-ef0123456789",
        "actor": {"type": "user_actor", "email_address": "priya@example.com", "user_id": "user_01",
                  "ip_address": "192.0.2.34", "user_agent": "Mozilla/5.0"},
        "type": kind,
        "claude_chat_id": f"claude_chat_{n:04d}",
    }  # fmt: skip


@dataclass
class FakeActivityApi:
    """An activities endpoint over a fixed list, ``after_id`` relative to ``order``, type filter."""

    activities: list[dict[str, Any]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert len(self.requests) <= 50, "the walk must be bounded"
        assert request.url.path == ACTIVITIES_PATH
        params = request.url.params
        items = sorted(self.activities, key=lambda a: (a["created_at"], a["id"]))
        if params.get("order", "desc") == "desc":
            items.reverse()
        if "activity_types[]" in params:
            items = [a for a in items if a["type"] in params.get_list("activity_types[]")]
        if "created_at.gte" in params:
            items = [a for a in items if a["created_at"] >= params["created_at.gte"]]
        if "created_at.lt" in params:
            items = [a for a in items if a["created_at"] < params["created_at.lt"]]
        ids = [a["id"] for a in items]
        start = ids.index(params["after_id"]) + 1 if "after_id" in params else 0
        limit = int(params.get("limit", 100))
        chunk = items[start : start + limit]
        return ok(
            {
                "data": chunk,
                "has_more": start + limit < len(items),
                "first_id": chunk[0]["id"] if chunk else None,
                "last_id": chunk[-1]["id"] if chunk else None,
            }
        )


def test_walks_every_page_oldest_first_with_after_id() -> None:
    api = FakeActivityApi([_activity(n) for n in range(7)])
    with make_client(api) as client:
        pages = list(iter_activity_pages(client, page_size=3))
    assert [len(p.data) for p in pages] == [3, 3, 1]
    assert [a.id for p in pages for a in p.data] == [f"activity_{n:04d}" for n in range(7)]
    sent = [dict(params_of(r)) for r in api.requests]
    assert [s.get("after_id") for s in sent] == [None, "activity_0002", "activity_0005"]
    assert all(s["order"] == "asc" and s["limit"] == "3" for s in sent)
    assert pages[-1].last_id == "activity_0006" and not pages[-1].has_more


def test_filters_become_query_parameters() -> None:
    api = FakeActivityApi(
        [_activity(n, "claude_chat_created" if n % 2 else "claude_file_uploaded") for n in range(10)]
    )
    gte = T0 + timedelta(minutes=2)
    lt = datetime(2026, 5, 1, 14, 8, tzinfo=timezone(timedelta(hours=2)))  # 12:08 UTC
    with make_client(api) as client:
        pages = list(
            iter_activity_pages(
                client,
                created_gte=gte,
                created_lt=lt,
                order="desc",
                types=["claude_chat_created", " claude_chat_created"],
            )
        )
    sent = params_of(api.requests[0])
    assert ("created_at.gte", "2026-05-01T12:02:00Z") in sent
    assert ("created_at.lt", "2026-05-01T12:08:00Z") in sent
    assert [v for k, v in sent if k == "activity_types[]"] == ["claude_chat_created"]  # deduplicated
    assert ("order", "desc") in sent and ("limit", "1000") in sent
    assert [a.id for a in pages[0].data] == ["activity_0007", "activity_0005", "activity_0003"]


def test_resumes_from_a_stored_cursor() -> None:
    api = FakeActivityApi([_activity(n) for n in range(5)])
    with make_client(api) as client:
        pages = list(iter_activity_pages(client, after_id="activity_0002"))
    assert [a.id for a in pages[0].data] == ["activity_0003", "activity_0004"]


def test_an_empty_feed_is_one_empty_page() -> None:
    api = FakeActivityApi([])
    with make_client(api) as client:
        pages = list(iter_activity_pages(client))
    assert len(pages) == 1 and pages[0].data == [] and pages[0].last_id is None


def test_a_repeated_cursor_is_a_loop_not_an_endless_walk() -> None:
    page = ok({"data": [_activity(1)], "has_more": True, "first_id": "x", "last_id": "activity_0001"})
    with make_client(Script([page, page])) as client, pytest.raises(PaginationLoopError):
        list(iter_activity_pages(client))


def test_the_page_cap_stops_a_runaway_feed() -> None:
    api = FakeActivityApi([_activity(n) for n in range(10)])
    with make_client(api) as client, pytest.raises(PageCapError):
        list(iter_activity_pages(client, page_size=2, max_pages=3))
    assert len(api.requests) == 3


def test_unknown_types_and_extra_fields_are_kept() -> None:
    record = {**_activity(1, "platform_dream_created"), "brand_new_field": {"nested": True}}
    del record["organization_id"], record["organization_uuid"]
    page = ok({"data": [record], "has_more": False, "first_id": "a", "last_id": "a"})
    with make_client(Script([page])) as client:
        (activity,) = next(iter_activity_pages(client)).data
    assert activity.type == "platform_dream_created" and activity.organization_id is None
    assert activity.model_extra == {"claude_chat_id": "claude_chat_0001", "brand_new_field": {"nested": True}}
    assert activity.created_at == T0 + timedelta(minutes=1)
    assert activity.actor["user_id"] == "user_01"


def test_repr_hides_the_actor_and_type_specific_fields() -> None:
    activity = Activity.model_validate({**_activity(1), "invitee_email": "someone@example.com"})
    text = repr(activity)
    assert "activity_0001" in text and "claude_chat_created" in text
    assert "priya@example.com" not in text and "192.0.2.34" not in text and "someone@" not in text


@pytest.mark.parametrize(
    "record",
    [
        {"created_at": "2026-05-01T12:00:00Z", "type": "x", "actor": {}},  # no id
        {"id": "activity_1", "type": "x", "actor": {}},  # no created_at
        {"id": "activity_1", "created_at": "yesterday", "type": "x", "actor": {}},
        {"id": "activity_1", "created_at": "2026-05-01T12:00:00Z", "actor": {}},  # no type
        {"id": "activity_1", "created_at": "2026-05-01T12:00:00Z", "type": "x", "actor": "priya@example.com"},
    ],
)
def test_a_broken_record_is_a_malformed_page_that_never_echoes_input(record: dict[str, Any]) -> None:
    page = ok({"data": [record], "has_more": False})
    with make_client(Script([page])) as client, pytest.raises(MalformedResponseError) as info:
        list(iter_activity_pages(client))
    assert "priya" not in str(info.value) and "yesterday" not in str(info.value)
    assert info.value.path_template == ACTIVITIES_PATH


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"page_size": 0}, "bad_page_size"),
        ({"page_size": 5001}, "bad_page_size"),
        ({"page_size": True}, "bad_page_size"),
        ({"order": "sideways"}, "bad_order"),
        ({"types": "claude_chat_created"}, "bad_activity_types"),
        ({"types": ["ok", ""]}, "bad_activity_types"),
        ({"created_gte": T0, "created_lt": T0}, "bad_time_window"),
        ({"created_gte": T0 + timedelta(microseconds=1), "created_lt": T0}, "bad_time_window"),
        ({"max_pages": 0}, "bad_max_pages"),
    ],
)
def test_bad_arguments_fail_before_any_request(kwargs: dict[str, Any], code: str) -> None:
    script = Script([])
    with make_client(script) as client, pytest.raises(FetchConfigError) as info:
        list(iter_activity_pages(client, **kwargs))
    assert info.value.code == code and script.requests == []


def test_the_largest_documented_page_size_is_allowed() -> None:
    api = FakeActivityApi([_activity(1)])
    with make_client(api) as client:
        list(
            iter_activity_pages(
                client, page_size=5000, created_gte=T0, created_lt=T0 + timedelta(microseconds=1)
            )
        )
    assert ("limit", "5000") in params_of(api.requests[0])
