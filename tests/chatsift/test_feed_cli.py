"""``chatsift feed render|status|replay|deliver``: the CLI contract, run as real subprocesses.

``render`` turns a JSONL file of label records and rollups into one SIEM event per line (per
finding with ``--granularity finding``); a malformed line is reported by its number only, never by
its content, and the other lines still render (exit 6). ``status``, ``replay`` and ``deliver`` work
on a real store written by ``chatsift classify --store``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from labels import LabelRecord
from labels.formats import FeedItem
from labels.formats.cef import parse as parse_cef
from labels.formats.syslog import parse as parse_syslog
from tests.chatsift.conftest import cli_env, read_jsonl, run_cli
from tests.labels.conftest import CANARY
from tests.labels.formats.items import all_items


def _item_id(item: FeedItem) -> str:
    return item.record_id if isinstance(item, LabelRecord) else item.rollup_id


def _expected(item: FeedItem, granularity: str) -> int:
    if granularity == "finding" and isinstance(item, LabelRecord):
        return max(1, len(item.findings))
    return 1


def _event_id(fmt: str, line: str) -> str:
    """The dedupe id of one rendered line, read back with the format's own parser."""
    if fmt == "ocsf":
        return str(json.loads(line)["metadata"]["uid"])
    if fmt == "ecs":
        return str(json.loads(line)["event"]["id"])
    if fmt == "cef":
        _, ext = parse_cef(line)
        return ext["externalId"]
    message = parse_syslog(line)
    (params,) = message.sd.values()
    return params["id"]


@pytest.fixture
def labels_file(tmp_path: Path) -> tuple[Path, list[FeedItem]]:
    """Records (flagged, clean, error, deleted) and two rollups, one JSON line each."""
    items = list(all_items().values())
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(i.model_dump_json(by_alias=True) + "\n" for i in items), encoding="utf-8")
    return path, items


@pytest.mark.parametrize("granularity", ["chat", "finding"])
@pytest.mark.parametrize("fmt", ["ocsf", "ecs", "cef", "syslog"])
def test_render_writes_one_parseable_event_per_unit_with_the_record_ids(
    tmp_path: Path, labels_file: tuple[Path, list[FeedItem]], fmt: str, granularity: str
) -> None:
    path, items = labels_file
    done = run_cli(
        ["feed", "render", "--format", fmt, "--granularity", granularity, str(path)], cli_env(tmp_path / "d")
    )
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == sum(_expected(i, granularity) for i in items)
    ids = [_event_id(fmt, line) for line in lines]
    if granularity == "chat":
        assert ids == [_item_id(i) for i in items]  # rollups render too, in file order
    else:
        prefixes = Counter(event_id.split(":")[0] for event_id in ids)
        assert prefixes == Counter({_item_id(i): _expected(i, granularity) for i in items})
        flagged = all_items()["flagged"]
        assert isinstance(flagged, LabelRecord)
        assert {f"{flagged.record_id}:{f.finding_id}" for f in flagged.findings} <= set(ids)
    if fmt in ("ocsf", "ecs"):
        assert all(isinstance(json.loads(line), dict) for line in lines)


def test_render_reads_standard_input(tmp_path: Path, labels_file: tuple[Path, list[FeedItem]]) -> None:
    path, items = labels_file
    done = run_cli(
        ["feed", "render", "--format", "ocsf", "-"], cli_env(tmp_path / "d"), stdin=path.read_text("utf-8")
    )
    assert done.code == 0, done.stderr
    assert [_event_id("ocsf", line) for line in done.stdout.splitlines()] == [_item_id(i) for i in items]


