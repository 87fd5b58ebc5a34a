"""Latency is slept concurrently: one thread per connection, no shared lock held while waiting."""

from __future__ import annotations

import threading

import httpx

from fetch.simulator import generate_org
from tests.fetch.simulator.conftest import CHATS, KEY, messages_path, serving

CLIENTS = 8


def test_latency_sleeps_overlap_across_connections() -> None:
    # Every latency sleep waits until all CLIENTS requests are sleeping at once; a server that
    # served one request at a time, or slept under a lock, would break the barrier.
    barrier = threading.Barrier(CLIENTS, timeout=20)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        barrier.wait()

    org = generate_org(6, users=3, chats=12)
    statuses: list[int] = []
    with serving(org, rate_limit_per_minute=None, latency_s=0.05, sleep=sleep) as served:
        chat_ids = [c.id for c in org.chats]

        def client(i: int) -> None:
            with httpx.Client(base_url=served.server.url, headers={"x-api-key": KEY}, timeout=30) as http:
                for round_ in range(3):
                    path = CHATS if (i + round_) % 2 else messages_path(chat_ids[i % len(chat_ids)])
                    statuses.append(http.get(path).status_code)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
        assert served.server.latency_s == 0.05
    assert statuses == [200] * CLIENTS * 3 and not barrier.broken
    assert slept == [0.05] * CLIENTS * 3


def test_latency_can_change_while_serving() -> None:
    slept: list[float] = []
    with serving(generate_org(6, users=1, chats=2), rate_limit_per_minute=None, sleep=slept.append) as served:
        served.get(CHATS)
        served.server.latency_s = 0.2
        served.faults.slow_s = 0.1
        served.get(CHATS)
    assert slept == [0.2 + 0.1]
