"""The store's tables, as forward-only migrations recorded in ``schema_version``.

A migration is applied once, in its own transaction, and never edited after release: a change is
a new, higher-numbered migration. A store written by a newer chatsift (a version above the last one
here) is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from labels.errors import StoreError
from labels.timestamps import rfc3339

Migration = tuple[int, tuple[str, ...]]

_V1: tuple[str, ...] = (
    """CREATE TABLE records (
        record_id       TEXT PRIMARY KEY,
        chat_id         TEXT NOT NULL,
        chat_updated_at TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'error')),
        record          TEXT NOT NULL CHECK (json_valid(record))
    )""",
    "CREATE INDEX records_chat ON records (chat_id)",
    """CREATE TABLE findings (
        record_id   TEXT NOT NULL REFERENCES records (record_id),
        finding_id  TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        category    TEXT NOT NULL,
        entity      TEXT NOT NULL,
        detector    TEXT NOT NULL,
        score       REAL NOT NULL CHECK (score >= 0 AND score <= 1),
        message_id  TEXT,
        role        TEXT,
        block       INTEGER NOT NULL,
        segment     TEXT NOT NULL,
        start       INTEGER NOT NULL,
        "end"       INTEGER NOT NULL,
        evidence    TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (record_id, finding_id)
    )""",
    "CREATE INDEX findings_chat ON findings (chat_id)",
    "CREATE INDEX findings_fingerprint ON findings (fingerprint)",
    """CREATE TABLE chats (
        chat_id           TEXT PRIMARY KEY,
        record_id         TEXT NOT NULL REFERENCES records (record_id),
        chat_updated_at   TEXT NOT NULL,
        labels            TEXT NOT NULL CHECK (json_valid(labels)),
        severity          TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'error')),
        deleted           INTEGER NOT NULL CHECK (deleted IN (0, 1)),
        user_id           TEXT,
        user_email        TEXT,
        organization_uuid TEXT,
        project_id        TEXT,
        scanned_at        TEXT NOT NULL
    )""",
    "CREATE INDEX chats_user ON chats (user_id)",
    """CREATE TABLE cursors (
        name       TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE retry (
        chat_id         TEXT PRIMARY KEY,
        chat_updated_at TEXT,
        error_code      TEXT NOT NULL,
        attempts        INTEGER NOT NULL CHECK (attempts >= 1),
        first_failed_at TEXT NOT NULL,
        last_failed_at  TEXT NOT NULL
    )""",
    """CREATE TABLE outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id  TEXT NOT NULL UNIQUE REFERENCES records (record_id),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE delivery (
        writer   TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
    )""",
)

# Issue 3: per-chat message cursors (incremental fetch) and the activity feed with its own cursor.
_V2: tuple[str, ...] = (
    """CREATE TABLE chat_state (
        chat_id          TEXT PRIMARY KEY,
        record_id        TEXT NOT NULL REFERENCES records (record_id),
        ruleset          TEXT NOT NULL,
        message_cursor   TEXT,
        messages_scanned INTEGER NOT NULL CHECK (messages_scanned >= 0),
        updated_at       TEXT NOT NULL
    )""",
    """CREATE TABLE activities (
        activity_id       TEXT PRIMARY KEY,
        created_at        TEXT NOT NULL,
        type              TEXT NOT NULL,
        actor_type        TEXT,
        actor_user_id     TEXT,
        organization_uuid TEXT,
        chat_id           TEXT,
        activity          TEXT NOT NULL CHECK (json_valid(activity)),
        stored_at         TEXT NOT NULL
    )""",
    "CREATE INDEX activities_created ON activities (created_at)",
    "CREATE INDEX activities_chat ON activities (chat_id)",
    "CREATE INDEX activities_actor ON activities (actor_user_id)",
)

# Issue 6: the outbox carries rollups as well as label records; per-writer delivery health; the
# per-user and per-project rollups with the subjects whose rollup must be recomputed.
_V3: tuple[str, ...] = (
    """CREATE TABLE rollup_records (
        rollup_id  TEXT PRIMARY KEY,
        scope      TEXT NOT NULL CHECK (scope IN ('user', 'project')),
        subject_id TEXT NOT NULL,
        record     TEXT NOT NULL CHECK (json_valid(record)),
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE rollups (
        scope      TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        rollup_id  TEXT NOT NULL REFERENCES rollup_records (rollup_id),
        as_of      TEXT NOT NULL,
        in_window  INTEGER NOT NULL,
        PRIMARY KEY (scope, subject_id)
    )""",
    """CREATE TABLE rollup_dirty (
        scope      TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        PRIMARY KEY (scope, subject_id)
    )""",
    "CREATE INDEX chats_project ON chats (project_id)",
    # SQLite cannot relax a NOT NULL in place: the outbox is rebuilt with the same seq values, so
    # every writer's delivery position stays valid.
    """CREATE TABLE outbox_v3 (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id  TEXT UNIQUE REFERENCES records (record_id),
        rollup_id  TEXT UNIQUE REFERENCES rollup_records (rollup_id),
        created_at TEXT NOT NULL,
        CHECK ((record_id IS NULL) != (rollup_id IS NULL))
    )""",
    "INSERT INTO outbox_v3 (seq, record_id, created_at) SELECT seq, record_id, created_at FROM outbox",
    "DROP TABLE outbox",
    "ALTER TABLE outbox_v3 RENAME TO outbox",
    "ALTER TABLE delivery ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE delivery ADD COLUMN last_success_at TEXT",
    "ALTER TABLE delivery ADD COLUMN last_attempt_at TEXT",
    "ALTER TABLE delivery ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE delivery ADD COLUMN failing_since TEXT",
    "ALTER TABLE delivery ADD COLUMN last_error TEXT",
)

MIGRATIONS: tuple[Migration, ...] = ((1, _V1), (2, _V2), (3, _V3))
LATEST = MIGRATIONS[-1][0]


def current_version(conn: sqlite3.Connection) -> int:
    """The highest applied migration (0 for a new file)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    (version,) = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(version)


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply every migration above the stored version, each in one transaction; return the version."""
    version = current_version(conn)
    latest = migrations[-1][0]
    if version > latest:
        raise StoreError(
            f"the store's schema version {version} is newer than this chatsift supports ({latest}); "
            "upgrade chatsift",
            code="store_schema_too_new",
        )
    for number, statements in migrations:
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (number, rfc3339(datetime.now(UTC))),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        version = number
    return version
