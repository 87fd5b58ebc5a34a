"""RequestBudget on a fake clock: the sliding window, server headers, pauses, hostile values, threads."""

from __future__ import annotations

import itertools
import math
import threading
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fetch.errors import FetchConfigError
from fetch.ratelimit import LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER, RequestBudget
from fetch.retry import RETRY_AFTER_CAP
from tests.fetch.conftest import FakeTime


def _budget(fake: FakeTime, per_minute: int = 10, **kw: Any) -> RequestBudget:
    kw.setdefault("fraction", 1.0)
    kw.setdefault("guard_s", 0.5)
    return RequestBudget(per_minute, clock=fake.clock, wall=fake.wall, sleep=fake.sleep, **kw)


def _reset_in(fake: FakeTime, seconds: float) -> str:
    return datetime.fromtimestamp(fake.wall() + seconds, UTC).isoformat().replace("+00:00", "Z")


def _most_in_any_window(times: list[float], span: float) -> int:
    """The largest number of ``times`` in any half-open window (t - span, t]."""
    ordered = sorted(times)
    return max((i + 1 - bisect_right(ordered, t - span) for i, t in enumerate(ordered)), default=0)


@pytest.mark.parametrize(
    ("per_minute", "fraction", "capacity"),
    [(600, 0.98, 588), (600, 1.0, 600), (10, 0.5, 5), (1, 0.5, 1), (3, 0.01, 1)],
)
def test_capacity_is_the_fraction_of_the_limit(per_minute: int, fraction: float, capacity: int) -> None:
    budget = RequestBudget(per_minute, fraction=fraction)
    assert budget.capacity == capacity and budget.limit == per_minute


@pytest.mark.parametrize(
    "kwargs",
    [
        {"per_minute": 0},
        {"per_minute": -5},
        {"per_minute": True},
        {"per_minute": 1.5},
        {"fraction": 0.0},
        {"fraction": 1.01},
        {"fraction": math.nan},
        {"window_s": 0.0},
        {"window_s": math.inf},
        {"guard_s": -0.1},
        {"guard_s": 60.0},
        {"guard_s": math.nan},
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(FetchConfigError) as info:
        RequestBudget(**kwargs)
    assert info.value.code == "bad_budget"


def test_a_full_window_waits_until_the_oldest_send_leaves_it() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    assert [budget.acquire() for _ in range(10)] == [0.0] * 10
    assert budget.acquire() == pytest.approx(60.5)  # window + guard after the first send
    stats = budget.stats
    assert (stats.admitted, stats.waits, stats.waited_s) == (11, 1, pytest.approx(60.5))


def test_the_window_slides_instead_of_resetting() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    for _ in range(5):
        budget.acquire()
    fake.sleep(30)
    for _ in range(5):
        budget.acquire()
    start = fake.clock()
    assert budget.acquire() == pytest.approx(30.5)  # the five from t0 leave; the five from t0+30 stay
    assert [budget.acquire() for _ in range(4)] == [0.0] * 4
    assert budget.acquire() == pytest.approx(30.0)
    assert fake.clock() - start == pytest.approx(60.5)


def test_default_guard_is_a_quarter_second_per_minute() -> None:
    fake = FakeTime()
    budget = RequestBudget(2, fraction=1.0, clock=fake.clock, wall=fake.wall, sleep=fake.sleep)
    budget.acquire(), budget.acquire()
    assert budget.acquire() == pytest.approx(60.25)


def test_many_threads_never_overrun_the_window_and_leave_none_unused() -> None:
    fake = FakeTime(start=0.0)
    budget = _budget(fake, per_minute=25, fraction=0.8)  # 20 slots per 60.5 s
    admitted: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            budget.acquire()
            with lock:
                admitted.append(fake.last_read())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert len(admitted) == 200 == budget.stats.admitted
    assert _most_in_any_window(admitted, 60.5) <= 20
    # 200 requests at 20 a window take ten windows: the last goes out at the start of the tenth.
    assert max(admitted) <= 9 * 60.5 + 1e-6
    assert _most_in_any_window(admitted, 0.001) >= 20  # each window's slots were used at once


def test_a_lower_limit_header_lowers_ours_and_a_higher_one_does_not_raise_it() -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=600, fraction=0.98)
    budget.observe({LIMIT_HEADER: "100"})
    assert (budget.limit, budget.capacity) == (100, 98)
    budget.observe({LIMIT_HEADER: "600"})
    assert (budget.limit, budget.capacity) == (100, 98)


def test_remaining_zero_holds_everyone_until_reset() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    budget.observe({LIMIT_HEADER: "10", REMAINING_HEADER: "0", RESET_HEADER: _reset_in(fake, 12)})
    assert budget.acquire() == pytest.approx(12, abs=1e-3)


def test_foreign_use_reported_by_the_server_takes_slots() -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=600, fraction=0.98)
    for _ in range(10):
        budget.acquire()
    sent = budget.now()
    # The server saw 200 requests in its window, we sent 10: 190 are someone else's.
    budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: "400"}, sent_at=sent)
    budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: "400"}, sent_at=sent)  # same news, booked once
    assert budget.stats.foreign == 190
    assert all(budget.acquire() == 0.0 for _ in range(588 - 200))
    assert budget.acquire() > 0


def test_our_own_in_flight_requests_never_count_as_foreign() -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=600, fraction=0.98)
    first = budget.now()
    for _ in range(50):
        budget.acquire()
    # Answers arrive out of order: the server had counted 1, 30, or all 50 of ours.
    for used in (1, 30, 50):
        budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: str(600 - used)}, sent_at=first)
    fake.sleep(5)
    budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: "550"}, sent_at=budget.now())
    assert budget.stats.foreign == 0


