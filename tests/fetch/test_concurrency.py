"""Real threads, one shared client, the real simulator enforcing its limit: no 429s, budget binding.

The simulator's limiter runs on a clock that goes ``SCALE`` times faster than real time, so its
60 s window lasts ``WINDOW_S`` real seconds; the client's budget uses the same real-time window.
The whole file waits about one real second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from fetch import ComplianceClient, RequestBudget, fetch_chat
from fetch.errors import RateLimitedError

simulator = pytest.importorskip("fetch.simulator")

KEY = "sk-ant-api01-concurrency-tests"
WINDOW_S = 0.4
SCALE = 60.0 / WINDOW_S
LIMIT = 16  # per window, at the server
THREADS = 8
CHATS = 32  # two requests per thread per window at most: the budget, not latency, sets the pace


class ScaledClock:
    """A monotonic clock running ``SCALE`` times fast, which the test can freeze."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: float | None = None

    def __call__(self) -> float:
        with self._lock:
            return self._frozen if self._frozen is not None else time.monotonic() * SCALE

    def freeze(self) -> None:
        """Stop the clock: the server's window stops sliding."""
        with self._lock:
            self._frozen = time.monotonic() * SCALE


@pytest.fixture
def limited() -> Iterator[tuple[Any, ScaledClock]]:
    """A simulator enforcing LIMIT requests per (scaled) minute."""
    clock = ScaledClock()
    org = simulator.generate_org(17, users=4, chats=CHATS)
    with simulator.SimulatorServer(org, api_key=KEY, rate_limit_per_minute=LIMIT, clock=clock) as server:
        yield server, clock


def _client(server: Any, budget: RequestBudget | None, **kw: Any) -> ComplianceClient:
    return ComplianceClient(
        server.url, KEY, timeout=10, connect_timeout=5, budget=budget, max_connections=THREADS, **kw
    )


def test_eight_threads_share_one_budget_and_get_no_429(limited: tuple[Any, ScaledClock]) -> None:
    server, clock = limited
    # 12 of the 16 slots, and a slot stays busy a fifth of a window longer than at the server:
    # a loaded two-core machine delays some requests by tens of milliseconds.
    budget = RequestBudget(LIMIT, fraction=0.75, window_s=WINDOW_S, guard_s=WINDOW_S / 5)
    chat_ids = [c.id for c in server.org.chats]
    with _client(server, budget, max_retries=0) as client, ThreadPoolExecutor(THREADS) as pool:
        chats = list(pool.map(lambda chat_id: fetch_chat(client, chat_id, page_size=None), chat_ids))
        stats = client.stats_snapshot()
    assert [c.id for c in chats] == chat_ids
    assert all(c.chat_messages == server.org.chat(c.id).chat_messages for c in chats)
    assert server.stats.by_status == {200: CHATS}  # the server enforced its limit and never had to refuse
    assert stats.by_status == {200: CHATS} and stats.requests == CHATS and stats.retries == 0
    assert budget.stats.admitted == CHATS and budget.stats.limit == LIMIT
    assert budget.stats.waits > 0 and stats.throttled_s > 0  # the budget, not latency, set the pace

    # Control: the same server refuses a client with no budget (its window is frozen, so this is exact).
    clock.freeze()
    refused = 0
    with _client(server, None, max_retries=0) as bare:
        for chat_id in chat_ids[: LIMIT + 4]:
            try:
                fetch_chat(bare, chat_id, page_size=None)
            except RateLimitedError:
                refused += 1
    assert refused >= 4 and server.stats.by_status[429] == refused


def test_the_server_limit_header_lowers_a_generous_budget(limited: tuple[Any, ScaledClock]) -> None:
    server, _ = limited
    budget = RequestBudget(600)
    with _client(server, budget) as client:
        fetch_chat(client, server.org.chats[0].id, page_size=None)
    assert (budget.limit, budget.capacity) == (LIMIT, 15)
