"""kill -9 at seeded points of a scan, rerun, and the store and deduplicated feed are as if never killed.

Two phases, each against its own loopback simulator serving the same seeded organisation:

1. the first nightly run over a fresh data directory;
2. after the organisation changed (messages added to long chats, a chat soft-deleted, one
   hard-deleted, a new chat): the incremental run over a copy of phase 1's data directory.

A counting run of each phase tells how often the scan passes each crash point
(``chatsift.crashpoints``); the test then picks at least 20 (phase, point, n) at random from a fixed
seed, kills the real CLI process with SIGKILL at the n-th pass, reruns it, and compares everything
the store holds (except wall-clock stamps) and the feed deduplicated on ``record_id`` with the
uninterrupted run's.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chatsift.crashpoints import COUNTS_ENV, ENV, POINTS
from fetch.simulator import SimOrg, SimulatorServer, generate_org
from tests.chatsift.conftest import SIM_KEY, cli_env, feed_records, run_cli

SEED = 11
SCENARIOS = 24
PICK_SEED = 20261124


def _org(changed: bool) -> SimOrg:
    org = generate_org(SEED, users=4, chats=30)
    if changed:
        live = [c.id for c in org.chats if c.deleted_at is None]
        for chat_id in live[:3]:
            org.append_message(chat_id, "user", "and the staging key is AKIAIOSFODNN7EXAMPLE, right?")
            org.append_message(chat_id, "assistant", "Please rotate it; write to ops@example.com.")
        org.soft_delete(live[3])
        org.hard_delete(live[4])
    return org


@dataclass
class Phase:
    """One phase's simulator, its uninterrupted result, and how often it passes each point."""

    number: int
    server: SimulatorServer
    seed_dir: Path | None  # the data directory a run of this phase starts from (None: empty)
    expected_store: dict[str, Any]
    expected_feed: dict[str, Any]
    counts: dict[str, int]
    key: Path  # the fingerprint key the uninterrupted runs used


def _env(data_dir: Path, server: SimulatorServer, **extra: str) -> dict[str, str]:
    # One fingerprint key for every run (fresh data directories would each make their own): the
    # data directory's parent holds it.
    env = cli_env(data_dir, None, **extra)
    env.update(
        # One fingerprint key for every run: fresh data directories would each make their own.
        CHATSIFT_HMAC_KEY_FILE=str(data_dir.parent / "hmac.key"),
        CHATSIFT_API_URL=server.url,
        CHATSIFT_API_KEY=SIM_KEY,
        CHATSIFT_PAGE_SIZE="7",
        CHATSIFT_FETCH_CONCURRENCY="3",
        CHATSIFT_LOG_LEVEL="WARNING",
    )
    return env


def _start(data_dir: Path, seed_dir: Path | None) -> None:
    if seed_dir is not None:
        shutil.copytree(seed_dir, data_dir)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}


