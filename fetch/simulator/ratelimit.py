"""Sliding-window request budget, one window per parent organization.

Only admitted requests occupy the window; a refused (429) request does not, and requests that
fail authentication never reach the limiter. The clock is injectable so tests need not sleep.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Decision:
    """The limiter's answer for one request."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime
    retry_after: int | None = None


class SlidingWindowLimiter:
    """At most ``limit`` requests per ``window_s`` seconds for each key."""

    def __init__(
        self,
        limit: int,
        *,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if limit < 1:
            raise ValueError("the rate limit must be at least one request per window")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}

    def check(self, key: str) -> Decision:
        """Admit one request for ``key`` if the window has room."""
        with self._lock:
            now = self._clock()
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - self.window_s:
                window.popleft()
            allowed = len(window) < self.limit
            if allowed:
                window.append(now)
            wait = window[0] + self.window_s - now
            reset_at = datetime.fromtimestamp(math.ceil(self._wall() + wait), UTC)
            retry_after = None if allowed else max(1, math.ceil(wait))
            return Decision(allowed, self.limit, self.limit - len(window), reset_at, retry_after)
