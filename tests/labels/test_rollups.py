"""Per-user and per-project rollups: counts from the store, fed only when they change."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from labels import LabelStore, RollupRecord
from labels.store.migrations import MIGRATIONS
from tests.labels.conftest import T0, record


def test_rollup_counts_chats_per_category_with_window_and_first_and_last_seen(store: LabelStore) -> None:
    old = record("claude_chat_old", updated=T0 - timedelta(days=60))
    new = record("claude_chat_new", updated=T0)
    clean = record("claude_chat_clean", findings=0, updated=T0)
    store.commit([old, new, clean])
    (rollup,) = [r for r in store.flush_rollups(T0, 30) if r.scope == "user"]
    assert rollup.subject_id == "user_1" and rollup.user and rollup.user.email_address == "user_1@example.com"
    assert (rollup.chats, rollup.chats_labelled, rollup.severity, rollup.revision) == (3, 2, "high", 1)
    secrets = rollup.categories["secrets"]
    assert (secrets.chats, secrets.chats_in_window) == (2, 1)  # "secrets in 2 chats, 1 in the last 30 days"
    assert (secrets.first_seen, secrets.last_seen) == (old.chat_updated_at, new.chat_updated_at)
    assert set(rollup.categories) == {"secrets"}
    assert store.rollup("user", "user_1") == rollup


def test_unchanged_counts_are_not_fed_again_and_a_change_gets_a_new_revision(store: LabelStore) -> None:
    store.commit([record("claude_chat_a")])
    (first,) = store.flush_rollups(T0, 30)
    store.commit([record("claude_chat_a")])  # the same record: skipped, nothing dirty
    assert store.flush_rollups(T0, 30) == []
    store.commit([record("claude_chat_a", updated=T0 + timedelta(hours=1), findings=0)])
    (second,) = store.flush_rollups(T0 + timedelta(hours=2), 30)
    assert second.revision == 2 and second.rollup_id != first.rollup_id
    assert second.chats_labelled == 0 and second.categories["secrets"].chats == 0  # seen before, not now
    fed = [item for _, item in store.iter_outbox("x", 100) if isinstance(item, RollupRecord)]
    assert fed == [first, second]


def test_in_window_counts_are_refreshed_once_a_day_even_without_new_records(store: LabelStore) -> None:
    store.commit([record("claude_chat_a", updated=T0)])
    (first,) = store.flush_rollups(T0, 30)
    assert first.categories["secrets"].chats_in_window == 1
    assert store.flush_rollups(T0 + timedelta(hours=12), 30) == []  # less than a day: left alone
    (later,) = store.flush_rollups(T0 + timedelta(days=31), 30)
    assert later.categories["secrets"].chats_in_window == 0 and later.revision == 2
    assert store.flush_rollups(T0 + timedelta(days=40), 30) == []  # nothing in the window: no more refresh


def test_projects_are_rolled_up_and_chats_without_user_or_project_are_not(store: LabelStore) -> None:
    rec = record("claude_chat_p", user=None).model_copy(update={"project_id": "proj_1"})
    store.commit([rec])
    (rollup,) = store.flush_rollups(T0, 30)
    assert (rollup.scope, rollup.subject_id, rollup.user) == ("project", "proj_1", None)


def test_a_crash_before_the_flush_keeps_the_subjects_dirty(db_path: Path) -> None:
    with LabelStore(db_path) as store:
        store.commit([record("claude_chat_a")])
    with LabelStore(db_path) as store:  # "the next run"
        (rollup,) = store.flush_rollups(T0, 30)
        assert rollup.subject_id == "user_1"


def test_version_2_store_migrates_its_outbox_and_delivery_positions(tmp_path: Path) -> None:
    db = tmp_path / "v2.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for number, statements in MIGRATIONS[:2]:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, '2026-01-01T00:00:00Z')", (number,))
    recs = [record(f"claude_chat_{i}") for i in range(3)]
    for i, rec in enumerate(recs, 1):
        conn.execute(
            "INSERT INTO records (record_id, chat_id, chat_updated_at, status, record) VALUES (?,?,?,?,?)",
            (rec.record_id, rec.chat_id, rec.chat_updated_at, rec.status, rec.model_dump_json()),
        )
        conn.execute(
            "INSERT INTO outbox (seq, record_id, created_at) VALUES (?, ?, ?)",
            (i * 10, rec.record_id, rec.scanned_at),
        )
    conn.execute("INSERT INTO delivery (writer, last_seq) VALUES ('jsonl', 20)")
    conn.close()
    with LabelStore(db) as store:
        assert [(seq, item.record_id) for seq, item in store.iter_outbox("jsonl", 10)] == [
            (30, recs[2].record_id)
        ]  # type: ignore[union-attr]
        store.commit([record("claude_chat_new")])
        assert [seq for seq, _ in store.iter_outbox("jsonl", 10)] == [30, 31]  # the sequence goes on