def test_a_malformed_line_is_named_by_number_without_its_content(
    tmp_path: Path, labels_file: tuple[Path, list[FeedItem]]
) -> None:
    path, items = labels_file
    good = path.read_text(encoding="utf-8").splitlines()
    flagged = json.loads(good[0])
    flagged["severity"] = CANARY  # fails validation: the value must not be echoed
    flagged["findings"][0]["evidence"] = CANARY
    bad = [
        '{"schema": "chatsift.label.v1", "chat_id": "' + CANARY,  # line 2: bad JSON
        json.dumps({"note": CANARY}),  # line 4: no schema
        json.dumps(flagged),  # line 6: a record that fails validation
        json.dumps([CANARY]),  # line 8: not an object
    ]
    lines = [good[0], bad[0], good[1], bad[1], good[2], bad[2], good[3], bad[3], *good[4:]]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli(["feed", "render", "--format", "cef", str(mixed)], cli_env(tmp_path / "d"))
    assert done.code == 6
    assert CANARY not in done.stderr and CANARY not in done.stdout
    for number in (2, 4, 6, 8):
        assert f"line {number}:" in done.stderr
    for number in (1, 3, 5, 7, 9, 10):
        assert f"line {number}:" not in done.stderr
    assert "severity" in done.stderr  # the field is named, its value is not
    rendered = [_event_id("cef", line) for line in done.stdout.splitlines()]
    assert rendered == [_item_id(i) for i in items]  # every good line still rendered


@pytest.mark.parametrize(
    ("option", "value"),
    [("--format", "xml"), ("--granularity", "message"), ("--payload", "leef")],
)
def test_a_bad_choice_exits_2_with_the_allowed_values(
    tmp_path: Path, labels_file: tuple[Path, list[FeedItem]], option: str, value: str
) -> None:
    path, _ = labels_file
    args = ["feed", "render", "--format", "syslog", str(path), option, value]
    done = run_cli(args, cli_env(tmp_path / "d"))
    assert done.code == 2
    assert f"{option} must be one of" in done.stderr
    assert done.stdout == ""


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.jsonl"
    done = run_cli(["feed", "render", "--format", "ocsf", str(missing)], cli_env(tmp_path / "d"))
    assert done.code == 2
    assert "cannot read" in done.stderr and "nothing.jsonl" in done.stderr


# --- status, replay, deliver on a real store -------------------------------------------------


def _chat(n: int) -> dict[str, Any]:
    text = f"Mail the report to person{n}@example.org please; card 4539 1488 0343 6467."
    return {
        "id": f"claude_chat_feedcli{n:04d}",
        "name": "Feed CLI",
        "created_at": "2026-03-01T10:00:00Z",
        "updated_at": f"2026-03-01T11:{n:02d}:00Z",
        "deleted_at": None,
        "href": f"https://claude.ai/chat/00000000-0000-4000-8000-{n:012d}",
        "user": {"id": f"user_01FEEDCLI{n % 2}", "email_address": f"u{n % 2}@example.com"},
        "chat_messages": [
            {
                "id": f"claude_chat_msg_feedcli{n:04d}",
                "role": "user",
                "created_at": "2026-03-01T10:00:00Z",
                "content": [{"type": "text", "text": text}],
            }
        ],
    }


def _lines(data: Path) -> list[str]:
    return (data / "feed" / "labels.jsonl").read_text(encoding="utf-8").splitlines()


def _status(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = run_cli(["feed", "status", "--json"], env)
    assert done.code == 0, done.stderr
    return {row["writer"]: row for row in json.loads(done.stdout)["feeds"]}


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, dict[str, str], int]:
    """A data dir whose store holds three chats' records (and their rollups), fed to the JSONL file."""
    data = tmp_path / "data"
    env = cli_env(data)
    src = tmp_path / "chats.json"
    src.write_text(json.dumps([_chat(n) for n in range(3)]), encoding="utf-8")
    done = run_cli(["classify", str(src), "--out", str(tmp_path / "out.jsonl"), "--store"], env)
    assert done.code == 0, done.stderr
    items = len(_lines(data))
    assert items >= 3
    return data, env, items


def test_status_without_a_store_exits_2(tmp_path: Path) -> None:
    done = run_cli(["feed", "status"], cli_env(tmp_path / "empty"))
    assert done.code == 2
    assert "no label store" in done.stderr
    assert not (tmp_path / "empty" / "chatsift.db").exists()  # not created by asking


