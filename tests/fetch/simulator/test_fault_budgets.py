"""Failures that stop after N requests, 5xx types and retry hints, and 429 storms."""

from __future__ import annotations

import httpx
import pytest

from fetch.simulator import Failure, Faults, SimulatorServer, generate_org
from tests.fetch.simulator.conftest import CHATS, ORGS, Served, error_of, messages_path, serving
from tests.fetch.simulator.test_ratelimit import FakeClock

RATE_HEADERS = (
    "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-requests-reset",
)


def _statuses(served: Served, path: str, count: int) -> list[int]:
    return [served.get(path).status_code for _ in range(count)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (Failure(503, times=2), [503, 503, 200, 200]),
        (Failure(500, times=1), [500, 200, 200, 200]),
        (Failure(502, times=0), [200, 200, 200, 200]),
        (Failure(529), [529, 529, 529, 529]),  # no times: always
        (504, [504, 504, 504, 504]),
    ],
)
def test_fail_messages_times(served: Served, spec: int | Failure, expected: list[int]) -> None:
    chat_id = served.org.chats[0].id
    served.faults.fail_messages[chat_id] = spec
    assert _statuses(served, messages_path(chat_id), 4) == expected
    assert served.get(messages_path(served.org.chats[1].id)).status_code == 200, "other chats are untouched"


def test_a_new_failure_object_restarts_the_budget(served: Served) -> None:
    chat_id = served.org.chats[0].id
    served.faults.fail_messages[chat_id] = Failure(503, times=1)
    assert _statuses(served, messages_path(chat_id), 2) == [503, 200]
    served.faults.fail_messages[chat_id] = Failure(503, times=1)
    assert _statuses(served, messages_path(chat_id), 2) == [503, 200]
    assert served.server.stats.injected["fail_messages"] == 2


def test_list_failure_times_then_the_walk_goes_on(served: Served) -> None:
    served.faults.fail_list_after_pages = 1
    served.faults.fail_list_status = Failure(500, no_retry=True, times=2)
    first = served.get(CHATS, limit=2)
    assert first.status_code == 200
    for _ in range(2):
        broken = served.get(CHATS, limit=2, after_id=first.json()["last_id"])
        assert broken.status_code == 500 and broken.headers["x-should-retry"] == "false"
    assert served.get(CHATS, limit=2, after_id=first.json()["last_id"]).status_code == 200


def test_fail_next_entries_with_times(served: Served) -> None:
    served.faults.fail_next.extend([Failure(503, times=2), 500, Failure(529, times=1)])
    assert _statuses(served, ORGS, 5) == [503, 503, 500, 529, 200]
    assert served.faults.fail_next == []
    assert served.server.stats.injected["fail_next"] == 4


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, "api_error"),
        (502, "api_error"),
        (503, "overloaded_error"),
        (504, "timeout_error"),
        (529, "overloaded_error"),
    ],
)
@pytest.mark.parametrize("no_retry", [False, True])
def test_server_errors_have_their_type_and_retry_hint(
    served: Served, status: int, kind: str, no_retry: bool
) -> None:
    served.faults.fail_next.append(Failure(status, no_retry=no_retry))
    response = served.get(messages_path(served.org.chats[0].id))
    assert error_of(response)[:2] == (status, kind)
    assert response.headers.get("x-should-retry") == ("false" if no_retry else None)
    assert response.headers["request-id"].startswith("req_")


def test_storm_refuses_n_requests_whatever_the_limiter_says(served: Served) -> None:
    served.faults.storm_429(3, retry_after=7)
    for path in (CHATS, ORGS, messages_path(served.org.chats[0].id)):
        response = served.get(path)
        assert error_of(response)[:2] == (429, "rate_limit_error")
        assert response.headers["retry-after"] == "7"
        assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"
        assert all(name in response.headers for name in RATE_HEADERS)
    assert served.faults.storm_left == 0
    assert served.get(CHATS).status_code == 200, "the storm is over after N"
    assert served.server.stats.injected == {"storm_429": 3}
    assert served.server.stats.by_status == {429: 3, 200: 1}


def test_storm_skips_unauthenticated_requests_and_uses_no_quota() -> None:
    clock = FakeClock()
    org = generate_org(3, users=2, chats=4)
    with serving(org, rate_limit_per_minute=3, clock=clock) as served:
        served.faults.storm_429(2)
        assert served.client.get(CHATS, headers={"x-api-key": "wrong"}).status_code == 401
        assert _statuses(served, CHATS, 2) == [429, 429]
        statuses = _statuses(served, CHATS, 4)
        assert statuses == [200, 200, 200, 429], "the storm used none of the 3-a-minute budget"


def test_storm_and_clear() -> None:
    faults = Faults()
    faults.storm_429(5)
    assert faults.take_storm() == 1 and faults.storm_left == 4
    faults.clear()
    assert faults.take_storm() is None
    with pytest.raises(ValueError):
        faults.storm_429(-1)


def test_storm_without_a_limiter_still_sends_rate_headers() -> None:
    org = generate_org(3, users=2, chats=4)
    with SimulatorServer(org, api_key="k", rate_limit_per_minute=None) as server:
        server.faults.storm_429(1)
        response = httpx.get(server.url + CHATS, headers={"x-api-key": "k"}, timeout=10)
        assert response.status_code == 429
        assert response.headers["anthropic-ratelimit-requests-limit"] == "600"
