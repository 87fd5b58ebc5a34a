"""Injected faults: per-chat failures, malformed bodies, a list that breaks, queued failures, latency."""

from __future__ import annotations

import json

import pytest

from fetch.simulator import Failure, Faults, generate_org
from fetch.simulator.server import App, Stats
from tests.fetch.simulator.conftest import CHATS, KEY, ORGS, Served, error_of, messages_path


@pytest.mark.parametrize(
    ("spec", "status", "kind", "should_retry"),
    [
        (500, 500, "api_error", None),
        (Failure(500, no_retry=True), 500, "api_error", "false"),
        (503, 503, "overloaded_error", None),
        (502, 502, "api_error", None),
        (529, 529, "overloaded_error", None),
        (404, 404, "not_found_error", None),
    ],
)
def test_fail_messages(
    served: Served, spec: int | Failure, status: int, kind: str, should_retry: str | None
) -> None:
    broken, fine = (c.id for c in served.org.chats[:2])
    served.faults.fail_messages[broken] = spec
    response = served.get(messages_path(broken))
    assert error_of(response)[:2] == (status, kind)
    assert response.headers.get("x-should-retry") == should_retry
    assert served.get(messages_path(fine)).status_code == 200
    del served.faults.fail_messages[broken]
    assert served.get(messages_path(broken)).status_code == 200


def test_malformed_messages_are_truncated_json(served: Served) -> None:
    chat_id = served.org.chats[1].id
    whole = served.get(messages_path(chat_id)).content
    served.faults.malformed_messages.add(chat_id)
    response = served.get(messages_path(chat_id))
    assert (
        response.status_code == 200
        and whole.startswith(response.content)
        and len(response.content) < len(whole)
    )
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    served.faults.malformed_messages.discard(chat_id)
    assert served.get(messages_path(chat_id)).content == whole


def test_list_fails_after_n_pages_until_cleared(served: Served) -> None:
    served.get(CHATS, limit=1)  # pages before the fault is set do not count
    served.faults.fail_list_after_pages = 2
    served.faults.fail_list_status = 503
    first = served.get(CHATS, limit=2).json()
    assert served.get(CHATS, limit=2, after_id=first["last_id"]).status_code == 200
    for _ in range(2):
        assert error_of(served.get(CHATS, limit=2))[:2] == (503, "overloaded_error")
    assert served.get(messages_path(served.org.chats[0].id)).status_code == 200, "only the list breaks"
    served.faults.fail_list_after_pages = None
    assert served.get(CHATS, limit=2).status_code == 200
    served.faults.fail_list_after_pages = 1
    served.faults.fail_list_status = Failure(500, no_retry=True)
    assert served.get(CHATS).status_code == 200
    broken = served.get(CHATS)
    assert broken.status_code == 500 and broken.headers["x-should-retry"] == "false"


def test_fail_next_applies_in_order_to_any_path(served: Served) -> None:
    served.faults.fail_next.extend([503, 429, Failure(500, no_retry=True)])
    first = served.get(ORGS)
    second = served.get(messages_path(served.org.chats[0].id))
    third = served.get(CHATS)
    assert [r.status_code for r in (first, second, third)] == [503, 429, 500]
    assert error_of(second)[1] == "rate_limit_error" and second.headers["retry-after"] == "1"
    assert third.headers["x-should-retry"] == "false"
    assert served.get(CHATS).status_code == 200 and served.faults.fail_next == []


def test_fail_next_waits_for_an_authenticated_request(served: Served) -> None:
    served.faults.fail_next.append(503)
    assert served.client.get(CHATS, headers={"x-api-key": "wrong"}).status_code == 401
    assert served.get(CHATS).status_code == 503


def test_latency_and_slow_s_go_through_the_sleep_hook() -> None:
    slept: list[float] = []
    faults = Faults()
    app = App(
        generate_org(1, users=1, chats=2), KEY, faults, None, Stats(), latency_s=0.25, sleep=slept.append
    )
    assert app.handle("GET", ORGS, {"x-api-key": KEY}).status == 200
    faults.slow_s = 1.5
    assert app.handle("GET", CHATS + "?limit=1", {"x-api-key": KEY}).status == 200
    assert app.handle("GET", CHATS, {"x-api-key": "nope"}).status == 401
    assert slept == [0.25, 1.75]


def test_clear_turns_everything_off() -> None:
    faults = Faults(
        fail_messages={"c": 500}, malformed_messages={"m"}, fail_list_after_pages=0, fail_next=[503]
    )
    assert faults.list_failure() is not None and faults.messages_failure("c") == Failure(500)
    faults.clear()
    assert faults.list_failure() is None and faults.messages_failure("c") is None
    assert not faults.is_malformed("m") and faults.take_next() is None


def test_clear_resets_every_new_fault_and_count() -> None:
    faults = Faults(
        invalid_json_messages={"a"},
        gone_messages={"b"},
        slow_messages={"c": 1.0},
        repeat_messages_cursor={"d"},
        list_body_fault=("invalid", 2),
        repeat_list_cursor=True,
        after_list_page=print,
        update_during_run={1: ["e"]},
        fail_attachments={"f": Failure(503, times=1)},
        corrupt_md5={"g"},
        cut_attachments={"h"},
        slow_s=2.0,
    )
    faults.storm_429(4)
    assert faults.attachment_failure("f") == Failure(503, times=1) and faults.attachment_failure("f") is None
    faults.clear()
    assert faults == Faults() and faults.storm_left == 0 and faults.take_list_body_fault() is None
    assert faults.messages_body_fault("a") is None and faults.attachment_failure("f") is None
    assert faults.list_page_served() == (1, 1)
