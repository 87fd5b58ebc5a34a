"""Outbox delivery and the JSONL feed: durable appends, torn-line repair, at-least-once re-delivery."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from labels import FeedWriteError, FeedWriter, JsonlFeedWriter, LabelRecord, LabelStore, deliver
from tests.labels.conftest import record


def lines(path: Path) -> list[dict]:
    """Every line of a JSONL file, each of which must parse."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "the feed must end with a newline"
    return [json.loads(line) for line in text.splitlines()]


def records(n: int, prefix: str = "claude_chat_") -> list[LabelRecord]:
    return [record(f"{prefix}{i}", findings=i % 3) for i in range(n)]


@pytest.fixture
def feed(tmp_path: Path) -> JsonlFeedWriter:
    return JsonlFeedWriter(tmp_path / "feed")


def test_writer_satisfies_the_feed_writer_protocol(feed: JsonlFeedWriter) -> None:
    assert isinstance(feed, FeedWriter) and feed.name == "jsonl"
    assert feed.path.name == "labels.jsonl"


def test_deliver_drains_the_outbox_in_order_and_once(store: LabelStore, feed: JsonlFeedWriter) -> None:
    batch = records(7)
    store.commit(batch)
    assert deliver(store, feed, batch=3) == 7
    assert [r["record_id"] for r in lines(feed.path)] == [r.record_id for r in batch]
    assert deliver(store, feed) == 0
    assert store.undelivered(feed.name) == 0
    more = records(2, prefix="claude_chat_more_")
    store.commit(more)
    assert store.undelivered(feed.name) == 2
    assert deliver(store, feed) == 2
    assert len(lines(feed.path)) == 9


def test_feed_lines_are_the_compact_record_json(store: LabelStore, feed: JsonlFeedWriter) -> None:
    rec = record(findings=2)
    store.commit([rec])
    deliver(store, feed)
    (line,) = feed.path.read_text(encoding="utf-8").splitlines()
    assert line == rec.model_dump_json(by_alias=True)
    assert line.startswith('{"schema":"chatsift.label.v1","record_id":')
    assert LabelRecord.model_validate_json(line) == rec


def test_feed_file_and_directory_are_private(store: LabelStore, feed: JsonlFeedWriter) -> None:
    store.commit(records(1))
    deliver(store, feed)
    assert stat.S_IMODE(feed.feed_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(feed.path.stat().st_mode) == 0o600


def test_each_writer_has_its_own_position(store: LabelStore, tmp_path: Path) -> None:
    a, b = JsonlFeedWriter(tmp_path / "a", name="a"), JsonlFeedWriter(tmp_path / "b", name="b")
    store.commit(records(3))
    assert deliver(store, a) == 3
    store.commit(records(2, prefix="late_"))
    assert deliver(store, b) == 5  # a writer added later gets the whole backlog
    assert deliver(store, a) == 2
    assert lines(a.path) == lines(b.path)


def test_crash_between_write_and_ack_resends_the_same_records(
    store: LabelStore, feed: JsonlFeedWriter
) -> None:
    batch = records(4)
    store.commit(batch)
    # The state a crash leaves: the first two were written and synced, the ack never happened.
    feed.write([rec for _, rec in store.iter_outbox(feed.name, 2)])
    assert store.undelivered(feed.name) == 4
    assert deliver(store, feed) == 4
    ids = [r["record_id"] for r in lines(feed.path)]
    assert ids == [r.record_id for r in batch[:2]] + [r.record_id for r in batch]
    # Consumers dedupe on record_id: the duplicates are byte-identical lines.
    assert list(dict.fromkeys(ids)) == [r.record_id for r in batch]
    text = feed.path.read_text(encoding="utf-8").splitlines()
    assert text[0] == text[2] and text[1] == text[3]


def test_torn_final_line_is_cut_before_the_next_write(store: LabelStore, feed: JsonlFeedWriter) -> None:
    batch = records(3)
    store.commit(batch)
    assert deliver(store, feed) == 3
    good = feed.path.read_bytes()
    # A crash mid-write: half of a fourth record, no newline; never acked.
    store.commit(records(1, prefix="torn_"))
    ((_, pending),) = store.iter_outbox(feed.name, 10)
    torn = pending.model_dump_json().encode()[:57]
    with feed.path.open("ab") as f:
        f.write(torn)
    assert deliver(store, feed) == 1
    assert feed.path.read_bytes() == good + pending.model_dump_json().encode() + b"\n"
    assert [r["chat_id"] for r in lines(feed.path)][-1] == "torn_0"


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        (b"", b""),
        (b'{"a":1}\n', b'{"a":1}\n'),  # hard negative: a whole file is left alone
        (b'{"a":1}\n{"b":2}\n', b'{"a":1}\n{"b":2}\n'),
        (b'{"a":1}\n{"b":', b'{"a":1}\n'),
        (b'{"a":1}\n{"b":2}', b'{"a":1}\n'),
        (b'{"partial', b""),
        (b"x" * 200_000, b""),  # longer than one read chunk, no newline at all
        (b'{"a":1}\n' + b"y" * 150_000, b'{"a":1}\n'),
    ],
)
def test_repair_cuts_back_to_the_last_newline(feed: JsonlFeedWriter, content: bytes, kept: bytes) -> None:
    feed.feed_dir.mkdir(mode=0o700)
    feed.path.write_bytes(content)
    assert feed.repair() == len(content) - len(kept)
    assert feed.path.read_bytes() == kept


def test_repair_of_a_missing_file_creates_nothing(feed: JsonlFeedWriter) -> None:
    assert feed.repair() == 0
    assert not feed.path.exists()


def test_empty_batch_writes_nothing(feed: JsonlFeedWriter) -> None:
    feed.write([])
    assert not feed.path.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_is_a_feed_write_error_and_keeps_the_outbox(store: LabelStore, tmp_path: Path) -> None:
    feed_dir = tmp_path / "feed"
    feed_dir.mkdir()
    # A real ENOSPC: every write to /dev/full fails with it.
    (feed_dir / "labels.jsonl").symlink_to("/dev/full")
    feed = JsonlFeedWriter(feed_dir)
    store.commit(records(3))
    with pytest.raises(FeedWriteError) as info:
        deliver(store, feed)
    assert info.value.code == "ENOSPC"
    assert str(info.value) == f"feed jsonl: cannot write {feed.path}: ENOSPC"
    assert store.undelivered("jsonl") == 3  # nothing acked: the next run sends them


def test_unopenable_feed_is_a_feed_write_error(store: LabelStore, tmp_path: Path) -> None:
    feed = JsonlFeedWriter(tmp_path / "feed")
    feed.path.mkdir(parents=True)  # a directory where the file should be
    store.commit(records(1))
    with pytest.raises(FeedWriteError) as info:
        deliver(store, feed)
    assert info.value.code == "EISDIR"
    assert store.undelivered("jsonl") == 1


def test_bad_batch_and_ack_arguments(store: LabelStore, feed: JsonlFeedWriter) -> None:
    with pytest.raises(ValueError, match="batch"):
        deliver(store, feed, batch=0)
    store.commit(records(2))
    with pytest.raises(ValueError, match="outside the outbox"):
        store.ack(feed.name, 3)
    store.ack(feed.name, 2)
    store.ack(feed.name, 1)  # acks never move backwards
    assert store.undelivered(feed.name) == 0