def store_snapshot(db: Path) -> dict[str, Any]:
    """Everything the store holds that a rerun must reproduce (wall-clock stamps left out)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:

        def rows(sql: str, *drop: str) -> list[dict[str, Any]]:
            return [_without(dict(r), *drop) for r in conn.execute(sql)]

        records = {
            r["record_id"]: _without(json.loads(r["record"]), "scanned_at")
            for r in conn.execute("SELECT record_id, record FROM records")
        }
        (top,) = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
        delivered = conn.execute("SELECT last_seq FROM delivery WHERE writer = 'jsonl'").fetchone()
        return {
            "records": records,
            "findings": rows("SELECT * FROM findings ORDER BY record_id, finding_id"),
            "chats": rows("SELECT * FROM chats ORDER BY chat_id", "scanned_at"),
            "chat_state": rows("SELECT * FROM chat_state ORDER BY chat_id", "updated_at"),
            "cursors": rows("SELECT name, value FROM cursors ORDER BY name"),
            "retry": rows("SELECT chat_id, chat_updated_at, error_code FROM retry ORDER BY chat_id"),
            "outbox": sorted(
                r[0] for r in conn.execute("SELECT record_id FROM outbox WHERE record_id IS NOT NULL")
            ),
            # Rollups are deterministic too: same ids and counts (as_of is the run's clock).
            "rollups": {
                r[0]: _without(json.loads(r[1]), "as_of")
                for r in conn.execute(
                    "SELECT u.rollup_id, u.record FROM rollups r JOIN rollup_records u USING (rollup_id)"
                )
            },
            "rollups_fed": conn.execute("SELECT count(*) FROM outbox WHERE rollup_id IS NOT NULL").fetchone()[
                0
            ],
            "activities": rows("SELECT * FROM activities ORDER BY activity_id", "stored_at"),
            "all_delivered": delivered is not None and delivered[0] == top,
        }
    finally:
        conn.close()


def feed_snapshot(data_dir: Path) -> dict[str, Any]:
    """The feed deduplicated on record_id, as a consumer would see it (scan stamps left out)."""
    out: dict[str, Any] = {}
    for record in feed_records(data_dir):
        out.setdefault(record["record_id"], _without(record, "scanned_at"))
    return out


def _run_ok(data_dir: Path, server: SimulatorServer, **extra: str) -> None:
    result = run_cli(["scan", "--quiet"], _env(data_dir, server, **extra))
    assert result.code == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Phase]]:
    """Both phases' simulators and uninterrupted (counting) runs."""
    base = tmp_path_factory.mktemp("crash")
    servers = [
        SimulatorServer(_org(changed), port=0, api_key=SIM_KEY, rate_limit_per_minute=None)
        for changed in (False, True)
    ]
    for server in servers:
        server.start()
    try:
        out: list[Phase] = []
        seed_dir: Path | None = None
        for number, server in enumerate(servers, start=1):
            data_dir = base / f"baseline{number}"
            _start(data_dir, seed_dir)
            counts_file = base / f"counts{number}.json"
            _run_ok(data_dir, server, **{COUNTS_ENV: str(counts_file)})
            counts = json.loads(counts_file.read_text())
            out.append(
                Phase(
                    number,
                    server,
                    seed_dir,
                    store_snapshot(data_dir / "chatsift.db"),
                    feed_snapshot(data_dir),
                    counts,
                    base / "hmac.key",
                )
            )
            seed_dir = data_dir
        yield out
    finally:
        for server in servers:
            server.stop()


def _picks(phases: list[Phase]) -> list[tuple[int, str, int]]:
    """At least SCENARIOS (phase, point, n), every reachable point of both phases at least once."""
    rng = random.Random(PICK_SEED)
    reachable = [
        (p.number, point, p.counts[point]) for p in phases for point in POINTS if p.counts.get(point)
    ]
    picks = [(number, point, rng.randint(1, count)) for number, point, count in reachable]
    while len(picks) < SCENARIOS:
        number, point, count = rng.choice(reachable)
        picks.append((number, point, rng.randint(1, count)))
    return picks


def test_the_counting_runs_reach_every_stage(phases: list[Phase]) -> None:
    for phase in phases:
        for point in ("list_page", "fetched", "classified", "commit", "committed", "feed_written"):
            assert phase.counts.get(point, 0) >= 1, (phase.number, point, phase.counts)
    # Phase 2 is incremental: far fewer chats are fetched than in phase 1.
    assert phases[1].counts["fetched"] < phases[0].counts["fetched"]
    assert phases[1].expected_store["all_delivered"] and phases[0].expected_store["all_delivered"]


def test_kill_9_at_seeded_points_then_rerun_gives_the_uninterrupted_result(
    phases: list[Phase], tmp_path: Path
) -> None:
    picks = _picks(phases)
    assert len(picks) >= 20
    by_number = {p.number: p for p in phases}
    shutil.copy(phases[0].key, tmp_path / "hmac.key")
    for i, (number, point, n) in enumerate(picks):
        phase = by_number[number]
        data_dir = tmp_path / f"run{i}"
        _start(data_dir, phase.seed_dir)
        killed = run_cli(["scan", "--quiet"], _env(data_dir, phase.server, **{ENV: f"{point}:{n}"}))
        assert killed.code == -signal.SIGKILL, (number, point, n, killed.code, killed.stderr[-2000:])
        _run_ok(data_dir, phase.server)
        where = f"phase {number}, killed at {point} #{n}"
        assert store_snapshot(data_dir / "chatsift.db") == phase.expected_store, where
        assert feed_snapshot(data_dir) == phase.expected_feed, where
        shutil.rmtree(data_dir)
