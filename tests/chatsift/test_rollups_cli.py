"""``chatsift rollups``: the access-review view of the stored rollups; and a reader that goes away."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.chatsift.conftest import Sim, cli_env, run_cli


def test_rollups_list_users_and_projects_and_filter_by_category(sim: Sim, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "d", sim)
    assert run_cli(["rollups"], env).code == 2  # no store yet: a clear error, not an empty list
    scan = run_cli(["scan"], env)
    assert scan.code == 0, scan.stderr[-2000:]
    users = [json.loads(line) for line in run_cli(["rollups", "--json"], env).stdout.splitlines()]
    owners = {c.user.id for c in sim.org.chats if c.user}
    assert {u["subject_id"] for u in users} == owners and all(u["scope"] == "user" for u in users)
    projects = [
        json.loads(line) for line in run_cli(["rollups", "--projects", "--json"], env).stdout.splitlines()
    ]
    assert projects and all(p["scope"] == "project" and p["user"] is None for p in projects)

    secrets = [
        json.loads(line)
        for line in run_cli(["rollups", "--category", "secrets", "--json"], env).stdout.splitlines()
    ]
    expected = sorted(
        (u for u in users if u["categories"].get("secrets", {}).get("chats")),
        key=lambda u: -u["categories"]["secrets"]["chats"],
    )
    assert [u["categories"]["secrets"]["chats"] for u in secrets] == [
        u["categories"]["secrets"]["chats"] for u in expected
    ]
    assert {u["subject_id"] for u in secrets} == {u["subject_id"] for u in expected}

    table = run_cli(["rollups"], env)
    assert table.code == 0 and "secrets" in table.stdout.splitlines()[0]
    assert all(u["user"]["email_address"] in table.stdout for u in users if u["user"]["email_address"])
    bad = run_cli(["rollups", "--category", "nope"], env)
    assert bad.code == 2 and "--category must be one of" in bad.stderr


def test_a_reader_that_stops_early_ends_render_quietly(tmp_path: Path) -> None:
    from tests.labels.conftest import record

    source = tmp_path / "labels.jsonl"
    source.write_text("".join(record(f"claude_chat_{i}").model_dump_json() + "\n" for i in range(3000)))
    env = cli_env(tmp_path / "d")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatsift", "feed", "render", "--format", "ocsf", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    code = proc.wait(timeout=120)
    assert json.loads(first)["class_uid"] == 2006
    assert code == 141 and b"internal error" not in proc.stderr.read()
