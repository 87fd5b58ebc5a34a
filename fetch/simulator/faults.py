"""Injectable faults: per-chat failures, malformed bodies, a list that breaks after N pages, and more.

All off by default. A test may change the fields while the server runs: the server only reads them
(single dict/set lookups, atomic under the GIL) except for the counters and the ``fail_next``
queue, which go through ``Faults``' own lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Failure:
    """A status to answer with; ``no_retry`` adds ``x-should-retry: false`` (a deterministic failure)."""

    status: int
    no_retry: bool = False


FailureSpec = int | Failure


def as_failure(spec: FailureSpec) -> Failure:
    """``spec`` as a ``Failure`` (a bare int is a status with the default retry hint)."""
    return spec if isinstance(spec, Failure) else Failure(int(spec))


@dataclass
class Faults:
    """What the simulator should get wrong, settable before and during a run."""

    fail_messages: dict[str, FailureSpec] = field(default_factory=dict)
    malformed_messages: set[str] = field(default_factory=set)
    fail_list_after_pages: int | None = None
    fail_list_status: FailureSpec = 503
    fail_next: list[FailureSpec] = field(default_factory=list)
    slow_s: float = 0.0
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    _list_pages: int = field(default=0, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "fail_list_after_pages":  # the N pages count from when the fault is set
            super().__setattr__("_list_pages", 0)

    def __post_init__(self) -> None:
        super().__setattr__("_lock", threading.Lock())

    def take_next(self) -> Failure | None:
        """Pop the next queued failure, if any."""
        with self._lock:
            return as_failure(self.fail_next.pop(0)) if self.fail_next else None

    def messages_failure(self, chat_id: str) -> Failure | None:
        """The failure configured for this chat's messages endpoint."""
        spec = self.fail_messages.get(chat_id)
        return None if spec is None else as_failure(spec)

    def is_malformed(self, chat_id: str) -> bool:
        """Whether this chat's messages come back as truncated JSON."""
        return chat_id in self.malformed_messages

    def list_failure(self) -> Failure | None:
        """The chats-list failure, once ``fail_list_after_pages`` pages have been served."""
        with self._lock:
            after = self.fail_list_after_pages
            if after is None or self._list_pages < after:
                return None
            return as_failure(self.fail_list_status)

    def list_page_served(self) -> None:
        """Count one successful chats-list page."""
        with self._lock:
            self._list_pages += 1

    def clear(self) -> None:
        """Turn every fault off."""
        with self._lock:
            self.fail_messages.clear()
            self.malformed_messages.clear()
            self.fail_next.clear()
            self.fail_list_after_pages = None
            self.fail_list_status = 503
            self.slow_s = 0.0
