"""The deliverer: per-writer progress and backoff, refused writers, one deliverer per writer, replay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from labels import (
    Backoff,
    Deliverer,
    FeedConfigError,
    FeedOutbox,
    FeedWriteError,
    JsonlFeedWriter,
    LabelRecord,
    LabelStore,
)
from labels.formats.base import FeedItem
from tests.labels.conftest import CANARY, record


class Flaky:
    """A writer that fails the next ``fail`` calls (retriable or refused), then takes everything."""

    def __init__(self, name: str, fail: int = 0, *, refuse: bool = False, crash: bool = False) -> None:
        self.name, self.fail, self.refuse, self.crash = name, fail, refuse, crash
        self.got: list[str] = []
        self.calls = 0
        self.closed = False

    def write(self, items: Sequence[FeedItem]) -> None:
        self.calls += 1
        if self.fail:
            self.fail -= 1
            if self.crash:
                raise RuntimeError(f"library said: {CANARY}")  # a message that could quote content
            cls = FeedConfigError if self.refuse else FeedWriteError
            raise cls(f"feed {self.name}: 127.0.0.1:6514 refused the connection", code="ECONNREFUSED")
        self.got += [item.record_id for item in items if isinstance(item, LabelRecord)]

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def deliverer(store: LabelStore, writers: list[Flaky], clock: Clock, **kw: object) -> Deliverer:
    return Deliverer(
        store,
        writers,
        batch=2,
        backoff=Backoff(initial=1, factor=2, cap=8),
        clock=clock,
        sleep=clock.sleep,
        **kw,
    )  # type: ignore[arg-type]


def commit(store: LabelStore, n: int, prefix: str = "claude_chat_") -> list[str]:
    batch = [record(f"{prefix}{i}", user=None) for i in range(n)]
    store.commit(batch)
    return [r.record_id for r in batch]


def test_a_failing_writer_waits_out_its_backoff_while_the_others_deliver(store: LabelStore) -> None:
    ids = commit(store, 5)
    good, bad, clock = Flaky("good"), Flaky("bad", fail=2), Clock()
    d = deliverer(store, [good, bad], clock)
    assert d.poll() == 5 and good.got == ids and bad.got == []
    assert d.poll() == 0 and bad.calls == 1  # in backoff: not even tried
    clock.now += 1.3
    assert d.poll() == 0 and bad.calls == 2  # the second failure doubles the wait
    (status,) = [s for s in store.feed_status(["bad"]) if s.writer == "bad"]
    assert status.failures == 2 and status.pending == 5 and "ECONNREFUSED" in (status.last_error or "")
    assert d.drain(wait_s=10) == 5 and bad.got == ids
    assert 2.0 <= clock.slept[0] <= 2.4  # 1 * 2**1, plus at most 20% jitter
    (status,) = [s for s in store.feed_status(["bad"]) if s.writer == "bad"]
    assert status.failures == 0 and status.pending == 0 and status.delivered == 5
    assert [(o.name, o.delivered, o.pending, o.failures) for o in d.outcomes()] == [
        ("good", 5, 0, 0),
        ("bad", 5, 0, 2),
    ]


def test_drain_gives_up_at_its_deadline_and_keeps_the_backlog(store: LabelStore) -> None:
    commit(store, 3)
    bad, clock = Flaky("bad", fail=100), Clock()
    d = deliverer(store, [bad], clock)
    assert d.drain(wait_s=5) == 0
    assert clock.now <= 5 and bad.calls >= 2
    (outcome,) = d.outcomes()
    assert outcome.pending == 3 and outcome.error and not outcome.refused
    assert store.undelivered("bad") == 3  # nothing acked: the next run sends them


def test_a_refused_writer_is_not_retried_in_this_process(store: LabelStore) -> None:
    commit(store, 2)
    bad, clock = Flaky("hec", fail=1, refuse=True), Clock()
    d = deliverer(store, [bad], clock)
    assert d.drain(wait_s=60) == 0 and bad.calls == 1 and clock.slept == []
    (outcome,) = d.outcomes()
    assert outcome.refused and outcome.pending == 2


def test_a_writer_bug_is_reported_by_type_only_and_stops_nothing(store: LabelStore) -> None:
    ids = commit(store, 2)
    buggy, good, clock = Flaky("buggy", fail=1, crash=True), Flaky("good"), Clock()
    d = deliverer(store, [buggy, good], clock)
    d.poll()
    assert good.got == ids
    (status,) = [s for s in store.feed_status() if s.writer == "buggy"]
    assert status.last_error == "writer_error: RuntimeError"
    assert CANARY not in json.dumps([vars(o) for o in d.outcomes()])


def test_one_process_delivers_to_a_writer_at_a_time(store: LabelStore, db_path: Path) -> None:
    ids = commit(store, 3)
    first, second = Flaky("siem"), Flaky("siem")
    with FeedOutbox(db_path) as other:
        a, b = deliverer(store, [first], Clock()), deliverer(other, [second], Clock())  # type: ignore[arg-type]
        assert a.poll() == 3
        late = commit(store, 1, prefix="late_")
        assert b.poll() == 0 and second.calls == 0
        (outcome,) = b.outcomes()
        assert outcome.busy and outcome.pending == 1
        a.close()
        assert first.closed
        assert b.poll() == 1 and second.got == late and first.got == ids
        b.close()


def test_replay_rewinds_one_writer_to_a_time(store: LabelStore, tmp_path: Path) -> None:
    first = commit(store, 3)
    feed = JsonlFeedWriter(tmp_path / "feed")
    d = Deliverer(store, [feed])
    d.poll()
    later = commit(store, 2, prefix="later_")
    d.poll()
    (created,) = {s.last_success_at for s in store.feed_status(["jsonl"])}
    assert created is not None
    assert store.rewind("jsonl", "2000-01-01T00:00:00Z") == 5  # everything again
    assert store.rewind("jsonl", "2999-01-01T00:00:00Z") == 0  # nothing that new
    d.poll()
    ids = [json.loads(line)["record_id"] for line in feed.path.read_text().splitlines()]
    assert ids == first + later + first + later  # duplicates carry the same ids
    assert store.undelivered("jsonl") == 0


def test_deliverer_refuses_duplicate_writer_names(store: LabelStore) -> None:
    with pytest.raises(ValueError, match="unique"):
        Deliverer(store, [Flaky("a"), Flaky("a")])
