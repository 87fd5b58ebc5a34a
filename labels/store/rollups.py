"""Per-user and per-project rollups, kept in the store and fed through the outbox.

A commit marks the user and the project of every new record dirty, in the same transaction. At the
end of a run ``flush`` recomputes the dirty subjects (and those whose in-window counts are older
than a day, so "in the last 30 days" does not go stale), and stores and enqueues a new rollup for
each whose counts changed, in one transaction. A crash before the flush leaves the dirty marks for
the next run: no rollup is lost, and none is fed twice.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from classifier.types import CATEGORIES, SEVERITIES
from labels.record import LabelRecord
from labels.rollup import CategoryRollup, RollupRecord, Scope
from labels.timestamps import parse_rfc3339, rfc3339

_COLUMN: dict[Scope, str] = {"user": "user_id", "project": "project_id"}
REFRESH_AFTER = timedelta(days=1)


def mark_dirty(conn: sqlite3.Connection, record: LabelRecord) -> None:
    """Mark the record's user and project for recomputation."""
    subjects = [("user", record.user.id if record.user else None), ("project", record.project_id)]
    conn.executemany(
        "INSERT OR IGNORE INTO rollup_dirty (scope, subject_id) VALUES (?, ?)",
        [(scope, subject) for scope, subject in subjects if subject],
    )


def flush(conn: sqlite3.Connection, as_of: datetime, window_days: int, now: str) -> list[RollupRecord]:
    """Recompute dirty (and stale in-window) subjects; store and enqueue those that changed."""
    stale_before = rfc3339(as_of - REFRESH_AFTER)
    subjects = conn.execute(
        """SELECT scope, subject_id FROM rollup_dirty
           UNION SELECT scope, subject_id FROM rollups WHERE in_window > 0 AND as_of < ?
           ORDER BY 1, 2""",
        (stale_before,),
    ).fetchall()
    changed = []
    for scope, subject in subjects:
        current = conn.execute(
            """SELECT u.record FROM rollups r JOIN rollup_records u USING (rollup_id)
               WHERE r.scope = ? AND r.subject_id = ?""",
            (scope, subject),
        ).fetchone()
        previous = RollupRecord.model_validate_json(current[0]) if current else None
        fields = compute(conn, scope, subject, as_of, window_days)
        if fields is None:
            continue
        if previous is not None and _same_counts(previous, fields):
            conn.execute(
                "UPDATE rollups SET as_of = ? WHERE scope = ? AND subject_id = ?",
                (rfc3339(as_of), scope, subject),
            )
            continue
        rollup = RollupRecord.build(revision=previous.revision + 1 if previous else 1, **fields)
        _store(conn, rollup, now)
        changed.append(rollup)
    conn.execute("DELETE FROM rollup_dirty")
    return changed


def _same_counts(previous: RollupRecord, fields: dict[str, Any]) -> bool:
    """True when nothing but ``as_of`` differs from the stored rollup."""
    candidate = RollupRecord.build(revision=previous.revision, **fields)
    return candidate.rollup_id == previous.rollup_id


def _store(conn: sqlite3.Connection, rollup: RollupRecord, now: str) -> None:
    conn.execute(
        """INSERT INTO rollup_records (rollup_id, scope, subject_id, record, created_at)
           VALUES (?, ?, ?, ?, ?)""",
        (rollup.rollup_id, rollup.scope, rollup.subject_id, rollup.model_dump_json(), now),
    )
    conn.execute("INSERT INTO outbox (rollup_id, created_at) VALUES (?, ?)", (rollup.rollup_id, now))
    in_window = sum(c.chats_in_window for c in rollup.categories.values())
    conn.execute(
        """INSERT INTO rollups (scope, subject_id, rollup_id, as_of, in_window) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (scope, subject_id) DO UPDATE SET rollup_id = excluded.rollup_id,
               as_of = excluded.as_of, in_window = excluded.in_window""",
        (rollup.scope, rollup.subject_id, rollup.rollup_id, rollup.as_of, in_window),
    )


def compute(
    conn: sqlite3.Connection, scope: Scope, subject: str, as_of: datetime, window_days: int
) -> dict[str, Any] | None:
    """The rollup fields of one subject from the stored chats and their history (None: no chats)."""
    column = _COLUMN[scope]
    chats = conn.execute(
        f"""SELECT chat_updated_at, labels, severity, deleted, user_email, organization_uuid
            FROM chats WHERE {column} = ? ORDER BY chat_id""",  # noqa: S608 - column from a fixed map
        (subject,),
    ).fetchall()
    if not chats:
        return None
    history = conn.execute(
        f"""SELECT r.chat_updated_at, json_extract(r.record, '$.labels') FROM records r
            WHERE r.chat_id IN (SELECT chat_id FROM chats WHERE {column} = ?)""",  # noqa: S608
        (subject,),
    ).fetchall()
    window_start = as_of - timedelta(days=window_days)
    live = [row for row in chats if not row[3]]
    counts: dict[str, list[int]] = {}
    for updated, labels, _, _, _, _ in live:
        recent = parse_rfc3339(updated) >= window_start
        for category in json.loads(labels):
            tally = counts.setdefault(category, [0, 0])
            tally[0] += 1
            tally[1] += int(recent)
    seen: dict[str, list[datetime]] = {}
    for updated, labels in history:
        when = parse_rfc3339(updated)
        for category in json.loads(labels or "[]"):
            span = seen.setdefault(category, [when, when])
            span[0], span[1] = min(span[0], when), max(span[1], when)
    categories = {
        c: CategoryRollup(
            chats=counts.get(c, [0, 0])[0],
            chats_in_window=counts.get(c, [0, 0])[1],
            first_seen=rfc3339(seen[c][0]),
            last_seen=rfc3339(seen[c][1]),
        )
        for c in CATEGORIES
        if c in seen
    }
    email = next((row[4] for row in chats if row[4]), None)
    return {
        "scope": scope,
        "subject_id": subject,
        "user": {"id": subject, "email_address": email} if scope == "user" else None,
        "organization_uuid": next((row[5] for row in chats if row[5]), None),
        "as_of": rfc3339(as_of),
        "window_days": window_days,
        "chats": len(live),
        "chats_labelled": sum(1 for row in live if json.loads(row[1])),
        "severity": max((row[2] for row in live), key=SEVERITIES.index, default="none"),
        "categories": categories,
    }
