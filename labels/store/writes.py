"""The statements of one commit, run inside the caller's transaction (no commits or rollbacks here)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from labels.record import LabelRecord
from labels.store.types import ChatState, RetryItem, StoredActivity
from labels.timestamps import parse_rfc3339

# At the same chat version a better result wins (ties go to the newer commit): a failed refetch
# never hides the labels of a version that was labelled.
_STATUS_RANK = {"error": 0, "partial": 1, "ok": 2}

_INSERT_FINDING = """INSERT INTO findings (record_id, finding_id, chat_id, category, entity, detector, score,
    message_id, role, block, segment, start, "end", evidence, fingerprint)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_REPLACE_CHAT = """INSERT OR REPLACE INTO chats (chat_id, record_id, chat_updated_at, labels, severity,
    status, deleted, user_id, user_email, organization_uuid, project_id, scanned_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def insert_record(conn: sqlite3.Connection, record: LabelRecord, created_at: str) -> bool:
    """Store a record, its findings and its outbox entry; False when its id is already stored."""
    exists = conn.execute("SELECT 1 FROM records WHERE record_id = ?", (record.record_id,)).fetchone()
    if exists:
        return False
    conn.execute(
        "INSERT INTO records (record_id, chat_id, chat_updated_at, status, record) VALUES (?, ?, ?, ?, ?)",
        (record.record_id, record.chat_id, record.chat_updated_at, record.status, record.model_dump_json()),
    )
    conn.executemany(
        _INSERT_FINDING,
        [
            (
                record.record_id,
                f.finding_id,
                record.chat_id,
                f.category,
                f.entity,
                f.detector,
                f.score,
                f.message_id,
                f.role,
                f.block,
                f.segment,
                f.start,
                f.end,
                f.evidence,
                f.fingerprint,
            )
            for f in record.findings
        ],
    )
    conn.execute("INSERT INTO outbox (record_id, created_at) VALUES (?, ?)", (record.record_id, created_at))
    _upsert_chat(conn, record)
    return True


def _supersedes(record: LabelRecord, stored_updated_at: str, stored_status: str) -> bool:
    # Parsed, not compared as text: "…:05Z" sorts after "…:05.5Z" as a string.
    new, old = parse_rfc3339(record.chat_updated_at), parse_rfc3339(stored_updated_at)
    if new != old:
        return new > old
    return _STATUS_RANK[record.status] >= _STATUS_RANK.get(stored_status, 0)


def _upsert_chat(conn: sqlite3.Connection, record: LabelRecord) -> None:
    stored = conn.execute(
        "SELECT chat_updated_at, status FROM chats WHERE chat_id = ?", (record.chat_id,)
    ).fetchone()
    if stored is not None and not _supersedes(record, stored[0], stored[1]):
        return
    user = record.user
    conn.execute(
        _REPLACE_CHAT,
        (
            record.chat_id,
            record.record_id,
            record.chat_updated_at,
            json.dumps(record.labels),
            record.severity,
            record.status,
            int(record.deleted),
            user.id if user else None,
            user.email_address if user else None,
            record.organization_uuid,
            record.project_id,
            record.scanned_at,
        ),
    )


def write_retries(
    conn: sqlite3.Connection, retries: Sequence[RetryItem], resolved: Sequence[str], now: str
) -> None:
    """Clear the retry rows of resolved chats, then count one more failed attempt for each retry."""
    conn.executemany("DELETE FROM retry WHERE chat_id = ?", [(chat_id,) for chat_id in resolved])
    conn.executemany(
        """INSERT INTO retry (chat_id, chat_updated_at, error_code, attempts, first_failed_at, last_failed_at)
           VALUES (?, ?, ?, 1, ?, ?)
           ON CONFLICT (chat_id) DO UPDATE SET
               chat_updated_at = coalesce(excluded.chat_updated_at, retry.chat_updated_at),
               error_code = excluded.error_code,
               attempts = retry.attempts + 1,
               last_failed_at = excluded.last_failed_at""",
        [(r.chat_id, r.chat_updated_at, r.error_code, now, now) for r in retries],
    )


def set_cursor(conn: sqlite3.Connection, name: str, value: str, now: str) -> None:
    """Move a named cursor."""
    conn.execute(
        """INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
        (name, value, now),
    )


def delete_cursor(conn: sqlite3.Connection, name: str) -> None:
    """Forget a named cursor (a finished backfill)."""
    conn.execute("DELETE FROM cursors WHERE name = ?", (name,))


def write_chat_states(conn: sqlite3.Connection, states: Sequence[ChatState], now: str) -> None:
    """Record how far each chat's messages were read, and the record holding their findings."""
    conn.executemany(
        """INSERT INTO chat_state (chat_id, record_id, ruleset, message_cursor, messages_scanned, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (chat_id) DO UPDATE SET record_id = excluded.record_id, ruleset = excluded.ruleset,
               message_cursor = excluded.message_cursor, messages_scanned = excluded.messages_scanned,
               updated_at = excluded.updated_at""",
        [(s.chat_id, s.record_id, s.ruleset, s.message_cursor, s.messages_scanned, now) for s in states],
    )


def purge_evidence(conn: sqlite3.Connection, chat_id: str, marker: str) -> int:
    """Replace the evidence of every stored finding of a chat by ``marker``; returns findings purged.

    Offsets, entities and fingerprints stay (they hold no text); the stored record documents are
    rewritten the same way, so records still waiting in the outbox go out purged too. The chat's
    incremental state goes: the next version of the chat is read from its first message.
    """
    conn.execute("DELETE FROM chat_state WHERE chat_id = ?", (chat_id,))
    cur = conn.execute(
        "UPDATE findings SET evidence = ? WHERE chat_id = ? AND evidence != ?", (marker, chat_id, marker)
    )
    purged = cur.rowcount
    rows = conn.execute("SELECT record_id, record FROM records WHERE chat_id = ?", (chat_id,)).fetchall()
    for record_id, text in rows:
        document = json.loads(text)
        findings = document.get("findings") or []
        if not any(f.get("evidence") != marker for f in findings):
            continue
        for finding in findings:
            finding["evidence"] = marker
        conn.execute(
            "UPDATE records SET record = ? WHERE record_id = ?",
            (json.dumps(document, ensure_ascii=False, separators=(",", ":")), record_id),
        )
    return purged


def insert_activities(conn: sqlite3.Connection, activities: Sequence[StoredActivity], now: str) -> int:
    """Store activities not yet stored (the feed is at-least-once: dedupe on id); returns how many."""
    before = conn.total_changes
    conn.executemany(
        """INSERT OR IGNORE INTO activities (activity_id, created_at, type, actor_type, actor_user_id,
               organization_uuid, chat_id, activity, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                a.activity_id,
                a.created_at,
                a.type,
                a.actor_type,
                a.actor_user_id,
                a.organization_uuid,
                a.chat_id,
                json.dumps(a.activity, ensure_ascii=False, separators=(",", ":")),
                now,
            )
            for a in activities
        ],
    )
    return conn.total_changes - before
