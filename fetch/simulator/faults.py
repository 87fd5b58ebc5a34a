"""Injectable faults: failures, 429 storms, slow and broken bodies, vanished chats, loops, live updates.

All off by default; a test may change any field while the server runs. The server only reads the
public fields (single dict/set lookups, atomic under the GIL); everything that counts (``times``
budgets, page counters, the storm, the ``fail_next`` queue) goes through ``Faults``' own lock.
Hooks (``after_list_page``, ``update_during_run``) run in the request thread once the page's
document is built and before it is sent (so the client's next request already sees what they
changed), holding no lock: they may call back into the org or the faults. A hook that raises is
logged by exception type only; the page is still served.

Counting rules:

* ``Failure(times=N)`` answers the first N matching requests, then the endpoint behaves normally.
  The count belongs to the slot it was set in (a chat of ``fail_messages``, an attachment of
  ``fail_attachments``, ``fail_list_status``); assigning a new ``Failure`` restarts it. In the
  ``fail_next`` queue an entry without ``times`` answers one request, with ``times=N`` the next N.
* Chats-list pages are counted from when the field that counts them was last assigned
  (``fail_list_after_pages``, ``after_list_page``, ``update_during_run``); only pages served
  whole (not failed, not broken by ``list_body_fault``) count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BODY_FAULTS = ("truncated", "invalid")


@dataclass(frozen=True)
class Failure:
    """A status to answer with; ``no_retry`` adds ``x-should-retry: false``; ``times`` caps how often."""

    status: int
    no_retry: bool = False
    times: int | None = None


FailureSpec = int | Failure


def as_failure(spec: FailureSpec) -> Failure:
    """``spec`` as a ``Failure`` (a bare int is a status with the default retry hint)."""
    return spec if isinstance(spec, Failure) else Failure(int(spec))


@dataclass
class _Counters:
    """The mutable state behind the public fields (guarded by ``Faults._lock``)."""

    used: dict[tuple[str, str], tuple[object, int]] = field(default_factory=dict)
    next_used: int = 0
    list_pages: int = 0
    hook_pages: int = 0
    update_pages: int = 0
    body_left: int = 0
    storm_left: int = 0
    storm_retry_after: int = 1


@dataclass
class Faults:
    """What the simulator should get wrong, settable before and during a run."""

    fail_messages: dict[str, FailureSpec] = field(default_factory=dict)
    malformed_messages: set[str] = field(default_factory=set)
    invalid_json_messages: set[str] = field(default_factory=set)
    gone_messages: set[str] = field(default_factory=set)
    slow_messages: dict[str, float] = field(default_factory=dict)
    repeat_messages_cursor: set[str] = field(default_factory=set)
    fail_list_after_pages: int | None = None
    fail_list_status: FailureSpec = 503
    list_body_fault: tuple[str, int] | None = None
    repeat_list_cursor: bool = False
    after_list_page: Callable[[int], None] | None = None
    update_during_run: dict[int, list[str]] = field(default_factory=dict)
    fail_next: list[FailureSpec] = field(default_factory=list)
    fail_attachments: dict[str, FailureSpec] = field(default_factory=dict)
    corrupt_md5: set[str] = field(default_factory=set)
    cut_attachments: set[str] = field(default_factory=set)
    slow_s: float = 0.0
    _lock: threading.Lock = field(init=False, repr=False, compare=False)
    _state: _Counters = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__setattr__("_lock", threading.Lock())
        super().__setattr__("_state", _Counters())
        self._check_body_fault(self.list_body_fault)
        self._state.body_left = self.list_body_fault[1] if self.list_body_fault else 0

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "list_body_fault":
            self._check_body_fault(value)
        super().__setattr__(name, value)
        if "_state" not in self.__dict__:  # still inside __init__
            return
        with self._lock:
            self._reset_for(name, value)

    def _reset_for(self, name: str, value: Any) -> None:
        """Restart the counters that belong to field ``name`` (caller holds the lock)."""
        state = self._state
        if name in ("fail_list_after_pages", "fail_list_status"):
            state.list_pages = 0
            state.used.pop(("list", ""), None)
        elif name == "after_list_page":
            state.hook_pages = 0
        elif name == "update_during_run":
            state.update_pages = 0
        elif name == "list_body_fault":
            state.body_left = value[1] if value else 0

    @staticmethod
    def _check_body_fault(value: tuple[str, int] | None) -> None:
        if value is not None and (value[0] not in BODY_FAULTS or int(value[1]) < 0):
            raise ValueError(f"list_body_fault must be (one of {BODY_FAULTS}, a count >= 0)")

    # --- failures ------------------------------------------------------------------------------

    def _budgeted(self, slot: tuple[str, str], spec: FailureSpec | None) -> Failure | None:
        """``spec`` as a failure if its ``times`` budget for ``slot`` is not spent (counts one use)."""
        if spec is None:
            return None
        failure = as_failure(spec)
        if failure.times is None:
            return failure
        with self._lock:
            owner, used = self._state.used.get(slot, (None, 0))
            if owner is not spec:  # a newly assigned Failure starts a fresh budget
                used = 0
            if used >= failure.times:
                return None
            self._state.used[slot] = (spec, used + 1)
            return failure

    def take_next(self) -> Failure | None:
        """The head of the ``fail_next`` queue, counting one use of it."""
        with self._lock:
            if not self.fail_next:
                return None
            failure = as_failure(self.fail_next[0])
            self._state.next_used += 1
            if failure.times is None or self._state.next_used >= failure.times:
                self.fail_next.pop(0)
                self._state.next_used = 0
            return failure

    def messages_failure(self, chat_id: str) -> Failure | None:
        """The failure configured for this chat's messages endpoint (counting one use)."""
        return self._budgeted(("messages", chat_id), self.fail_messages.get(chat_id))

    def attachment_failure(self, attachment_id: str) -> Failure | None:
        """The failure configured for this attachment's metadata and content (counting one use)."""
        return self._budgeted(("attachment", attachment_id), self.fail_attachments.get(attachment_id))

    def list_failure(self) -> Failure | None:
        """The chats-list failure, once ``fail_list_after_pages`` pages have been served."""
        with self._lock:
            after = self.fail_list_after_pages
            if after is None or self._state.list_pages < after:
                return None
        return self._budgeted(("list", ""), self.fail_list_status)

    # --- bodies and storms ---------------------------------------------------------------------

    def is_malformed(self, chat_id: str) -> bool:
        """Whether this chat's messages come back as truncated JSON."""
        return chat_id in self.malformed_messages

    def messages_body_fault(self, chat_id: str) -> str | None:
        """``"invalid"``, ``"truncated"`` or ``None`` for this chat's messages body."""
        if chat_id in self.invalid_json_messages:
            return "invalid"
        return "truncated" if chat_id in self.malformed_messages else None

    def take_list_body_fault(self) -> str | None:
        """The broken-body kind for this chats-list page, if ``list_body_fault`` has pages left."""
        with self._lock:
            fault = self.list_body_fault
            if fault is None or self._state.body_left <= 0:
                return None
            self._state.body_left -= 1
            return fault[0]

    def storm_429(self, requests: int, retry_after: int = 1) -> None:
        """Answer the next ``requests`` authenticated requests with 429, whatever the budget says."""
        if requests < 0 or retry_after < 0:
            raise ValueError("a storm needs a request count and a retry-after of at least 0")
        with self._lock:
            self._state.storm_left = requests
            self._state.storm_retry_after = retry_after

    def take_storm(self) -> int | None:
        """The ``retry-after`` for this request if a storm is on (counting it), else ``None``."""
        with self._lock:
            if self._state.storm_left <= 0:
                return None
            self._state.storm_left -= 1
            return self._state.storm_retry_after

    @property
    def storm_left(self) -> int:
        """Requests the current 429 storm will still refuse."""
        with self._lock:
            return self._state.storm_left

    # --- list pages ----------------------------------------------------------------------------

    def list_page_served(self) -> tuple[int, int]:
        """Count one whole chats-list page; returns its number for ``after_list_page`` and for updates."""
        with self._lock:
            state = self._state
            state.list_pages += 1
            state.hook_pages += 1
            state.update_pages += 1
            return state.hook_pages, state.update_pages

    def clear(self) -> None:
        """Turn every fault off and forget every count."""
        for name in ("fail_messages", "fail_attachments", "slow_messages", "update_during_run"):
            getattr(self, name).clear()
        for name in (
            "malformed_messages",
            "invalid_json_messages",
            "gone_messages",
            "repeat_messages_cursor",
            "corrupt_md5",
            "cut_attachments",
        ):
            getattr(self, name).clear()
        with self._lock:
            self.fail_next.clear()
        self.fail_list_after_pages = None
        self.fail_list_status = 503
        self.list_body_fault = None
        self.repeat_list_cursor = False
        self.after_list_page = None
        self.slow_s = 0.0
        with self._lock:
            super().__setattr__("_state", _Counters())
