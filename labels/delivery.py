"""Outbox delivery: each configured writer drains its own share of the outbox, with backoff.

``deliver`` is the strict form: write a batch, make it durable, ack it; any error propagates.
``Deliverer`` is what runs do: each writer is drained until it is caught up or fails. A failing
writer is noted in the store (``chatsift feed status`` shows it) and tried again after an
exponential, jittered backoff, while the other writers and the scan go on. A writer the
destination refuses (``FeedConfigError``: a bad token, an untrusted certificate) is not retried in
this process. Delivery is at least once: a crash between a write and its ack sends the batch again
with the same ids, and consumers dedupe on them.

Only one process delivers to a given writer at a time: it holds ``<db>.feed-<writer>.lock``. A scan
skips writers that a ``chatsift feed deliver --follow`` process is serving, and the reverse.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from labels.errors import FeedWriteError, StoreLockedError
from labels.store.connection import FileLock
from labels.store.database import Database
from labels.writers.base import FeedWriter

log = logging.getLogger("chatsift.labels.delivery")


def deliver(store: Database, writer: FeedWriter, *, batch: int = 500) -> int:
    """Send every outbox item ``writer`` has not acked, batch by batch; return how many were sent."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    sent = 0
    while items := store.iter_outbox(writer.name, batch):
        writer.write([item for _, item in items])
        # Ack only after the write is durable: a crash here re-sends, it never skips.
        store.ack(writer.name, items[-1][0], count=len(items))
        sent += len(items)
    return sent


@dataclass(frozen=True)
class Backoff:
    """Waits between attempts of a failing writer: ``initial * factor**(n-1)``, capped, +0-20% jitter."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 300.0

    def delay(self, failures: int) -> float:
        base = min(self.cap, self.initial * self.factor ** max(0, failures - 1))
        return base * (1 + 0.2 * random.random())


@dataclass
class WriterOutcome:
    """What delivery to one writer did in this process."""

    name: str
    delivered: int = 0
    pending: int = 0
    failures: int = 0  # failed attempts in this process
    error: str | None = None  # the last failure's code and detail (never content)
    refused: bool = False  # a configuration error: not retried until fixed
    busy: str | None = None  # another process is delivering to this writer

    @property
    def caught_up(self) -> bool:
        return self.pending == 0


@dataclass
class _State:
    writer: FeedWriter
    outcome: WriterOutcome
    next_try: float = 0.0
    consecutive: int = 0  # failures since the last success: the backoff grows with it
    lock: FileLock | None = None


class Deliverer:
    """Drains the outbox of ``store`` to several writers, each at its own pace."""

    def __init__(
        self,
        store: Database,
        writers: Sequence[FeedWriter],
        *,
        batch: int = 500,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        names = [w.name for w in writers]
        if len(set(names)) != len(names):
            raise ValueError("feed writer names must be unique")
        self.store = store
        self.batch = batch
        self.backoff = backoff or Backoff()
        self._clock, self._sleep = clock, sleep
        self._states = [_State(w, WriterOutcome(w.name)) for w in writers]

    @property
    def writers(self) -> list[FeedWriter]:
        return [s.writer for s in self._states]

    def outcomes(self) -> list[WriterOutcome]:
        """Each writer's outcome so far, with its current backlog."""
        for state in self._states:
            state.outcome.pending = self.store.undelivered(state.writer.name)
        return [state.outcome for state in self._states]

    def poll(self) -> int:
        """Drain every writer that is not waiting out a backoff; never waits. Returns items sent."""
        now = self._clock()
        return sum(self._drain(state) for state in self._states if self._ready(state, now))

    def drain(self, wait_s: float) -> int:
        """Deliver everything, retrying failing writers for up to ``wait_s`` seconds; return items sent."""
        deadline = self._clock() + wait_s
        sent = self.poll()
        while True:
            waiting = [
                s
                for s in self._states
                if s.lock is not None and not s.outcome.refused and self.store.undelivered(s.writer.name)
            ]
            if not waiting:
                return sent
            wake = min(s.next_try for s in waiting)
            if wake > deadline:
                return sent
            self._sleep(max(0.0, wake - self._clock()))
            sent += self.poll()

    def close(self) -> None:
        """Release the writer locks and close the writers."""
        for state in self._states:
            try:
                state.writer.close()
            finally:
                if state.lock is not None:
                    state.lock.release()
                    state.lock = None

    def _ready(self, state: _State, now: float) -> bool:
        if state.outcome.refused or now < state.next_try:
            return False
        if state.lock is None:
            try:
                state.lock = FileLock(self._lock_path(state.writer.name))
            except StoreLockedError:
                state.outcome.busy = "another chatsift process is delivering to this writer"
                return False
            state.outcome.busy = None
        return True

    def _lock_path(self, name: str) -> Path:
        path = self.store.path
        return path.with_name(f"{path.name}.feed-{name}.lock")

    def _drain(self, state: _State) -> int:
        name, sent = state.writer.name, 0
        try:
            while items := self.store.iter_outbox(name, self.batch):
                state.writer.write([item for _, item in items])
                self.store.ack(name, items[-1][0], count=len(items))
                sent += len(items)
        except FeedWriteError as exc:
            self._failed(state, f"{exc.code}: {exc.detail}", refused=not exc.retriable)
        except Exception as exc:  # a writer's own bug must not stop the scan or the other writers
            # The type only: a library's message could quote what it was sending.
            self._failed(state, f"writer_error: {type(exc).__name__}", refused=False)
        else:
            if state.consecutive:
                log.warning("feed %s: delivering again after %d failed attempts", name, state.consecutive)
            state.consecutive = 0
        state.outcome.delivered += sent
        return sent

    def _failed(self, state: _State, error: str, *, refused: bool) -> None:
        outcome = state.outcome
        outcome.failures += 1
        outcome.error = error
        outcome.refused = refused
        self.store.note_failure(state.writer.name, error)
        if refused:
            log.error("feed %s: %s; not retried until the configuration is fixed", state.writer.name, error)
            return
        state.consecutive += 1
        wait = self.backoff.delay(state.consecutive)
        state.next_try = self._clock() + wait
        log.warning("feed %s: %s; retrying in %.1fs", state.writer.name, error, wait)