def test_a_stale_answer_books_nothing() -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=600)
    sent = budget.now()
    fake.sleep(16)  # more than a quarter window in flight
    budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: "100"}, sent_at=sent)
    assert budget.stats.foreign == 0


def test_the_server_limit_bounds_foreign_use_but_our_own_share_stays_ours() -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=300, fraction=1.0)  # we chose half of the org's 600
    budget.observe({LIMIT_HEADER: "600", REMAINING_HEADER: "300"}, sent_at=budget.now())
    assert budget.limit == 300 and budget.stats.foreign == 300
    assert all(budget.acquire() == 0.0 for _ in range(300))  # 300 + 300 foreign = the org's 600
    assert budget.acquire() > 0


# (headers, why they are ignored)
HOSTILE = [
    ({LIMIT_HEADER: "0"}, "a zero limit"),
    ({LIMIT_HEADER: "-5"}, "negative"),
    ({LIMIT_HEADER: "ten"}, "not a number"),
    ({LIMIT_HEADER: ""}, "empty"),
    ({LIMIT_HEADER: "1e3"}, "not an integer"),
    ({LIMIT_HEADER: "5.0"}, "not an integer"),
    ({LIMIT_HEADER: "\u0663"}, "a non-ASCII digit"),
    ({LIMIT_HEADER: "99999999999"}, "absurdly large"),
    ({REMAINING_HEADER: "700"}, "remaining above the limit"),
    ({REMAINING_HEADER: "-1"}, "negative remaining"),
    ({REMAINING_HEADER: "0", RESET_HEADER: "2020-01-01T00:00:00Z"}, "reset already passed"),
    ({RESET_HEADER: "2099-01-01T00:00:00Z"}, "reset without remaining 0"),
]


@pytest.mark.parametrize(("headers", "why"), HOSTILE, ids=[why for _, why in HOSTILE])
def test_hostile_headers_change_nothing(headers: dict[str, str], why: str) -> None:
    fake = FakeTime()
    budget = _budget(fake, per_minute=600, fraction=0.98)
    budget.observe(headers)
    stats = budget.stats
    assert (stats.limit, stats.capacity, stats.foreign) == (600, 588, 0)
    assert budget.acquire() == 0.0  # no hold


@pytest.mark.parametrize(
    "reset", ["tomorrow", "2099-01-01T00:00:00", "2099-01-01T00:00:00Z" + "0" * 80, "", "1800000100"]
)
def test_remaining_zero_with_a_broken_reset_holds_one_window_at_most(reset: str) -> None:
    fake = FakeTime()
    budget = _budget(fake)
    budget.observe({LIMIT_HEADER: "10", REMAINING_HEADER: "0", RESET_HEADER: reset})
    assert 0 < budget.acquire() <= 60.5  # the window is full, says the server; when it frees, not


def test_a_reset_far_away_holds_one_window_at_most() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    far = (datetime.fromtimestamp(fake.wall(), UTC) + timedelta(days=3)).isoformat()
    budget.observe({REMAINING_HEADER: "0", RESET_HEADER: far})
    assert budget.acquire() == pytest.approx(60.5)


def test_pause_holds_the_next_acquire() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    budget.pause(5)
    budget.pause(2)  # a shorter pause never shortens a longer one
    assert budget.acquire() == pytest.approx(5)
    assert budget.stats.pauses == 2


@pytest.mark.parametrize("seconds", [0, -1, math.nan, math.inf, -math.inf])
def test_meaningless_pauses_are_ignored(seconds: float) -> None:
    fake = FakeTime()
    budget = _budget(fake)
    budget.pause(seconds)
    assert budget.acquire() == 0.0 and budget.stats.pauses == 0


def test_a_huge_pause_is_capped() -> None:
    fake = FakeTime()
    budget = _budget(fake)
    budget.pause(1e9)
    assert budget.acquire() == pytest.approx(RETRY_AFTER_CAP)


def test_a_pause_holds_every_thread() -> None:
    fake = FakeTime(start=0.0)
    budget = _budget(fake, per_minute=100)
    budget.pause(30)
    admitted: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        budget.acquire()
        with lock:
            admitted.append(fake.last_read())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(admitted) == 6 and min(admitted) >= 30


def test_repr_and_stats_hold_numbers_only() -> None:
    budget = RequestBudget(600)
    assert repr(budget) == "RequestBudget(limit=600, capacity=588, window_s=60)"
    stats = budget.stats
    assert (stats.admitted, stats.waits, stats.pauses, stats.foreign) == (0, 0, 0, 0)


@pytest.mark.parametrize(("even", "first_second"), [(True, 1), (False, 10)])
def test_even_pacing_spreads_the_window_burst_pacing_spends_it_at_once(even: bool, first_second: int) -> None:
    fake = FakeTime()
    budget = _budget(fake, 10, window_s=10.0, even=even)
    sends = []
    for _ in range(30):
        budget.acquire()
        sends.append(fake.clock())
    start = sends[0]
    assert sum(1 for t in sends if t < start + 1.0) == first_second
    # Either way the window rule holds: never more than 10 sends in any 10.5 s (window + guard).
    assert _most_in_any_window(sends, 10.5) <= 10
    if even:
        gaps = [b - a for a, b in itertools.pairwise(sends)]
        assert min(gaps) >= 1.0 - 1e-9  # window / capacity
        assert sends[-1] - start < 31.0  # and no slower than the budget: about 1 per second
