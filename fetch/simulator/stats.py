"""Request counters the tests read: totals, by status, by path template, and injected faults."""

from __future__ import annotations

import threading


class Stats:
    """Thread-safe request counters: total, by status code, by path template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued = 0
        self._total = 0
        self._by_status: dict[int, int] = {}
        self._by_path: dict[str, int] = {}
        self._injected: dict[str, int] = {}

    def next_request_id(self) -> str:
        """A fresh ``request-id`` value."""
        with self._lock:
            self._issued += 1
            return f"req_sim{self._issued:010d}"

    def record(self, template: str, status: int) -> None:
        """Count one answered request."""
        with self._lock:
            self._total += 1
            self._by_status[status] = self._by_status.get(status, 0) + 1
            self._by_path[template] = self._by_path.get(template, 0) + 1

    def note(self, fault: str) -> None:
        """Count one injected fault by name (``storm_429``, ``fail_messages``, ``slow_messages``...)."""
        with self._lock:
            self._injected[fault] = self._injected.get(fault, 0) + 1

    @property
    def injected(self) -> dict[str, int]:
        """A copy of the per-fault counts of injected faults."""
        with self._lock:
            return dict(self._injected)

    @property
    def total(self) -> int:
        """Requests answered so far."""
        with self._lock:
            return self._total

    @property
    def by_status(self) -> dict[int, int]:
        """A copy of the per-status counts."""
        with self._lock:
            return dict(self._by_status)

    @property
    def by_path(self) -> dict[str, int]:
        """A copy of the per-path-template counts (``/v1/compliance/apps/chats/{id}/messages``...)."""
        with self._lock:
            return dict(self._by_path)
