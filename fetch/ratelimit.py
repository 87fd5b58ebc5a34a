"""Client-side request budget: pace every thread of a process under the API's request limit.

The API admits 600 requests per sliding 60 s window per parent organisation, shared by every key
and every endpoint, and answers 429 beyond it (reference §3.3). ``RequestBudget`` keeps the same
kind of window over its own send times, so a run is limited by the budget and not by 429s.

Why a sliding window of send times, with margins:

* it mirrors the server's own accounting, so it can spend the whole budget: a full window may go
  out at once after an idle spell because the server would admit it too. A token bucket either
  leaves most of each window unused (small burst) or can overrun the server's window (large one);
* the server stamps a request when it *arrives*, a little after we stamped it when sending. Two
  margins absorb that: a slot stays busy ``guard_s`` longer than the server's window (arrival
  jitter up to ``guard_s`` cannot put two uses of one slot into one server window), and only
  ``floor(limit * fraction)`` slots are used, leaving a few spare for jitter beyond the guard.

Other users of the same budget (other processes, other keys of the organisation). Every response's
``anthropic-ratelimit-requests-remaining`` says how much of the window the server saw used.
Whatever exceeds our own sends, counted generously (every send from ``window + guard`` before the
request left until now, so our in-flight requests never look foreign), is someone else's: it is
booked as *foreign* slots stamped now, which occupy the window like our own. Several processes
therefore converge on sharing the budget instead of each assuming all of it; the few 429s while
they converge ``pause`` every thread of the process, not only the one refused.
``remaining: 0`` holds every thread until the ``reset`` time (without a usable reset, the missing
slots are booked as foreign, which holds for up to a window); a ``limit`` header below ours lowers
ours for good (it never raises it).

``even=True`` spreads the same budget evenly: sends are at least ``window / capacity`` apart, so a
run asks for about ten requests a second instead of a full window at once and then nothing. The
total per window is the same (the window rule still applies); other users of the organisation's
budget and the server see a steady rate instead of bursts.

Broken or hostile headers (non-numbers, negatives, remaining above the limit, a reset in the
past or far away) are ignored or bounded: no header holds the budget for longer than one window,
no ``pause`` for longer than ``retry.RETRY_AFTER_CAP``.

Thread-safety: every method may be called from any thread; waiting happens outside the lock.
The clocks and ``sleep`` are injectable, so tests never sleep for real.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from fetch.errors import FetchConfigError
from fetch.retry import RETRY_AFTER_CAP

LIMIT_HEADER = "anthropic-ratelimit-requests-limit"
REMAINING_HEADER = "anthropic-ratelimit-requests-remaining"
RESET_HEADER = "anthropic-ratelimit-requests-reset"
DEFAULT_FRACTION = 0.98
_MAX_COUNT_DIGITS = 9  # a limit above a billion is not a limit, it is a broken header
_MAX_TIMESTAMP_CHARS = 64
# Waits shorter than this are rounding noise; sleeping on them could spin on a clock that cannot
# represent the difference.
_EPSILON_S = 1e-6


@dataclass(frozen=True)
class BudgetStats:
    """A snapshot of the budget's counters, for run reports and benchmarks."""

    admitted: int  # requests let through
    waits: int  # of those, how many had to wait
    waited_s: float  # total seconds threads spent waiting in acquire()
    pauses: int  # pause() calls that took effect (429s)
    foreign: int  # slots booked for other users of the organisation's budget
    limit: int  # the current per-window limit (lowered by the server's limit header)
    capacity: int  # slots per window this process may use: floor(limit * fraction)


