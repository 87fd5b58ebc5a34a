"""Named points where a test can kill this process with SIGKILL, to prove crash safety.

``CHATSIFT_TEST_CRASH_AT=<point>:<n>`` makes the n-th pass (from 1) through ``reached(<point>)``
send SIGKILL to the process itself: no cleanup, no ``finally``, no flush, exactly as ``kill -9`` at
that instant. Unset (always, outside the crash-resume test) it costs one comparison per call.
``CHATSIFT_TEST_CRASH_COUNTS=<file>`` instead counts the passes and writes them to ``<file>`` as JSON
when the process exits, so a test can pick points that a run really reaches.

The points, in the order a chat goes through them:

* ``list_page``: a chats-list page arrived, nothing of it is processed yet;
* ``fetched``: a chat's messages (and attachments) arrived in a fetch worker thread;
* ``classified``: a chat is classified, its record is not committed yet;
* ``commit``: inside the store transaction, after every statement, before ``COMMIT``;
* ``committed``: the page is committed, the feed not yet written;
* ``feed_written``: feed lines are written and fsynced, the outbox not yet acked;
* ``activity_page``: an activity page arrived, not yet stored.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import threading
from collections import Counter
from pathlib import Path

ENV = "CHATSIFT_TEST_CRASH_AT"
COUNTS_ENV = "CHATSIFT_TEST_CRASH_COUNTS"
POINTS = ("list_page", "fetched", "classified", "commit", "committed", "feed_written", "activity_page")


class _Trap:
    """The armed point and its countdown (thread-safe: fetch workers pass points too)."""

    def __init__(self, spec: str | None, counts_file: str | None) -> None:
        self.point: str | None = None
        self.remaining = 0
        self._lock = threading.Lock()
        self.counts: Counter[str] | None = None
        if counts_file:
            self.counts = Counter()
            atexit.register(self._write_counts, Path(counts_file))
        if not spec:
            return
        point, _, count = spec.partition(":")
        if point not in POINTS or not count.isdigit() or int(count) < 1:
            raise ValueError(f"{ENV} must be <point>:<n> with a point of {', '.join(POINTS)} and n >= 1")
        self.point, self.remaining = point, int(count)

    def reached(self, point: str) -> None:
        if self.counts is not None:
            with self._lock:
                self.counts[point] += 1
        if point != self.point:
            return
        with self._lock:
            self.remaining -= 1
            if self.remaining == 0:
                os.kill(os.getpid(), signal.SIGKILL)

    def _write_counts(self, path: Path) -> None:
        path.write_text(json.dumps(dict(self.counts or {}), sort_keys=True), encoding="utf-8")


_TRAP = _Trap(os.environ.get(ENV), os.environ.get(COUNTS_ENV))


def reached(point: str) -> None:
    """Mark that the process passed ``point`` (see the module docstring)."""
    _TRAP.reached(point)
