"""End to end: a scan feeds a real rsyslog over TCP and TLS; a receiver outage loses nothing.

The scan runs as the real CLI in a subprocess against the simulator, with three feeds at once: the
JSONL file, syslog over plain TCP and syslog over TLS (RFC 5424, RFC 6587 octet counting). What
rsyslog wrote is parsed back and compared with the store's outbox: every record and rollup
arrives, on each listener, exactly once when nothing fails; after an outage, at least once, and
every repeat of an id is byte-identical to its first delivery.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from fetch.simulator import SimulatorServer, generate_org
from labels import FeedOutbox, LabelRecord
from labels.formats.syslog import parse
from tests.chatsift.conftest import SIM_KEY, cli_env, run_cli
from tests.labels.rsyslog import RsyslogServer


@pytest.fixture
def slow_sim() -> Iterator[SimulatorServer]:
    """36 chats of 6 users, with 30 ms per response: a scan of 9 pages takes long enough to cut into."""
    server = SimulatorServer(
        generate_org(11, users=6, chats=36),
        port=0,
        api_key=SIM_KEY,
        rate_limit_per_minute=None,
        latency_s=0.03,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def feed_env(data_dir: Path, sim: SimulatorServer, rsyslog: RsyslogServer, **extra: str) -> dict[str, str]:
    feeds = [
        {"type": "jsonl"},
        {"type": "syslog", "name": "siem-tcp", "host": "127.0.0.1", "port": rsyslog.port, "tls": False},
        {
            "type": "syslog",
            "name": "siem-tls",
            "host": "127.0.0.1",
            "port": rsyslog.tls_port,
            "tls": True,
            "ca_file": str(rsyslog.ca_file),
            "timeout_s": 5,
        },
    ]
    env = cli_env(data_dir, CHATSIFT_FEEDS=json.dumps(feeds), CHATSIFT_PAGE_SIZE="4", **extra)
    env.update(
        CHATSIFT_API_URL=sim.url, CHATSIFT_API_KEY=SIM_KEY, CHATSIFT_FIRST_RUN_SINCE="2020-01-01T00:00:00Z"
    )
    return env


def outbox_ids(data_dir: Path) -> tuple[set[str], int]:
    """Every item id in the store's outbox, and how many of them are label records."""
    with FeedOutbox(data_dir / "chatsift.db") as outbox:
        items = [item for _, item in outbox.iter_outbox("nobody", 1_000_000)]
    ids = {item.record_id if isinstance(item, LabelRecord) else item.rollup_id for item in items}
    return ids, sum(isinstance(item, LabelRecord) for item in items)


def received_by_listener(rsyslog: RsyslogServer) -> dict[str, dict[str, list[str]]]:
    """listener -> event id (the SD ``id``) -> every raw message that carried it."""
    out: dict[str, dict[str, list[str]]] = {"plain": defaultdict(list), "tls": defaultdict(list)}
    for received in rsyslog.received_records():
        message = parse(received.raw)
        (params,) = message.sd.values()
        payload = json.loads(message.msg)
        assert payload["metadata"]["uid"] == params["id"]  # the OCSF payload carries the same id
        assert payload["class_uid"] == 2006
        out[received.input][params["id"]].append(received.raw)
    return out


def assert_delivered(data_dir: Path, rsyslog: RsyslogServer, *, exactly_once: bool) -> int:
    ids, records = outbox_ids(data_dir)
    assert records >= 30 and len(ids) > records  # label records and rollups
    for listener, got in received_by_listener(rsyslog).items():
        assert set(got) == ids, listener  # none lost, nothing unknown
        for event_id, copies in got.items():
            assert len(set(copies)) == 1, event_id  # a repeat is the same message, same id
            if exactly_once:
                assert len(copies) == 1, (listener, event_id)
    return len(ids)


