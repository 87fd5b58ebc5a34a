"""The feed outbox and each writer's place in it, as statements on a connection.

The outbox is one sequence of feed items (label records and rollups) in the order they were
committed. A writer's progress is the highest ``seq`` it acknowledged (``delivery.last_seq``); it
only moves forward, except by an explicit ``rewind`` (``chatsift feed replay``). Both the label store
(in the scanning process) and ``FeedOutbox`` (a delivering or inspecting process, which does not
take the store's lock) run these statements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from labels.errors import StoreCorruptError
from labels.formats.base import FeedItem
from labels.record import LabelRecord
from labels.rollup import RollupRecord
from labels.timestamps import parse_rfc3339

_PENDING = """SELECT o.seq, o.record_id, r.record, o.rollup_id, u.record FROM outbox o
    LEFT JOIN records r ON r.record_id = o.record_id
    LEFT JOIN rollup_records u ON u.rollup_id = o.rollup_id
    WHERE o.seq > coalesce((SELECT last_seq FROM delivery WHERE writer = ?), 0)
    ORDER BY o.seq LIMIT ?"""


@dataclass(frozen=True)
class WriterStatus:
    """Where one writer stands: acked position, backlog, and its last success and failure."""

    writer: str
    last_seq: int
    pending: int
    oldest_pending_at: str | None  # when the oldest unsent item entered the outbox
    delivered: int  # items acknowledged since the writer first delivered (replays count again)
    last_success_at: str | None
    last_attempt_at: str | None
    failures: int  # failed attempts since the last success
    failing_since: str | None
    last_error: str | None  # a code and a short detail: a destination, a status, never content


def pending(conn: sqlite3.Connection, writer: str, limit: int) -> list[tuple[int, FeedItem]]:
    """Up to ``limit`` items not yet acked by ``writer``, in outbox order, with their seq."""
    rows = conn.execute(_PENDING, (writer, limit)).fetchall()
    return [(int(row[0]), _load(row)) for row in rows]


def _load(row: Sequence[object]) -> FeedItem:
    item_id, text = (row[1], row[2]) if row[1] is not None else (row[3], row[4])
    try:
        if row[1] is not None:
            return LabelRecord.model_validate_json(str(text))
        return RollupRecord.model_validate_json(str(text))
    except ValidationError as exc:
        # The ids are ours (lr_/ru_ + hex); the validation error hides its input.
        raise StoreCorruptError(
            f"stored item {item_id} does not validate ({exc.error_count()} errors)", code="record_invalid"
        ) from exc


def top(conn: sqlite3.Connection) -> int:
    """The highest outbox seq (0 when empty)."""
    (value,) = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
    return int(value)


def ack(conn: sqlite3.Connection, writer: str, seq: int, *, now: str | None = None, count: int = 0) -> None:
    """Mark ``writer`` delivered up to ``seq`` (never backwards); a success clears its failures."""
    highest = top(conn)
    if seq < 0 or seq > highest:
        raise ValueError(f"ack of seq {seq} outside the outbox (0..{highest})")
    conn.execute(
        """INSERT INTO delivery (writer, last_seq, delivered, last_success_at, last_attempt_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (writer) DO UPDATE SET last_seq = max(delivery.last_seq, excluded.last_seq),
               delivered = delivery.delivered + excluded.delivered,
               last_success_at = coalesce(excluded.last_success_at, delivery.last_success_at),
               last_attempt_at = coalesce(excluded.last_attempt_at, delivery.last_attempt_at),
               failures = 0, failing_since = NULL""",
        (writer, seq, count, now, now),
    )


def note_failure(conn: sqlite3.Connection, writer: str, error: str, now: str) -> None:
    """Count a failed delivery attempt of ``writer`` and keep its error (code and detail, no content)."""
    conn.execute(
        """INSERT INTO delivery (writer, last_seq, last_attempt_at, failures, failing_since, last_error)
           VALUES (?, 0, ?, 1, ?, ?)
           ON CONFLICT (writer) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
               failures = delivery.failures + 1,
               failing_since = coalesce(delivery.failing_since, excluded.failing_since),
               last_error = excluded.last_error""",
        (writer, now, now, error),
    )


def undelivered(conn: sqlite3.Connection, writer: str) -> int:
    """How many outbox items ``writer`` has not acked yet."""
    (count,) = conn.execute(
        """SELECT count(*) FROM outbox
           WHERE seq > coalesce((SELECT last_seq FROM delivery WHERE writer = ?), 0)""",
        (writer,),
    ).fetchone()
    return int(count)


def status(conn: sqlite3.Connection, writers: Sequence[str]) -> list[WriterStatus]:
    """The status of ``writers`` and of every other writer that ever delivered, in that order."""
    known = [str(r[0]) for r in conn.execute("SELECT writer FROM delivery ORDER BY writer")]
    names = list(dict.fromkeys([*writers, *known]))
    out = []
    for name in names:
        row = conn.execute(
            """SELECT last_seq, delivered, last_success_at, last_attempt_at, failures, failing_since,
                      last_error FROM delivery WHERE writer = ?""",
            (name,),
        ).fetchone() or (0, 0, None, None, 0, None, None)
        count, oldest = conn.execute(
            "SELECT count(*), min(created_at) FROM outbox WHERE seq > ?", (int(row[0]),)
        ).fetchone()
        out.append(
            WriterStatus(
                writer=name,
                last_seq=int(row[0]),
                pending=int(count),
                oldest_pending_at=oldest,
                delivered=int(row[1]),
                last_success_at=row[2],
                last_attempt_at=row[3],
                failures=int(row[4]),
                failing_since=row[5],
                last_error=row[6],
            )
        )
    return out


def rewind(conn: sqlite3.Connection, writer: str, since: str) -> int:
    """Move ``writer`` back to just before the first item that entered the outbox at or after ``since``.

    Returns how many items that makes pending again (0 when it already had them pending).
    """
    start = parse_rfc3339(since)
    rows = conn.execute("SELECT seq, created_at FROM outbox ORDER BY seq").fetchall()
    # Compared as instants, not strings: canonical stamps with and without fractions sort wrongly.
    first = next((int(seq) for seq, created in rows if parse_rfc3339(created) >= start), None)
    if first is None:
        return 0
    current = conn.execute("SELECT last_seq FROM delivery WHERE writer = ?", (writer,)).fetchone()
    last = int(current[0]) if current else 0
    if last < first:
        return 0
    conn.execute(
        """INSERT INTO delivery (writer, last_seq) VALUES (?, ?)
           ON CONFLICT (writer) DO UPDATE SET last_seq = excluded.last_seq""",
        (writer, first - 1),
    )
    return last - first + 1
