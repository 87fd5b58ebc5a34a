"""Rule 1, proven: planted canaries and raw message text never leave memory.

Canaries go into chat names, prose next to secrets (so they sit inside evidence windows), chats
whose fetch fails, a chat whose body is malformed, and offline input. Then ``scan`` (one run that
fails part-way, one that completes), ``scan-user`` and ``classify`` run as real subprocesses at
DEBUG log level, and every byte they leave behind is searched: every file under the data
directory (the JSONL feed in every format among it), the classify outputs, what a real rsyslog
received from the syslog feed, and everything printed on stdout and stderr (a stdout feed and
``feed render`` in every format among it).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx
import pytest

from tests.chatsift.conftest import SIM_KEY, CliResult, Sim, cli_env, run_cli
from tests.labels.rsyslog import RsyslogServer

RUN = 24  # no run of this many characters of any message text may appear anywhere


def _canary() -> str:
    return "cnry" + secrets.token_hex(14)


def _plant(sim: Sim) -> tuple[list[str], dict[str, str]]:
    """Add chats full of canaries; return the canaries and which chat ids to break."""
    users = sim.org.users
    canaries = [_canary() for _ in range(8)]
    c = canaries
    key = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    ok_chat = sim.org.add_chat(
        users[0].id,
        [
            ("user", f"deploy notes {c[0]} then the key {key} {c[1]} and mail ops@corp.example {c[2]}"),
            ("assistant", f"Card 4111 1111 1111 1111 is a test card; {c[3]} is not."),
        ],
        name=f"Chat named {c[4]}",
    )
    failing = sim.org.add_chat(users[1].id, [("user", f"this one will fail to fetch {c[5]} {key}")])
    malformed = sim.org.add_chat(users[1].id, [("user", f"this one comes back malformed {c[6]}")])
    sim.org.add_chat(users[2].id, [("user", f"plain text with a canary {c[7]} in the middle of it")])
    return canaries, {"ok": ok_chat, "failing": failing, "malformed": malformed}


def _raw_texts(sim: Sim) -> tuple[list[str], list[str]]:
    """Every text of every chat as the API serves it, and the metadata strings records may carry."""
    texts: list[str] = []
    meta: list[str] = []
    headers = {"x-api-key": SIM_KEY}
    with httpx.Client(base_url=sim.server.url, headers=headers, timeout=10) as client:
        for user in sim.org.users:
            meta.extend(filter(None, [user.id, user.email]))
        page = client.get("/v1/compliance/apps/chats", params={"limit": 1000}).json()
        for item in page["data"]:
            meta.extend(filter(None, [item["id"], item.get("href"), item.get("project_id")]))
            texts.append(item.get("name") or "")
            body = client.get(f"/v1/compliance/apps/chats/{item['id']}/messages").json()
            for message in body["chat_messages"]:
                meta.append(message["id"])
                for block in message["content"]:
                    texts.append(block.get("text") or block.get("input") or "")
                    texts.extend(
                        part.get("text", "") for part in block.get("content") or [] if isinstance(part, dict)
                    )
    return [t for t in texts if t], meta


def _windows(texts: list[str], meta: list[str]) -> set[bytes]:
    """Every RUN-byte window of the raw texts, minus windows that are metadata records legitimately hold."""
    meta_blob = "\n".join(meta).encode()
    out: set[bytes] = set()
    for text in texts:
        data = text.encode("utf-8")
        for i in range(max(0, len(data) - RUN + 1)):
            window = data[i : i + RUN]
            if window.strip() and window not in meta_blob:
                out.add(window)
    return out


def _haystack(paths: list[Path], outputs: list[CliResult]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            found[str(path)] = path.read_bytes()
    for i, result in enumerate(outputs):
        found[f"run{i}.stdout"] = result.stdout.encode()
        found[f"run{i}.stderr"] = result.stderr.encode()
    return found


def _assert_clean(haystack: dict[str, bytes], canaries: list[str], windows: set[bytes]) -> None:
    assert haystack, "nothing was searched"
    for name, data in haystack.items():
        for canary in canaries:
            assert canary.encode() not in data, f"canary found in {name}"
        for i in range(max(0, len(data) - RUN + 1)):
            if data[i : i + RUN] in windows:
                raise AssertionError(f"a {RUN}-character run of message text appears in {name} at byte {i}")


def _feeds(rsyslog: RsyslogServer) -> str:
    """Every feed format at once: files in DATA_DIR/feed, events on stdout, syslog to rsyslog."""
    feeds: list[dict[str, object]] = [
        {"type": "jsonl"},
        {"type": "stdout", "format": "ecs", "granularity": "finding"},
    ]
    feeds += [
        {
            "type": "jsonl",
            "name": f"file-{fmt}",
            "format": fmt,
            "filename": f"{fmt}.jsonl",
            "granularity": "finding",
        }
        for fmt in ("ocsf", "ecs", "cef", "syslog")
    ]
    feeds.append(
        {"type": "syslog", "host": "127.0.0.1", "port": rsyslog.port, "tls": False, "payload": "cef"}
    )
    return json.dumps(feeds)


@pytest.mark.parametrize("ner", ["off", pytest.param("always", marks=pytest.mark.spacy)])
def test_no_canary_or_raw_run_anywhere(sim: Sim, tmp_path: Path, ner: str, rsyslog: RsyslogServer) -> None:
    canaries, chats = _plant(sim)
    data_dir = tmp_path / "data"
    env = cli_env(data_dir, sim, CHATSIFT_NER=ner, CHATSIFT_PAGE_SIZE="5", CHATSIFT_FEEDS=_feeds(rsyslog))
    runs: list[CliResult] = []

    # 1. A scan that fails part-way: one chat 500s, one is malformed, then the list itself breaks.
    sim.faults.fail_messages[chats["failing"]] = 500
    sim.faults.malformed_messages.add(chats["malformed"])
    sim.faults.fail_list_after_pages = 2
    sim.faults.fail_list_status = 503
    runs.append(run_cli(["scan"], env))
    assert runs[-1].code == 4, runs[-1].stderr[-2000:]

    # 2. The API recovers: the rerun completes, retrying what failed.
    sim.faults.fail_messages.clear()
    sim.faults.malformed_messages.clear()
    sim.faults.fail_list_after_pages = None
    runs.append(run_cli(["scan"], env))
    assert runs[-1].code == 0, runs[-1].stderr[-2000:]

    # 3. On-demand scan of one user.
    runs.append(run_cli(["scan-user", sim.org.users[1].email], env))
    assert runs[-1].code == 0, runs[-1].stderr[-2000:]

    # 4. Offline classify of the same chats, from a file and from stdin, one input malformed.
    texts, meta = _raw_texts(sim)
    chats_json = _export_chats(sim)
    src = tmp_path / "input.jsonl"
    bad = json.dumps({"id": "claude_chat_bad", "chat_messages": [{"id": 5, "content": canaries[0]}]})
    src.write_text("\n".join([*chats_json, bad, "{not json " + canaries[1]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    runs.append(run_cli(["classify", str(src), "--out", str(out), "--store"], env))
    assert runs[-1].code == 6, runs[-1].stderr[-2000:]  # two inputs could not be read
    runs.append(run_cli(["classify", "-", "--out", "-"], env, stdin="\n".join(chats_json)))
    assert runs[-1].code == 0, runs[-1].stderr[-2000:]

    # 5. The feed as SIEM events: every format rendered from the JSONL feed.
    for fmt in ("ocsf", "ecs", "cef", "syslog"):
        runs.append(
            run_cli(["feed", "render", "--format", fmt, str(data_dir / "feed" / "labels.jsonl")], env)
        )
        assert runs[-1].code == 0 and runs[-1].stdout, runs[-1].stderr[-2000:]

    assert out.stat().st_size > 0 and len(list((data_dir / "feed").glob("*.jsonl"))) == 5
    assert rsyslog.received() and "CEF:0|" in rsyslog.received()[0]
    _assert_clean(_haystack([data_dir, out, rsyslog.out], runs), canaries, _windows(texts, meta))


def _export_chats(sim: Sim) -> list[str]:
    """Every chat in the messages-endpoint shape, one JSON document each (the classify input)."""
    out = []
    with httpx.Client(base_url=sim.server.url, headers={"x-api-key": SIM_KEY}, timeout=10) as client:
        page = client.get("/v1/compliance/apps/chats", params={"limit": 1000}).json()
        for item in page["data"]:
            out.append(client.get(f"/v1/compliance/apps/chats/{item['id']}/messages").text)
    return [json.dumps(json.loads(doc)) for doc in out]
