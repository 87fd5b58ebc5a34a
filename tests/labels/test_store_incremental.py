"""Store features of issue 3: message cursors per chat, evidence purge, forgotten cursors, activities."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from labels import PURGED_EVIDENCE, ChatState, LabelRecord, LabelStore, StoredActivity
from labels.store.migrations import LATEST
from tests.labels.conftest import T0, record


def state(rec_id: str, cursor: str | None = "msgcur_1", scanned: int = 3) -> ChatState:
    return ChatState(
        chat_id="claude_chat_1",
        record_id=rec_id,
        ruleset="v1-test",
        message_cursor=cursor,
        messages_scanned=scanned,
    )


def test_chat_state_commits_with_its_record_and_moves(store: LabelStore) -> None:
    first = record(findings=2)
    assert store.chat_state("claude_chat_1") is None
    store.commit([first], states=[state(first.record_id)])
    assert store.chat_state("claude_chat_1") == state(first.record_id)
    later = record(findings=3, updated=T0.replace(hour=13))
    store.commit([later], states=[state(later.record_id, "msgcur_2", 5)])
    got = store.chat_state("claude_chat_1")
    assert got is not None and got.message_cursor == "msgcur_2" and got.messages_scanned == 5


class Boom(Exception):
    pass


def explode() -> None:
    raise Boom


def test_a_failed_commit_keeps_neither_record_nor_state_nor_purge(db_path: Path) -> None:
    old = record(findings=1)
    with LabelStore(db_path) as store:
        store.commit([old], states=[state(old.record_id)])
    new = record(findings=2, updated=T0.replace(hour=15))
    with LabelStore(db_path, before_commit=explode) as store, pytest.raises(Boom):
        store.commit([new], states=[state(new.record_id, "msgcur_9")], purge=["claude_chat_1"])
    with LabelStore(db_path) as store:
        assert store.chat_state("claude_chat_1") == state(old.record_id)
        assert not store.has_record(new.record_id)
        kept = store.get_record(old.record_id)
        assert kept is not None and kept.findings[0].evidence == old.findings[0].evidence


def test_purge_replaces_evidence_everywhere_keeps_offsets_and_fingerprints(
    store: LabelStore, db_path: Path
) -> None:
    old = record(findings=2)
    store.commit([old], states=[state(old.record_id)])
    deleted = record(findings=0, updated=T0.replace(hour=14))
    result = store.commit([deleted], purge=["claude_chat_1"])
    assert result.purged == 2
    again = store.get_record(old.record_id)
    assert again is not None
    assert [f.evidence for f in again.findings] == [PURGED_EVIDENCE] * 2
    assert [(f.start, f.end, f.fingerprint) for f in again.findings] == [
        (f.start, f.end, f.fingerprint) for f in old.findings
    ]
    with sqlite3.connect(db_path) as conn:
        evidence = {row[0] for row in conn.execute("SELECT evidence FROM findings")}
        texts = [row[0] for row in conn.execute("SELECT record FROM records")]
    assert evidence == {PURGED_EVIDENCE}
    assert not any("AWS_ACCESS_KEY:AKIA" in t for t in texts)
    assert store.chat_state("claude_chat_1") is None  # the next version is read from the start
    # The outbox delivers the purged form of records not yet sent.
    sent = [r for _, r in store.iter_outbox("jsonl", 10) if isinstance(r, LabelRecord)]
    assert sent and all(f.evidence == PURGED_EVIDENCE for r in sent for f in r.findings)
    # Purging twice changes nothing more.
    assert store.commit([], purge=["claude_chat_1"]).purged == 0


def test_purge_leaves_other_chats_alone(store: LabelStore) -> None:
    mine, other = record("claude_chat_1"), record("claude_chat_2")
    store.commit([mine, other])
    store.commit([], purge=["claude_chat_1"])
    kept = store.get_record(other.record_id)
    assert kept is not None and kept.findings[0].evidence == other.findings[0].evidence


def test_forget_cursor(store: LabelStore) -> None:
    store.commit([], cursor=("backfill", '{"since": "x"}'))
    assert store.get_cursor("backfill") is not None
    store.commit([], forget_cursors=["backfill"])
    assert store.get_cursor("backfill") is None


def activity(n: int, *, chat: str | None = "claude_chat_1") -> StoredActivity:
    return StoredActivity(
        activity_id=f"activity_{n:03d}",
        created_at=f"2026-03-01T12:{n:02d}:00Z",
        type="claude_chat_viewed",
        actor_type="user_actor",
        actor_user_id="user_1",
        organization_uuid="org-uuid-1",
        chat_id=chat,
        activity={"id": f"activity_{n:03d}", "type": "claude_chat_viewed", "claude_chat_id": chat},
    )


def test_activities_dedupe_on_id_and_commit_with_their_cursor(store: LabelStore) -> None:
    assert store.commit_activities([activity(1), activity(2)], cursor=("activities", "t2")) == 2
    assert store.commit_activities([activity(2), activity(3, chat=None)], cursor=("activities", "t3")) == 1
    assert store.get_cursor("activities") == "t3"
    assert [a.activity_id for a in store.activities()] == ["activity_001", "activity_002", "activity_003"]
    assert [a.activity_id for a in store.activities(chat_id="claude_chat_1")] == [
        "activity_001",
        "activity_002",
    ]
    assert store.activities()[0].activity["claude_chat_id"] == "claude_chat_1"
    assert store.counts().activities == 3


def test_before_commit_hook_runs_inside_the_transaction(db_path: Path) -> None:
    with LabelStore(db_path, before_commit=explode) as store, pytest.raises(Boom):
        store.commit([record()], cursor=("nightly", "c1"))
    with LabelStore(db_path) as store:
        assert store.get_cursor("nightly") is None and store.counts().records == 0


def test_version_1_store_migrates_and_keeps_its_records(db_path: Path) -> None:
    from labels.store.migrations import MIGRATIONS, migrate

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    rec = record()
    conn.execute(
        "INSERT INTO records (record_id, chat_id, chat_updated_at, status, record) VALUES (?, ?, ?, ?, ?)",
        (rec.record_id, rec.chat_id, rec.chat_updated_at, rec.status, rec.model_dump_json()),
    )
    conn.close()
    with LabelStore(db_path) as store:
        assert store.get_record(rec.record_id) == rec
        assert store.chat_state(rec.chat_id) is None
    with sqlite3.connect(db_path) as check:
        assert check.execute("SELECT max(version) FROM schema_version").fetchone()[0] == LATEST == 3
    assert json.loads(rec.model_dump_json())["attachments"] == []
