"""ComplianceClient with a RequestBudget: pacing every attempt, learning from headers, pausing on 429."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fetch import ComplianceClient, RequestBudget
from fetch.errors import FetchConfigError, NoRetryServerError, NotFoundError, RateLimitedError, ServerError
from fetch.ratelimit import LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER
from tests.fetch.conftest import API_KEY, BASE_URL, FakeTime, Script, err, make_client, ok

CHATS = "/v1/compliance/apps/chats"
EMPTY = {"data": [], "has_more": False, "first_id": None, "last_id": None}


def _paced(
    script: Script, fake: FakeTime, per_minute: int = 10, **kw: Any
) -> tuple[ComplianceClient, RequestBudget]:
    budget = RequestBudget(per_minute, fraction=1.0, clock=fake.clock, wall=fake.wall, sleep=fake.sleep)
    return make_client(script, fake.sleep, budget=budget, **kw), budget  # type: ignore[arg-type]


def test_every_attempt_is_paced_retries_included() -> None:
    fake = FakeTime()
    script = Script([err(503), err(503), ok(EMPTY)])
    client, budget = _paced(script, fake)
    with client:
        client.get_json(CHATS)
    assert budget.stats.admitted == 3 == client.stats.requests
    assert client.stats.by_status == {503: 2, 200: 1}


def test_waiting_for_the_budget_is_counted_as_throttled() -> None:
    fake = FakeTime()
    client, budget = _paced(Script([ok(EMPTY)] * 3), fake, per_minute=2)
    with client:
        for _ in range(3):
            client.get_json(CHATS)
    assert client.stats.throttled_s == pytest.approx(60.25) == budget.stats.waited_s
    assert client.stats.retries == 0


def test_every_answer_is_observed_errors_included() -> None:
    fake = FakeTime()
    reset = "2099-01-01T00:00:00Z"
    refused = err(404, "not_found_error", **{LIMIT_HEADER: "50", REMAINING_HEADER: "0", RESET_HEADER: reset})
    client, budget = _paced(Script([ok(EMPTY, **{LIMIT_HEADER: "100"}), refused, ok(EMPTY)]), fake, 600)
    with client:
        client.get_json(CHATS)
        assert budget.limit == 100
        with pytest.raises(NotFoundError):
            client.get_json(CHATS)
        assert budget.limit == 50
        client.get_json(CHATS)
    assert client.stats.throttled_s == pytest.approx(60.25)  # remaining 0: held (a window at most)


def test_429_pauses_the_budget_and_the_retry_still_backs_off() -> None:
    fake = FakeTime()
    script = Script([err(429, "rate_limit_error", retry_after="7"), ok(EMPTY)])
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        fake.sleep(seconds)

    budget = RequestBudget(10, clock=fake.clock, wall=fake.wall, sleep=fake.sleep)
    with make_client(script, sleep, budget=budget) as client:  # type: ignore[arg-type]
        client.get_json(CHATS)
    assert budget.stats.pauses == 1
    assert sleeps and sleeps[0] >= 7  # the retry's own wait honours retry-after ...
    assert client.stats.throttled_s == 0  # ... and the pause it set does not make it wait twice


def test_a_429_pause_holds_other_callers_too() -> None:
    fake = FakeTime()
    script = Script([err(429, "rate_limit_error", retry_after="30", x_should_retry="false"), ok(EMPTY)])
    client, budget = _paced(script, fake)
    with client:
        with pytest.raises(RateLimitedError):
            client.get_json(CHATS)  # not retried: x-should-retry false is respected
        assert len(script.requests) == 1
        client.get_json(CHATS)  # another caller, after the refusal
    assert client.stats.throttled_s == pytest.approx(30)
    assert budget.stats.pauses == 1


def test_a_429_without_retry_after_pauses_for_the_backoff_base() -> None:
    fake = FakeTime()
    script = Script([err(429, "rate_limit_error"), ok(EMPTY)])
    client, _ = _paced(script, fake, max_retries=0, backoff_base=2.0)
    with client:
        with pytest.raises(RateLimitedError):
            client.get_json(CHATS)
        client.get_json(CHATS)
    assert client.stats.throttled_s == pytest.approx(2.0)


def test_without_a_budget_nothing_is_paced() -> None:
    script = Script([ok(EMPTY, **{LIMIT_HEADER: "1", REMAINING_HEADER: "0"})] * 3)
    with make_client(script) as client:
        for _ in range(3):
            client.get_json(CHATS)
        assert client.budget is None
    assert client.stats.throttled_s == 0 and client.stats.requests == 3


def test_stats_snapshot_is_a_copy() -> None:
    with make_client(Script([ok(EMPTY), err(500, x_should_retry="false")])) as client:
        client.get_json(CHATS)
        snapshot = client.stats_snapshot()
        with pytest.raises(NoRetryServerError):
            client.get_json(CHATS)
    assert snapshot.by_status == {200: 1} and snapshot.requests == 1
    assert client.stats.by_status == {200: 1, 500: 1}


@pytest.mark.parametrize("value", [0, -1, True, 2.5])
def test_max_connections_must_be_a_positive_count(value: Any) -> None:
    with pytest.raises(FetchConfigError) as info:
        ComplianceClient(BASE_URL, API_KEY, max_connections=value)
    assert info.value.code == "bad_max_connections"


def test_the_pool_allows_max_connections() -> None:
    client = ComplianceClient(BASE_URL, API_KEY, max_connections=16)
    with client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 16 and pool._max_keepalive_connections == 16


def test_server_errors_still_raise_after_retries_with_a_budget() -> None:
    fake = FakeTime()
    client, budget = _paced(Script([err(502)] * 3), fake, max_retries=2)
    with client, pytest.raises(ServerError):
        client.get_json(CHATS)
    assert budget.stats.admitted == 3


def test_a_transport_failure_mid_stream_is_retried() -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"data": ['
            raise httpx.ReadError("connection reset")

    script = Script([httpx.Response(200, stream=Broken()), ok(EMPTY)])
    with make_client(script) as client:
        assert client.get_json(CHATS)["data"] == []
    assert client.stats.transport_errors == 1 and client.stats.retries == 1