def test_status_after_classify_store_shows_the_jsonl_feed_caught_up(
    stored: tuple[Path, dict[str, str], int],
) -> None:
    data, env, _ = stored
    records = [line for line in _lines(data) if '"chatsift.label.v1"' in line]
    assert len(records) == 3
    rows = _status(env)
    assert set(rows) == {"jsonl"}
    assert rows["jsonl"]["pending"] == 0 and rows["jsonl"]["lag_s"] == 0
    table = run_cli(["feed", "status"], env)
    assert table.code == 0 and "jsonl" in table.stdout


def test_replay_sends_everything_again_with_identical_lines(stored: tuple[Path, dict[str, str], int]) -> None:
    data, env, items = stored
    before = _lines(data)
    done = run_cli(["feed", "replay", "--since", "2000-01-01T00:00:00Z"], env)
    assert done.code == 0, done.stderr
    assert f"feed jsonl: {items} items to send again" in done.stdout
    after = _lines(data)
    assert len(after) == 2 * items
    assert after[:items] == before and after[items:] == before  # same ids, byte-identical lines
    assert _status(env)["jsonl"]["pending"] == 0


def test_replay_no_send_only_rewinds(stored: tuple[Path, dict[str, str], int]) -> None:
    data, env, items = stored
    before = _lines(data)
    done = run_cli(["feed", "replay", "--since", "2000-01-01T00:00:00Z", "--no-send"], env)
    assert done.code == 0, done.stderr
    assert f"feed jsonl: {items} items to send again" in done.stdout
    assert _lines(data) == before
    assert _status(env)["jsonl"]["pending"] == items
    # The next delivery sends them.
    deliver = run_cli(["feed", "deliver"], env)
    assert deliver.code == 0, deliver.stderr
    assert _lines(data) == before + before


def test_replay_of_an_unknown_feed_exits_2(stored: tuple[Path, dict[str, str], int]) -> None:
    _, env, _ = stored
    done = run_cli(["feed", "replay", "--since", "2000-01-01T00:00:00Z", "--feed", "nosuch"], env)
    assert done.code == 2
    assert "nosuch" in done.stderr
    assert _status(env)["jsonl"]["pending"] == 0  # nothing rewound


def test_deliver_sends_the_backlog_to_a_newly_configured_stdout_feed(
    stored: tuple[Path, dict[str, str], int],
) -> None:
    data, env, items = stored
    feeds = [{"type": "jsonl"}, {"type": "stdout", "name": "console", "format": "ocsf"}]
    env = {**env, "CHATSIFT_FEEDS": json.dumps(feeds)}
    assert _status(env)["console"]["pending"] == items
    done = run_cli(["feed", "deliver"], env)
    assert done.code == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    stored_ids = [
        item.get("record_id") or item.get("rollup_id") for item in read_jsonl(data / "feed" / "labels.jsonl")
    ]
    assert [e["metadata"]["uid"] for e in events] == stored_ids
    assert "feed console: " in done.stdout and "0 pending" in done.stdout
    assert _status(env)["console"]["pending"] == 0
    again = run_cli(["feed", "deliver", "--feed", "console"], env)
    assert again.code == 0 and not any(line.startswith("{") for line in again.stdout.splitlines())


def test_a_line_that_is_not_utf8_is_named_by_number_and_the_rest_renders(
    tmp_path: Path, labels_file: tuple[Path, list[FeedItem]]
) -> None:
    path, items = labels_file
    good = path.read_bytes().splitlines(keepends=True)
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(good[0] + b'{"note": "' + CANARY.encode() + b'\xff\xfe"}\n' + b"".join(good[1:]))
    done = run_cli(["feed", "render", "--format", "ocsf", str(mixed)], cli_env(tmp_path / "d"))
    assert done.code == 6
    assert "line 2:" in done.stderr and CANARY not in done.stderr
    assert [_event_id("ocsf", line) for line in done.stdout.splitlines()] == [_item_id(i) for i in items]
