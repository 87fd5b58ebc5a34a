"""Fixtures for end-to-end tests: a real simulator on loopback and the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fetch.simulator import Faults, SimOrg, SimulatorServer, generate_org

SIM_KEY = "sk-ant-api01-chatsift-simulator"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    """What one CLI run printed and returned."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Sim:
    """A running simulator with its organisation and faults."""

    org: SimOrg
    server: SimulatorServer
    faults: Faults


@pytest.fixture
def sim() -> Iterator[Sim]:
    """A small seeded organisation served on a free loopback port (no rate limit)."""
    org = generate_org(7, users=4, chats=24)
    faults = Faults()
    server = SimulatorServer(org, port=0, api_key=SIM_KEY, rate_limit_per_minute=None, faults=faults)
    server.start()
    try:
        yield Sim(org, server, faults)
    finally:
        server.stop()


def cli_env(data_dir: Path, sim: Sim | None = None, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: nothing from the developer's own CHATSIFT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSIFT_")}
    env.update(
        CHATSIFT_DATA_DIR=str(data_dir),
        CHATSIFT_NER="off",
        CHATSIFT_MAX_RETRIES="1",
        CHATSIFT_LOG_LEVEL="DEBUG",
        PYTHONPATH=str(ROOT),
    )
    if sim is not None:
        env.update(CHATSIFT_API_URL=sim.server.url, CHATSIFT_API_KEY=SIM_KEY)
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> CliResult:
    """Run ``python -m chatsift ARGS`` and capture everything it prints."""
    proc = subprocess.run(
        [sys.executable, "-m", "chatsift", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def read_jsonl(path: Path) -> list[dict]:
    """Every JSON object of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def feed_items(data_dir: Path) -> list[dict]:
    """Every line of the data directory's JSONL feed: label records and rollups."""
    out: list[dict] = []
    for path in sorted((data_dir / "feed").glob("*.jsonl")):
        out.extend(read_jsonl(path))
    return out


def feed_records(data_dir: Path) -> list[dict]:
    """The label records in the data directory's JSONL feed (rollups left out)."""
    return [item for item in feed_items(data_dir) if item["schema"] == "chatsift.label.v1"]
