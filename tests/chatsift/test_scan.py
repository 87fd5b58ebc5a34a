"""The nightly scan end to end: real CLI process, real simulator on loopback, real SQLite store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.chatsift.conftest import Sim, cli_env, feed_items, feed_records, run_cli

MESSAGES = "/v1/compliance/apps/chats/{id}/messages"
LIST = "/v1/compliance/apps/chats"


def _requests(sim: Sim) -> dict[str, int]:
    return dict(sim.server.stats.by_path)


def _delta(after: dict[str, int], before: dict[str, int], path: str) -> int:
    return after.get(path, 0) - before.get(path, 0)


def test_first_scan_labels_every_chat_once(sim: Sim, tmp_path: Path) -> None:
    result = run_cli(["scan"], cli_env(tmp_path / "d", sim))
    assert result.code == 0, result.stderr[-2000:]
    records = feed_records(tmp_path / "d")
    live = {chat.id for chat in sim.org.chats}
    assert {r["chat_id"] for r in records} == live
    assert len({r["record_id"] for r in records}) == len(records) == len(live)
    assert "chatsift scan:" in result.stdout and "payment" in result.stdout
    assert any(r["deleted"] for r in records), "the seeded org has soft-deleted chats"
    assert any("secrets" in r["labels"] for r in records)


def test_second_scan_fetches_only_what_changed(sim: Sim, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "d", sim)
    assert run_cli(["scan"], env).code == 0
    first = feed_records(tmp_path / "d")

    before = _requests(sim)
    again = run_cli(["scan"], env)
    assert again.code == 0, again.stderr[-2000:]
    after = _requests(sim)
    assert _delta(after, before, MESSAGES) == 0
    assert _delta(after, before, LIST) == 1
    assert feed_records(tmp_path / "d") == first

    changed = [sim.org.chats[0].id, sim.org.chats[3].id]
    for chat_id in changed:
        sim.org.append_message(chat_id, "user", "one more question about the rollout plan")
    before = _requests(sim)
    third = run_cli(["scan"], env)
    assert third.code == 0, third.stderr[-2000:]
    after = _requests(sim)
    assert _delta(after, before, MESSAGES) == len(changed)
    records = feed_records(tmp_path / "d")
    new = records[len(first) :]
    assert sorted(r["chat_id"] for r in new) == sorted(changed)
    assert len({r["record_id"] for r in records}) == len(records)

    with sqlite3.connect(tmp_path / "d" / "chatsift.db") as db:
        (rows,) = db.execute("select count(*) from records").fetchone()
        (chats,) = db.execute("select count(*) from chats").fetchone()
    assert rows == len(records) and chats == len(first)


def test_failed_chat_is_recorded_then_completed_by_the_rerun(sim: Sim, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "d", sim)
    broken = sim.org.chats[5].id
    sim.faults.fail_messages[broken] = 500
    first = run_cli(["scan"], env)
    assert first.code == 6, first.stderr[-2000:]
    assert broken in first.stderr and "http_500" in first.stdout
    errors = [r for r in feed_records(tmp_path / "d") if r["status"] == "error"]
    assert [r["chat_id"] for r in errors] == [broken]

    sim.faults.fail_messages.clear()
    second = run_cli(["scan"], env)
    assert second.code == 0, second.stderr[-2000:]
    final = [r for r in feed_records(tmp_path / "d") if r["chat_id"] == broken]
    assert [r["status"] for r in final] == ["error", "ok"]
    assert final[0]["record_id"] != final[1]["record_id"]


def test_scan_user_by_email_prints_their_chats(sim: Sim, tmp_path: Path) -> None:
    user = sim.org.users[2]
    result = run_cli(["scan-user", user.email], cli_env(tmp_path / "d", sim))
    assert result.code == 0, result.stderr[-2000:]
    theirs = {c.id for c in sim.org.chats if c.user and c.user.id == user.id}
    assert theirs and all(chat_id in result.stdout for chat_id in theirs)
    assert {r["chat_id"] for r in feed_records(tmp_path / "d")} == theirs
    with sqlite3.connect(tmp_path / "d" / "chatsift.db") as db:
        assert db.execute("select count(*) from cursors").fetchone() == (0,)
        live, labelled = db.execute(
            "select count(*), sum(labels != '[]') from chats where user_id = ? and deleted = 0", (user.id,)
        ).fetchone()
    # The access-review view: the user's rollup (deleted chats left out), as stored and fed.
    assert f"user {user.id}: {live} chats, {labelled} labelled" in result.stdout
    rollups = [
        r for r in feed_items(tmp_path / "d") if r["schema"] == "chatsift.rollup.v1" and r["scope"] == "user"
    ]
    assert [(r["subject_id"], r["chats"], r["chats_labelled"]) for r in rollups] == [
        (user.id, live, labelled)
    ]


def test_unknown_user_and_bad_key_exit_with_documented_codes(sim: Sim, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "d", sim)
    missing = run_cli(["scan-user", "nobody@nowhere.example"], env)
    assert missing.code == 3 and "nobody@nowhere.example" not in missing.stderr
    refused = run_cli(["scan"], {**env, "CHATSIFT_API_KEY": "sk-ant-api01-wrong"})
    assert refused.code == 3 and "401" in refused.stderr and "sk-ant-api01-wrong" not in refused.stderr
    no_key = run_cli(["scan"], {k: v for k, v in env.items() if k != "CHATSIFT_API_KEY"})
    assert no_key.code == 2 and "CHATSIFT_API_KEY" in no_key.stderr
