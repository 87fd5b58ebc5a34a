"""One open store file, its transactions, and the outbox operations every opener may run.

``LabelStore`` (the one writing process, under the store's lock) and ``FeedOutbox`` (a process that
only delivers or inspects the feed, e.g. ``chatsift feed deliver --follow`` beside a nightly scan)
both build on ``Database``. SQLite's WAL mode lets them work on the same file at once; writes
serialise on SQLite's own lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from pydantic import ValidationError

from labels.errors import StoreCorruptError, StoreError
from labels.formats.base import FeedItem
from labels.rollup import RollupRecord, Scope
from labels.store import outbox
from labels.store.connection import connect, guard
from labels.store.migrations import migrate
from labels.store.outbox import WriterStatus
from labels.timestamps import rfc3339


def now_stamp() -> str:
    """The current time in the store's canonical form."""
    return rfc3339(datetime.now(UTC))


class Database:
    """An open connection to the store file, migrated to the latest schema."""

    def __init__(self, path: Path, *, max_bytes: int | None = None) -> None:
        self.path = Path(path)
        self._before_commit: Callable[[], None] | None = None
        self._conn: sqlite3.Connection | None = connect(self.path, max_bytes=max_bytes)
        try:
            with guard("migrate"):
                migrate(self._conn)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with guard("close"):
                conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the label store is closed", code="store_closed")
        return self._conn

    @contextmanager
    def _transaction(self, op: str) -> Iterator[sqlite3.Connection]:
        conn = self._db()
        with guard(op):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                if self._before_commit is not None:
                    self._before_commit()
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR).
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _one(self, op: str, sql: str, params: tuple[object, ...] = ()) -> tuple[object, ...] | None:
        with guard(op):
            row: tuple[object, ...] | None = self._db().execute(sql, params).fetchone()
        return row

    def _all(self, op: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with guard(op):
            rows: list[tuple[object, ...]] = self._db().execute(sql, params).fetchall()
        return rows

    # -- rollups --------------------------------------------------------------------------------

    def rollup(self, scope: Scope, subject_id: str) -> RollupRecord | None:
        """The latest stored rollup of a user (``user_…``) or a project, or None."""
        found = self.rollups(scope, subject_id=subject_id)
        return found[0] if found else None

    def rollups(self, scope: Scope, *, subject_id: str | None = None) -> list[RollupRecord]:
        """The latest rollup of every user (or project), or of one, ordered by subject id."""
        where, params = ("AND r.subject_id = ?", (scope, subject_id)) if subject_id else ("", (scope,))
        rows = self._all(
            "rollups",
            f"""SELECT u.rollup_id, u.record FROM rollups r JOIN rollup_records u USING (rollup_id)
                WHERE r.scope = ? {where} ORDER BY r.subject_id""",  # noqa: S608 - fixed fragments
            params,
        )
        out = []
        for rollup_id, text in rows:
            try:
                out.append(RollupRecord.model_validate_json(str(text)))
            except ValidationError as exc:
                raise StoreCorruptError(
                    f"stored rollup {rollup_id} does not validate ({exc.error_count()} errors)",
                    code="record_invalid",
                ) from exc
        return out

    # -- the outbox ------------------------------------------------------------------------------

    def iter_outbox(self, writer: str, limit: int) -> list[tuple[int, FeedItem]]:
        """Up to ``limit`` items (records and rollups) not yet acked by ``writer``, with their seq."""
        with guard("iter_outbox"):
            return outbox.pending(self._db(), writer, limit)

    def ack(self, writer: str, seq: int, *, count: int = 0) -> None:
        """Mark the outbox delivered to ``writer`` up to ``seq`` (``count`` items); never backwards."""
        with self._transaction("ack") as conn:
            outbox.ack(conn, writer, seq, now=now_stamp() if count else None, count=count)

    def note_failure(self, writer: str, error: str) -> None:
        """Record a failed delivery attempt of ``writer`` (``error``: code and detail, no content)."""
        with self._transaction("note_failure") as conn:
            outbox.note_failure(conn, writer, error, now_stamp())

    def undelivered(self, writer: str) -> int:
        """How many outbox items ``writer`` has not acked yet."""
        with guard("undelivered"):
            return outbox.undelivered(self._db(), writer)

    def feed_status(self, writers: Sequence[str] = ()) -> list[WriterStatus]:
        """Each writer's position, backlog and health (``writers`` first, then any other known one)."""
        with guard("feed_status"):
            return outbox.status(self._db(), writers)

    def rewind(self, writer: str, since: str) -> int:
        """Make ``writer`` send again every item that entered the outbox at or after ``since``."""
        with self._transaction("rewind") as conn:
            return outbox.rewind(conn, writer, since)


class FeedOutbox(Database):
    """The store opened for feed delivery and inspection only: no store lock, no label writes."""

    def __repr__(self) -> str:
        return f"FeedOutbox({str(self.path)!r})"
