"""Where an org-wide walk over changed chats stands, as stored in the cursors table.

Two shapes share the ``cursors`` table:

* the nightly cursor after a finished first run: the API's ``last_id`` as is (opaque); the next
  run lists ``order_by=updated_at`` after it, up to the moment the run started;
* a windowed walk in progress (the first nightly run, or a ``--since`` backfill): a JSON ``Walk``.
  It covers ``[since, until)`` in windows of ``window_days``, each listed with
  ``updated_at.gte``/``updated_at.lt`` and paged with ``after_id``. Every page commits the walk's
  new position with its records, so a killed first run or backfill resumes at the page it was on.

Bounding every walk at the run's start (``until``) makes it finite even while users keep chatting:
a chat updated during the run moves past ``until`` and is read by the next run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from labels import parse_rfc3339, rfc3339


@dataclass(frozen=True)
class Walk:
    """A windowed walk: its bounds, the current window, and the position inside it."""

    since: str
    until: str
    window_start: str
    after_id: str | None = None
    last_id: str | None = None  # the last non-empty page's last_id, over every window so far

    @classmethod
    def start(cls, since: datetime, until: datetime) -> Walk:
        """A new walk over ``[since, until)``."""
        return cls(rfc3339(since), rfc3339(until), rfc3339(since))

    def window(self, days: float) -> tuple[datetime, datetime] | None:
        """The current window's ``[gte, lt)``, or None when the walk is done."""
        start, until = parse_rfc3339(self.window_start), parse_rfc3339(self.until)
        if start >= until:
            return None
        return start, min(start + timedelta(days=days), until)

    def advanced(self, last_id: str | None) -> Walk:
        """The walk after one more page of the current window (its ``last_id``; None if empty)."""
        if last_id is None:
            return self
        return replace(self, after_id=last_id, last_id=last_id)

    def next_window(self, window_end: datetime) -> Walk:
        """The walk moved to the window starting at ``window_end``."""
        return replace(self, window_start=rfc3339(window_end), after_id=None)

    def dumps(self) -> str:
        """The stored form."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def loads(cls, value: str | None) -> Walk | None:
        """A stored walk, or None for a plain cursor or nothing."""
        if not value or not value.startswith("{"):
            return None
        try:
            data = json.loads(value)
            walk = cls(**data)
            walk.window(1.0)  # the timestamps parse
        except (ValueError, TypeError):
            return None  # a damaged walk state: start the walk again (records dedupe)
        return walk


def plain_cursor(value: str | None) -> str | None:
    """The stored nightly cursor when it is a plain ``last_id`` (not a walk in progress)."""
    return value if value and not value.startswith("{") else None
