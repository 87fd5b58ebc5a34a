"""The per-parent-org budget: headers, 429 with retry-after, sliding window, auth failures free."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from fetch.simulator import SimulatorServer, generate_org
from fetch.simulator.ratelimit import SlidingWindowLimiter
from tests.fetch.simulator.conftest import CHATS, KEY, ORGS, error_of

RATE_MESSAGE = (
    "Compliance API rate limit of {n} requests per minute per parent organization has been exceeded. "
    "Retry after the time indicated by the retry-after header. "
    "Quote the request-id response header when contacting Anthropic support."
)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited() -> Iterator[tuple[httpx.Client, FakeClock]]:
    """A server with a budget of 5 requests a minute on a hand-driven clock."""
    clock = FakeClock()
    server = SimulatorServer(
        generate_org(3, users=2, chats=4), api_key=KEY, rate_limit_per_minute=5, clock=clock
    )
    with server, httpx.Client(base_url=server.url, headers={"x-api-key": KEY}, timeout=10) as client:
        yield client, clock


def _remaining(response: httpx.Response) -> int:
    return int(response.headers["anthropic-ratelimit-requests-remaining"])


def test_sixth_request_in_a_minute_is_429(limited: tuple[httpx.Client, FakeClock]) -> None:
    client, clock = limited
    paths = [CHATS, ORGS, CHATS, "/nowhere", CHATS]  # every endpoint, and 404s, share one budget
    for expected_left, path in zip([4, 3, 2, 1, 0], paths, strict=True):
        response = client.get(path)
        assert response.headers["anthropic-ratelimit-requests-limit"] == "5"
        assert _remaining(response) == expected_left
        reset = datetime.fromisoformat(response.headers["anthropic-ratelimit-requests-reset"])
        assert reset.tzinfo is not None and reset > datetime(2020, 1, 1, tzinfo=UTC)
        clock.now += 1
    refused = client.get(CHATS)
    assert error_of(refused) == (429, "rate_limit_error", RATE_MESSAGE.format(n=5))
    assert refused.headers["retry-after"] == "55"  # the first request (t0) leaves the window at t0 + 60
    assert _remaining(refused) == 0 and refused.headers["request-id"]


def test_window_slides(limited: tuple[httpx.Client, FakeClock]) -> None:
    client, clock = limited
    start = clock.now
    for _ in range(5):
        assert client.get(ORGS).status_code == 200
        clock.now += 10
    clock.now = start + 59.5
    refused = client.get(ORGS)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    clock.now = start + 60
    assert client.get(ORGS).status_code == 200  # the oldest one left the window
    assert client.get(ORGS).status_code == 429  # refusals used no budget, but the window is full again
    clock.now = start + 70
    assert _remaining(client.get(ORGS)) == 0


def test_failed_auth_uses_no_budget(limited: tuple[httpx.Client, FakeClock]) -> None:
    client, _ = limited
    assert _remaining(client.get(ORGS)) == 4
    for _ in range(10):
        response = client.get(CHATS, headers={"x-api-key": "sk-ant-api01-wrong"})
        assert (
            response.status_code == 401 and "anthropic-ratelimit-requests-remaining" not in response.headers
        )
    assert _remaining(client.get(ORGS)) == 3


def test_disabled_limit_sends_no_headers() -> None:
    with SimulatorServer(
        generate_org(3, users=1, chats=1), api_key=KEY, rate_limit_per_minute=None
    ) as server:
        for _ in range(3):
            response = httpx.get(server.url + ORGS, headers={"x-api-key": KEY}, timeout=10)
            assert (
                response.status_code == 200 and "anthropic-ratelimit-requests-limit" not in response.headers
            )


@pytest.mark.parametrize("limit", [0, -1])
def test_limiter_needs_a_positive_budget(limit: int) -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit)


def test_limiter_keys_are_independent() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, clock=clock, wall=lambda: 1_800_000_000.0)
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]
    decision = limiter.check("b")
    assert decision.allowed and decision.remaining == 1
    assert decision.reset_at == datetime.fromtimestamp(1_800_000_060, UTC)