class RequestBudget:
    """A thread-safe sliding-window budget of ``per_minute`` requests per ``window_s`` seconds."""

    def __init__(
        self,
        per_minute: int = 600,
        *,
        fraction: float = DEFAULT_FRACTION,
        window_s: float = 60.0,
        guard_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        even: bool = False,
    ) -> None:
        _check(per_minute, fraction, window_s, guard_s)
        # Even pacing: never two sends closer than window / capacity, on top of the window itself.
        self._even = even
        self._limit = per_minute  # ours: never above what we were configured with
        self._server_limit: int | None = None  # the latest limit header
        self._fraction = fraction
        self._window = window_s
        # A quarter second per minute of window: more than loopback or LAN arrival jitter.
        self._guard = window_s / 240 if guard_s is None else guard_s
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._lock = threading.Lock()
        self._own: list[float] = []  # our send times, ascending
        self._foreign: list[float] = []  # booking times of other users' requests, ascending
        self._hold_until = -math.inf
        self._admitted = self._waits = self._pauses = self._foreign_total = 0
        self._waited_s = 0.0

    def __repr__(self) -> str:
        return f"RequestBudget(limit={self.limit}, capacity={self.capacity}, window_s={self._window:g})"

    @property
    def limit(self) -> int:
        """The per-window limit in force (configured, or lower if the server said so)."""
        with self._lock:
            return self._limit

    @property
    def capacity(self) -> int:
        """Slots per window this process uses: ``floor(limit * fraction)``, at least one."""
        with self._lock:
            return _slots(self._limit, self._fraction)

    @property
    def stats(self) -> BudgetStats:
        """A consistent snapshot of the counters."""
        with self._lock:
            return BudgetStats(
                admitted=self._admitted,
                waits=self._waits,
                waited_s=self._waited_s,
                pauses=self._pauses,
                foreign=self._foreign_total,
                limit=self._limit,
                capacity=_slots(self._limit, self._fraction),
            )

    def now(self) -> float:
        """The budget's clock: pass it to ``observe(sent_at=...)``."""
        return self._clock()

    def acquire(self) -> float:
        """Block until one request may be sent, take its slot, and return the seconds waited."""
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                delay = self._delay(now)
                if delay <= _EPSILON_S:
                    self._own.append(now)
                    waited = max(0.0, now - start)
                    self._admitted += 1
                    self._waited_s += waited
                    self._waits += waited > 0
                    return waited
            # Sleep outside the lock; on waking, look again: a pause or a header may have moved things.
            self._sleep(delay)

    def pause(self, seconds: float) -> None:
        """Hold every thread for ``seconds`` (a 429's ``retry-after``), capped at ``RETRY_AFTER_CAP``."""
        if not (isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0):
            return
        with self._lock:
            until = self._clock() + min(float(seconds), RETRY_AFTER_CAP)
            self._pauses += 1
            self._hold_until = max(self._hold_until, until)

    def observe(self, headers: Mapping[str, str], *, sent_at: float | None = None) -> None:
        """Learn from a response's rate-limit headers; ``sent_at`` is ``now()`` when the request left."""
        limit = _count(headers.get(LIMIT_HEADER), minimum=1)
        remaining = _count(headers.get(REMAINING_HEADER), minimum=0)
        reset_in = _seconds_until(headers.get(RESET_HEADER), self._wall)
        with self._lock:
            now = self._clock()
            if limit is not None:
                self._server_limit = limit
                self._limit = min(self._limit, limit)
            server_limit = self._server_limit or self._limit
            if remaining is None or remaining > server_limit:
                return
            if remaining == 0 and reset_in is not None:
                # The reset says when the server frees room (a past one: it already has); foreign
                # slots booked now would stand for a whole window instead. Fresh counts arrive
                # with the next answers.
                hold = min(max(reset_in, 0.0), self._window + self._guard)
                self._hold_until = max(self._hold_until, now + hold)
                return
            self._book_foreign(server_limit - remaining, now if sent_at is None else sent_at, now)

    def _delay(self, now: float) -> float:
        """Seconds until a slot is free at ``now`` (0 or less: free now). Caller holds the lock."""
        self._expire(now)
        if self._hold_until > now:
            return self._hold_until - now
        span = self._window + self._guard
        cutoff = now - span
        own = self._own[bisect_right(self._own, cutoff) :]
        # Two limits: our own share of the budget, and the server's total with foreign use included.
        # A slot frees when the k-th oldest occupant leaves the window, k being the excess.
        own_excess = len(own) - _slots(self._limit, self._fraction) + 1
        server_slots = _slots(self._server_limit or self._limit, self._fraction)
        total_excess = len(own) + len(self._foreign) - server_slots + 1
        freeing = -math.inf
        if self._even and own:
            # The next even slot, expressed like a window slot (it frees ``span`` after ``freeing``).
            freeing = own[-1] + self._window / _slots(self._limit, self._fraction) - span
        if own_excess > 0:
            freeing = max(freeing, own[own_excess - 1])
        if total_excess > 0:
            merged = heapq.merge(own, self._foreign)
            freeing = max(freeing, next(itertools.islice(merged, total_excess - 1, None)))
        return freeing + span - now

    def _expire(self, now: float) -> None:
        span = self._window + self._guard
        # Own sends are kept a little longer than the window: observe() looks back from sent_at.
        del self._own[: bisect_right(self._own, now - span - self._window / 4)]
        del self._foreign[: bisect_right(self._foreign, now - span)]

    def _book_foreign(self, used: int, sent_at: float, now: float) -> None:
        if not (now - self._window / 4 <= sent_at <= now):
            return  # stale (or a clock from elsewhere): too much has changed since the server counted
        self._expire(now)
        ours = len(self._own) - bisect_right(self._own, sent_at - self._window - self._guard)
        extra = used - ours - len(self._foreign)
        if extra > 0:
            self._foreign.extend([now] * extra)
            self._foreign_total += extra


def _slots(limit: int, fraction: float) -> int:
    return max(1, math.floor(limit * fraction))


def _count(raw: str | None, *, minimum: int) -> int | None:
    """A header's non-negative integer, or None if absent, malformed or absurd."""
    if raw is None:
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_COUNT_DIGITS):
        return None
    value = int(text)
    return value if value >= minimum else None


def _seconds_until(raw: str | None, wall: Callable[[], float]) -> float | None:
    """Seconds from now to an RFC 3339 timestamp with a zone, or None if it does not parse."""
    if raw is None or len(raw) > _MAX_TIMESTAMP_CHARS:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp() - wall()


def _check(per_minute: int, fraction: float, window_s: float, guard_s: float | None) -> None:
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1:
        raise FetchConfigError("the request budget must be a whole number of at least 1", code="bad_budget")
    if not (0 < fraction <= 1):
        raise FetchConfigError("the budget fraction must be in (0, 1]", code="bad_budget")
    if not (math.isfinite(window_s) and window_s > 0):
        raise FetchConfigError("the budget window must be a positive number of seconds", code="bad_budget")
    if guard_s is not None and not (math.isfinite(guard_s) and 0 <= guard_s < window_s):
        raise FetchConfigError("the budget guard must be in [0, window_s)", code="bad_budget")
