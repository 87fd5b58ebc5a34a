"""The label store on a real SQLite file: dedupe, atomic commits with cursors, retries, reads."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from labels import LabelStore, RetryItem, StoreError
from labels.store.connection import FileLock
from labels.store.migrations import LATEST
from tests.labels.conftest import T0, error_record, record

TABLES = ("records", "findings", "chats", "outbox", "cursors", "retry", "delivery")


def rows(path: Path) -> dict[str, int]:
    """Row count of every table, read through a separate connection."""
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def test_commit_stores_records_findings_outbox_and_chat(store: LabelStore, db_path: Path) -> None:
    batch = [record("claude_chat_1", findings=2), record("claude_chat_2", findings=0)]
    result = store.commit(batch)
    assert result.new == tuple(r.record_id for r in batch) and result.skipped == ()
    assert rows(db_path) | {"cursors": 0} == {
        "records": 2, "findings": 2, "chats": 2, "outbox": 2, "cursors": 0, "retry": 0, "delivery": 0,
    }  # fmt: skip
    assert store.latest_for_chat("claude_chat_1") == batch[0]
    assert store.get_record(batch[1].record_id) == batch[1]
    assert store.latest_for_chat("claude_chat_404") is None and store.get_record("lr_nope") is None


def test_same_records_twice_are_all_skipped_and_nothing_grows(store: LabelStore, db_path: Path) -> None:
    batch = [record("claude_chat_1", findings=3), record("claude_chat_2"), error_record("claude_chat_3")]
    first = store.commit(batch)
    before = rows(db_path)
    again = store.commit(batch)
    assert again.new == () and again.skipped == first.new
    assert rows(db_path) == before
    assert len(store.iter_outbox("jsonl", 100)) == 3


def test_duplicate_inside_one_batch_is_stored_once(store: LabelStore, db_path: Path) -> None:
    rec = record(findings=2)
    result = store.commit([rec, rec])
    assert result.new == (rec.record_id,) and result.skipped == (rec.record_id,)
    assert rows(db_path)["records"] == 1 and rows(db_path)["findings"] == 2


def test_has_record(store: LabelStore) -> None:
    rec = record()
    assert not store.has_record(rec.record_id)
    store.commit([rec])
    assert store.has_record(rec.record_id)
    assert not store.has_record(record(updated=T0 + timedelta(seconds=1)).record_id)


def test_cursor_moves_only_with_its_page(store: LabelStore) -> None:
    assert store.get_cursor("nightly") is None
    store.commit([record("claude_chat_1")], cursor=("nightly", "claude_chat_1"))
    assert store.get_cursor("nightly") == "claude_chat_1"
    store.commit([], cursor=("nightly", "claude_chat_2"))
    assert store.get_cursor("nightly") == "claude_chat_2"
    assert store.get_cursor("other") is None


def test_failure_mid_batch_keeps_nothing_not_even_the_cursor(store: LabelStore, db_path: Path) -> None:
    good = record("claude_chat_1", findings=2)
    base = record("claude_chat_2", findings=1)
    # Two findings with one id violate the findings primary key: model_copy skips validation,
    # standing in for any statement that fails halfway through a page.
    bad = base.model_copy(update={"findings": [base.findings[0], base.findings[0]]})
    with pytest.raises(StoreError) as info:
        store.commit(
            [good, bad],
            cursor=("nightly", "claude_chat_2"),
            retries=[RetryItem(chat_id="claude_chat_3", error_code="http_500")],
        )
    assert info.value.code.startswith("SQLITE_CONSTRAINT")
    assert store.get_cursor("nightly") is None
    assert not store.has_record(good.record_id)
    assert store.pending_retries() == []
    assert rows(db_path) == dict.fromkeys(TABLES, 0)
    # The store is still usable after the rollback.
    assert store.commit([good], cursor=("nightly", "claude_chat_1")).new == (good.record_id,)
    assert store.get_cursor("nightly") == "claude_chat_1"


def test_a_later_version_replaces_the_chat_labels_an_older_one_does_not(store: LabelStore) -> None:
    v1, v2 = record(updated=T0, findings=1), record(updated=T0 + timedelta(microseconds=500000), findings=0)
    store.commit([v2])
    store.commit([v1])  # arrives late (a replay): stored, but the chat keeps v2
    assert store.has_record(v1.record_id)
    assert store.latest_for_chat("claude_chat_1") == v2
    v3 = record(updated=T0 + timedelta(seconds=1), findings=2)
    store.commit([v3])
    assert store.latest_for_chat("claude_chat_1") == v3
    assert len(store.findings_for_chat("claude_chat_1")) == 2


def test_at_the_same_version_a_failure_never_hides_labels(store: LabelStore) -> None:
    ok, failed = record(findings=1), error_record()
    store.commit([failed])
    assert store.latest_for_chat("claude_chat_1") == failed
    store.commit([ok])
    assert store.latest_for_chat("claude_chat_1") == ok
    late_failure = error_record(code="http_503")
    store.commit([late_failure])
    assert store.has_record(late_failure.record_id)
    assert store.latest_for_chat("claude_chat_1") == ok


def test_retry_rows_count_attempts_and_clear_when_resolved(store: LabelStore) -> None:
    store.commit(
        [], retries=[RetryItem(chat_id="c1", chat_updated_at="2026-03-01T12:00:00Z", error_code="http_500")]
    )
    store.commit([], retries=[RetryItem(chat_id="c2", error_code="timeout")])
    store.commit([], retries=[RetryItem(chat_id="c1", error_code="http_503")])
    pending = {r.chat_id: r for r in store.pending_retries()}
    assert set(pending) == {"c1", "c2"}
    assert pending["c1"].attempts == 2 and pending["c1"].error_code == "http_503"
    assert pending["c1"].chat_updated_at == "2026-03-01T12:00:00Z"  # kept when the retry did not know it
    assert pending["c2"].attempts == 1 and pending["c2"].chat_updated_at is None
    assert pending["c1"].first_failed_at <= pending["c1"].last_failed_at  # type: ignore[operator]
    store.commit([record("c1")], resolved=["c1", "never-failed"])
    assert [r.chat_id for r in store.pending_retries()] == ["c2"]
    assert store.counts().retries == 1


def test_counts_describe_latest_chats(store: LabelStore) -> None:
    store.commit(
        [
            record("claude_chat_1", findings=2),
            record("claude_chat_1", findings=0, updated=T0 + timedelta(seconds=5)),
            record("claude_chat_2", findings=1),
            error_record("claude_chat_3"),
        ]
    )
    summary = store.counts()
    assert (summary.chats, summary.records, summary.findings) == (3, 4, 3)
    assert summary.categories["secrets"] == 1 and summary.categories["pii"] == 0
    assert summary.severities == {"none": 2, "low": 0, "medium": 0, "high": 1, "critical": 0}
    assert summary.statuses == {"ok": 2, "partial": 0, "error": 1}
    assert summary.deleted == 0


def test_chats_for_user_returns_their_latest_records(store: LabelStore) -> None:
    store.commit(
        [
            record("claude_chat_1", user="user_a"),
            record("claude_chat_2", user="user_a", updated=T0 + timedelta(hours=1)),
            record("claude_chat_3", user="user_b"),
            record("claude_chat_4", user=None),
        ]
    )
    assert [r.chat_id for r in store.chats_for_user("user_a")] == ["claude_chat_2", "claude_chat_1"]
    assert [r.chat_id for r in store.chats_for_user("user_b")] == ["claude_chat_3"]
    assert store.chats_for_user("user_c") == []


def test_store_survives_reopen(db_path: Path) -> None:
    rec = record(findings=2)
    with LabelStore(db_path) as s:
        s.commit([rec], cursor=("nightly", "x"))
    with LabelStore(db_path) as s:
        assert s.latest_for_chat(rec.chat_id) == rec and s.get_cursor("nightly") == "x"
        assert s.commit([rec]).skipped == (rec.record_id,)


def test_pragmas_and_schema_version(store: LabelStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT max(version) FROM schema_version").fetchone() == (LATEST,)
    conn = store._db()  # the store's own connection: per-connection settings
    assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_a_newer_store_is_refused(db_path: Path) -> None:
    LabelStore(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO schema_version VALUES (?, '2099-01-01T00:00:00Z')", (LATEST + 1,))
    with pytest.raises(StoreError, match="newer than this chatsift supports") as info:
        LabelStore(db_path)
    assert info.value.code == "store_schema_too_new"
    FileLock(db_path.with_name("chatsift.db.lock")).release()  # the failed open let go of the lock


def test_closed_store_raises_store_error(db_path: Path) -> None:
    s = LabelStore(db_path)
    s.close()
    s.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        s.has_record("lr_x")
