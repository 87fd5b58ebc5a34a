"""The fetch layer against the real simulator on a loopback port: real HTTP, real pagination."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from fetch import ComplianceClient, fetch_chat, iter_changed_chat_pages, iter_user_chat_pages, resolve_user
from fetch.errors import (
    AuthenticationError,
    ChatGoneError,
    MalformedResponseError,
    NoRetryServerError,
    RateLimitedError,
)
from tests.fetch.conftest import Sleeps

simulator = pytest.importorskip("fetch.simulator")

KEY = "sk-ant-api01-fetch-tests"
CHATS = 18


@dataclass
class Served:
    """A generated org, its server and its faults."""

    org: Any
    server: Any
    faults: Any


def _serve(rate_limit: int | None = None) -> Served:
    org = simulator.generate_org(11, users=4, chats=CHATS)
    faults = simulator.Faults()
    server = simulator.SimulatorServer(
        org, port=0, api_key=KEY, rate_limit_per_minute=rate_limit, faults=faults
    )
    server.start()
    return Served(org, server, faults)


@pytest.fixture
def served() -> Iterator[Served]:
    """A small org on a free loopback port, no rate limit."""
    s = _serve()
    try:
        yield s
    finally:
        s.server.stop()


def _client(served: Served, sleeps: Sleeps | None = None, key: str = KEY, **kw: Any) -> ComplianceClient:
    return ComplianceClient(
        served.server.url,
        key,
        timeout=10,
        connect_timeout=5,
        sleep=sleeps if sleeps is not None else Sleeps(),
        rng=random.Random(3),
        **kw,
    )


def test_walks_every_chat_and_every_message(served: Served) -> None:
    seen: list[str] = []
    with _client(served) as client:
        pages = list(iter_changed_chat_pages(client, page_size=5))
        assert len(pages) <= math.ceil(CHATS / 5) + 1
        for page in pages:
            for summary in page.data:
                seen.append(summary.id)
                chat = fetch_chat(client, summary.id, page_size=2)
                expected = served.org.chat(summary.id)
                assert [m.id for m in chat.chat_messages] == [m.id for m in expected.chat_messages]
                assert chat.updated_at == expected.updated_at and chat.name == expected.name
    assert sorted(seen) == sorted(c.id for c in served.org.chats)
    assert len(seen) == len(set(seen)) == CHATS


def test_incremental_resume_sees_only_what_changed(served: Served) -> None:
    with _client(served) as client:
        cursor = [p.last_id for p in iter_changed_chat_pages(client, page_size=7) if p.last_id][-1]
        changed = served.org.chats[2].id
        served.org.append_message(changed, "user", "one more question")
        pages = list(iter_changed_chat_pages(client, after_id=cursor))
        assert [c.id for p in pages for c in p.data] == [changed]
        again = list(iter_changed_chat_pages(client, after_id=pages[-1].last_id))
    assert [c.id for p in again for c in p.data] == []
    assert again[-1].last_id is None  # the caller keeps its cursor


def test_since_filters_on_updated_at(served: Served) -> None:
    newest = max(c.updated_at for c in served.org.chats)
    with _client(served) as client:
        pages = list(iter_changed_chat_pages(client, since=newest - timedelta(seconds=1)))
    found = [c for p in pages for c in p.data]
    assert found and all(c.updated_at >= newest - timedelta(seconds=1) for c in found)
    assert len(found) < CHATS


def test_until_bounds_the_walk_even_from_a_cursor(served: Served) -> None:
    ordered = sorted(served.org.chats, key=lambda c: (c.updated_at, c.id))
    until = ordered[-3].updated_at  # the last three (or more, on ties) lie at or past the bound
    with _client(served) as client:
        first = next(iter_changed_chat_pages(client, page_size=2, until=until))
        rest = list(iter_changed_chat_pages(client, after_id=first.last_id, until=until))
    found = [c.id for c in first.data] + [c.id for p in rest for c in p.data]
    assert found == [c.id for c in ordered if c.updated_at < until]
    assert len(found) <= CHATS - 3


def test_one_user_by_email(served: Served) -> None:
    user = next(u for u in served.org.users if any(c.user and c.user.id == u.id for c in served.org.chats))
    with _client(served) as client:
        resolved = resolve_user(client, f"  {user.email.upper()} ")
        pages = list(iter_user_chat_pages(client, resolved.id, page_size=2))
    assert resolved.id == user.id
    expected = sorted(c.id for c in served.org.chats if c.user and c.user.id == user.id)
    assert sorted(c.id for p in pages for c in p.data) == expected


def test_faults_map_to_the_error_tree(served: Served) -> None:
    first, second, third = (c.id for c in served.org.chats[:3])
    served.faults.fail_messages[first] = simulator.Failure(500, no_retry=True)
    served.faults.malformed_messages.add(second)
    served.org.hard_delete(third)
    with _client(served) as client:
        with pytest.raises(NoRetryServerError):
            fetch_chat(client, first)
        assert client.stats.retries == 0
        with pytest.raises(MalformedResponseError):
            fetch_chat(client, second)
        with pytest.raises(ChatGoneError):
            fetch_chat(client, third)


def test_transient_failures_are_retried(served: Served) -> None:
    sleeps = Sleeps()
    served.faults.fail_next.extend([503, 429])
    with _client(served, sleeps) as client:
        pages = list(iter_changed_chat_pages(client, page_size=100))
    assert len(pages[0].data) == CHATS and len(sleeps) == 2


def test_wrong_key_is_refused(served: Served) -> None:
    with _client(served, key="sk-ant-api01-wrong") as client, pytest.raises(AuthenticationError):
        next(iter_changed_chat_pages(client))


def test_rate_limit_gives_retry_after() -> None:
    limited = _serve(rate_limit=2)
    sleeps = Sleeps()
    try:
        with _client(limited, sleeps, max_retries=1) as client, pytest.raises(RateLimitedError) as info:
            for _ in range(4):
                next(iter_changed_chat_pages(client, page_size=1))
    finally:
        limited.server.stop()
    assert info.value.retry_after is not None and info.value.retry_after > 0
    assert sleeps and sleeps[0] >= info.value.retry_after