def test_a_scan_feeds_rsyslog_over_tcp_and_tls_exactly_once(
    tmp_path: Path, slow_sim: SimulatorServer, rsyslog: RsyslogServer
) -> None:
    data = tmp_path / "data"
    done = run_cli(["scan", "--json"], feed_env(data, slow_sim, rsyslog))
    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["complete"] and report["rollups_changed"] >= 6
    assert {f["name"]: f["pending"] for f in report["feed"]} == {"jsonl": 0, "siem-tcp": 0, "siem-tls": 0}
    count = assert_delivered(data, rsyslog, exactly_once=True)
    assert {f["name"]: f["delivered"] for f in report["feed"]} == dict.fromkeys(
        ["jsonl", "siem-tcp", "siem-tls"], count
    )
    # The same items reached the JSONL file, and `feed status` shows no lag anywhere.
    lines = (data / "feed" / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == count
    status = run_cli(["feed", "status", "--json"], feed_env(data, slow_sim, rsyslog))
    assert status.code == 0, status.stderr
    assert {f["writer"]: (f["pending"], f["lag_s"]) for f in json.loads(status.stdout)["feeds"]} == {
        "jsonl": (0, 0), "siem-tcp": (0, 0), "siem-tls": (0, 0)
    }  # fmt: skip


class _Outage(threading.Thread):
    """Stops rsyslog once ``after`` messages arrived; restarts it ``restart_after`` s later (or never)."""

    def __init__(self, rsyslog: RsyslogServer, after: int, restart_after: float | None) -> None:
        super().__init__(daemon=True)
        self.rsyslog, self.after, self.restart_after = rsyslog, after, restart_after
        self.stopped_at: float | None = None
        self.finished = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self.finished.is_set():
            try:
                if len(self.rsyslog.received()) >= self.after:
                    break
            except ValueError:  # a line being written: look again
                pass
            time.sleep(0.01)
        else:
            return
        self.rsyslog.stop()
        self.stopped_at = time.monotonic()
        if self.restart_after is not None:
            time.sleep(self.restart_after)
            self.rsyslog.start()


def _scan(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    proc = subprocess.run(
        [sys.executable, "-m", "chatsift", "scan", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, time.monotonic()


def test_receiver_down_mid_scan_then_feed_deliver_loses_nothing(
    tmp_path: Path, slow_sim: SimulatorServer, rsyslog: RsyslogServer
) -> None:
    data = tmp_path / "data"
    env = feed_env(data, slow_sim, rsyslog, CHATSIFT_FEED_WAIT_S="0")
    outage = _Outage(rsyslog, after=8, restart_after=None)
    outage.start()
    proc, ended = _scan(env)
    outage.finished.set()
    outage.join()
    assert outage.stopped_at is not None and outage.stopped_at < ended  # it went down during the scan
    # Labels are all stored; the run says the syslog feeds are behind and exits "incomplete" (6).
    assert proc.returncode == 6, proc.stderr
    report = json.loads(proc.stdout)
    assert report["chats_failed"] == 0 and report["records_written"] >= 30
    behind = {f["name"]: f for f in report["feed"] if f["pending"]}
    assert set(behind) == {"siem-tcp", "siem-tls"}
    assert all("127.0.0.1" in f["error"] and not f["refused"] for f in behind.values())
    status = run_cli(["feed", "status"], env)
    assert status.code == 0 and "siem-tcp" in status.stdout and "ECONNREFUSED" in status.stdout
    # The receiver comes back; delivering now sends the backlog.
    rsyslog.start()
    deliver = run_cli(["feed", "deliver"], env)
    assert deliver.code == 0, deliver.stderr
    assert "feed siem-tcp:" in deliver.stdout and "0 pending" in deliver.stdout
    assert_delivered(data, rsyslog, exactly_once=False)


def test_receiver_restarted_mid_scan_is_caught_up_by_the_same_scan(
    tmp_path: Path, slow_sim: SimulatorServer, rsyslog: RsyslogServer
) -> None:
    data = tmp_path / "data"
    env = feed_env(data, slow_sim, rsyslog, CHATSIFT_FEED_WAIT_S="60")
    outage = _Outage(rsyslog, after=8, restart_after=1.0)
    outage.start()
    proc, ended = _scan(env)
    outage.finished.set()
    outage.join()
    assert outage.stopped_at is not None and outage.stopped_at < ended
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["complete"] and all(f["pending"] == 0 for f in report["feed"])
    assert {f["name"] for f in report["feed"] if f["failures"]} >= {"siem-tcp"}  # it did fail, then recovered
    assert_delivered(data, rsyslog, exactly_once=False)
