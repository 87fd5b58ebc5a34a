"""The local feed writers on real files and pipes: JSONL rotation and pruning, and the stdout writer.

Rotation renames a full ``labels.jsonl`` to ``labels.<UTC stamp>.jsonl`` before the next batch and
starts a new file; read oldest first, the files hold every line in order, none split across files.
A torn last line left by a crash is cut before the file is rotated. The stdout writer turns a broken
pipe into a retriable ``FeedWriteError`` that names the errno, never the events.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from labels import JsonlFeedWriter, LabelRecord
from labels.errors import FeedWriteError
from labels.formats import Granularity, RenderOptions, renderer
from labels.writers.stdout import StdoutWriter
from tests.labels.conftest import CANARY, record

ROTATED = re.compile(r"^labels\.\d{8}T\d{12}Z\.jsonl$")


def _records(
    n: int, start: int = 0, *, evidence: str = "key [AWS_ACCESS_KEY:AKIA…6Q] here"
) -> list[LabelRecord]:
    return [
        record(f"claude_chat_{i:05d}", findings=1 + i % 3, evidence=evidence) for i in range(start, start + n)
    ]


def _files(writer: JsonlFeedWriter) -> list[Path]:
    """The rotated files oldest first, then the current one."""
    return [*writer.rotated(), writer.path]


def _lines(paths: list[Path]) -> list[str]:
    return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def _ids(lines: list[str]) -> list[str]:
    return [json.loads(line)["record_id"] for line in lines]


def _write_in_batches(writer: JsonlFeedWriter, items: list[LabelRecord], size: int) -> None:
    for start in range(0, len(items), size):
        writer.write(items[start : start + size])


def test_rotation_keeps_every_line_in_order_and_whole(tmp_path: Path) -> None:
    writer = JsonlFeedWriter(tmp_path / "feed", max_bytes=3000)
    items = _records(40)
    _write_in_batches(writer, items, 3)
    rotated = writer.rotated()
    assert len(rotated) >= 3
    assert all(ROTATED.match(path.name) for path in rotated)
    assert len({path.name for path in rotated}) == len(rotated)
    # Oldest first, then the live file: every record once, in the order written.
    assert _ids(_lines(_files(writer))) == [r.record_id for r in items]
    expected = {r.record_id: r.model_dump_json(by_alias=True) for r in items}
    for path in _files(writer):
        data = path.read_bytes()
        assert data.endswith(b"\n")  # no line is split across files
        for line in data.decode("utf-8").splitlines():
            assert line == expected[json.loads(line)["record_id"]]
    for path in rotated:
        assert path.stat().st_size >= 3000  # rotated only once full
    # A batch is never split: the live file starts at a batch boundary (3 records per batch).
    assert len(writer.path.read_text(encoding="utf-8").splitlines()) % 3 == 1
    assert stat.S_IMODE(writer.feed_dir.stat().st_mode) == 0o700
    for path in _files(writer):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_rotation_below_max_bytes_or_when_disabled(tmp_path: Path) -> None:
    never = JsonlFeedWriter(tmp_path / "never", max_bytes=0)
    _write_in_batches(never, _records(30), 2)
    assert never.rotated() == []
    roomy = JsonlFeedWriter(tmp_path / "roomy", max_bytes=10_000_000)
    _write_in_batches(roomy, _records(30), 2)
    assert roomy.rotated() == []
    assert len(roomy.path.read_text(encoding="utf-8").splitlines()) == 30


def test_keep_prunes_the_oldest_rotated_files(tmp_path: Path) -> None:
    writer = JsonlFeedWriter(tmp_path / "feed", max_bytes=1500, keep=2)
    items = _records(40)
    seen_rotated: set[str] = set()
    for start in range(0, len(items), 2):
        writer.write(items[start : start + 2])
        now = writer.rotated()
        assert len(now) <= 2
        seen_rotated.update(p.name for p in now)
    kept = writer.rotated()
    assert len(kept) == 2 and len(seen_rotated) > 2  # it did rotate more than twice, and pruned
    assert [p.name for p in kept] == sorted(seen_rotated)[-2:]  # the newest two survive
    # What is left is the tail of what was written, in order, with nothing missing inside it.
    ids = _ids(_lines(_files(writer)))
    assert ids == [r.record_id for r in items][-len(ids) :]


def test_a_torn_last_line_is_repaired_before_rotation(tmp_path: Path) -> None:
    writer = JsonlFeedWriter(tmp_path / "feed", max_bytes=2000)
    first = _records(4)
    writer.write(first)
    intact = writer.path.read_bytes()
    torn = first[0].model_dump_json(by_alias=True).encode("utf-8")[:-40]
    with writer.path.open("ab") as fh:  # a crash in the middle of a write
        fh.write(torn + b" " * 2000)
    assert writer.path.stat().st_size >= 2000
    more = _records(2, start=4)
    writer.write(more)
    (rotated,) = writer.rotated()
    assert rotated.read_bytes() == intact  # cut back to its last newline, then rotated
    assert _ids(_lines([writer.path])) == [r.record_id for r in more]


def test_a_torn_last_line_is_repaired_before_an_append(tmp_path: Path) -> None:
    writer = JsonlFeedWriter(tmp_path / "feed")
    writer.write(_records(2))
    with writer.path.open("ab") as fh:
        fh.write(b'{"schema":"chatsift.label.v1","chat_id":"' + CANARY.encode())
    writer.write(_records(1, start=2))
    lines = _lines([writer.path])
    assert _ids(lines) == [r.record_id for r in _records(3)]
    assert CANARY not in writer.path.read_text(encoding="utf-8")


@pytest.mark.parametrize("granularity", ["chat", "finding"])
def test_a_rendered_jsonl_feed_writes_rendered_lines(tmp_path: Path, granularity: Granularity) -> None:
    writer = JsonlFeedWriter(
        tmp_path / "feed",
        name="ocsf-file",
        filename="ocsf.jsonl",
        render=renderer("ocsf", RenderOptions(granularity=granularity)),
        max_bytes=4000,
    )
    items = _records(12)
    _write_in_batches(writer, items, 2)
    files = [*writer.rotated(), writer.path]
    assert writer.rotated() and all(
        re.match(r"^ocsf\.\d{8}T\d{12}Z\.jsonl$", p.name) for p in writer.rotated()
    )
    events = [json.loads(line) for line in _lines(files)]
    assert all(e["class_uid"] == 2006 for e in events)
    if granularity == "chat":
        assert [e["metadata"]["uid"] for e in events] == [r.record_id for r in items]
    else:
        expected = [f"{r.record_id}:{f.finding_id}" for r in items for f in r.findings]
        assert [e["metadata"]["uid"] for e in events] == expected


def test_stdout_writer_writes_one_event_per_line_to_its_stream() -> None:
    stream = io.StringIO()
    writer = StdoutWriter("console", render=renderer("cef"), stream=stream)
    items = _records(3)
    writer.write(items)
    writer.write([])
    writer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and all(line.startswith("CEF:0|") for line in lines)
    assert [re.search(r"externalId=(\S+)", line).group(1) for line in lines] == [  # type: ignore[union-attr]
        r.record_id for r in items
    ]
    assert "console" in repr(writer)


@pytest.fixture
def broken_pipe() -> Iterator[io.TextIOWrapper]:
    """A text stream over a pipe whose read end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = open(write_end, "w", encoding="utf-8")  # noqa: SIM115
    try:
        yield stream
    finally:
        with contextlib.suppress(OSError):  # its buffer cannot be flushed either
            stream.close()


def test_stdout_writer_on_a_closed_pipe_raises_a_retriable_error_without_content(
    broken_pipe: io.TextIOWrapper,
) -> None:
    writer = StdoutWriter("console", render=renderer("record"), stream=broken_pipe)
    with pytest.raises(FeedWriteError) as caught:
        writer.write(_records(2, evidence=f"key {CANARY} here"))
    error = caught.value
    assert error.retriable and error.code == "EPIPE"
    assert "console" in str(error) and "EPIPE" in str(error)
    assert CANARY not in str(error) and CANARY not in repr(error)
