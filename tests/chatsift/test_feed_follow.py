"""``chatsift feed deliver --follow``: a continuous feed beside the process that commits labels."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from chatsift.feedcli import deliver
from chatsift.settings import load_settings
from labels import LabelStore
from tests.labels.conftest import record


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _wait_for(path: Path, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while len(lines := _lines(path)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return lines


def test_follow_delivers_what_another_process_commits_until_stopped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = load_settings(data_dir=data)
    feed = data / "feed" / "labels.jsonl"
    stop = threading.Event()
    progress: list[str] = []
    with LabelStore(settings.db_path) as store:  # the "scan": holds the store's lock and commits
        store.commit([record("claude_chat_0")])
        result: list[object] = []
        follower = threading.Thread(
            target=lambda: result.extend(
                deliver(settings, [], follow=True, interval=0.05, progress=progress.append, stop=stop)
            )
        )
        follower.start()
        try:
            assert len(_wait_for(feed, 1)) == 1
            store.commit([record(f"claude_chat_{i}") for i in range(1, 4)])
            lines = _wait_for(feed, 4)
        finally:
            stop.set()
            follower.join(30)
    assert [json.loads(line)["chat_id"] for line in lines] == [f"claude_chat_{i}" for i in range(4)]
    (outcome,) = result
    assert outcome.name == "jsonl" and outcome.delivered == 4 and outcome.pending == 0  # type: ignore[attr-defined]
    assert progress[0].startswith("delivering every 0.05s to jsonl")
    assert any("feed jsonl: 4 delivered, 0 pending" in line for line in progress)
