"""What protects the store: file modes, the one-writer lock, errors that never carry content."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from labels import LabelStore, StoreCorruptError, StoreError, StoreFullError, StoreLockedError
from tests.labels.conftest import CANARY, record

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_said(exc: BaseException) -> str:
    """Message, repr and the full chained traceback of an exception."""
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


def test_files_are_private(db_path: Path) -> None:
    with LabelStore(db_path) as s:
        s.commit([record()])
        assert mode(db_path.parent) == 0o700
        for name in ("chatsift.db", "chatsift.db-wal", "chatsift.db-shm", "chatsift.db.lock"):
            assert mode(db_path.with_name(name)) == 0o600, name


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    data.mkdir()
    data.chmod(0o750)  # the operator's choice for a directory that already exists
    with LabelStore(data / "chatsift.db"):
        assert mode(data / "chatsift.db") == 0o600
    assert mode(data) == 0o750


def test_second_store_on_the_same_file_is_refused(db_path: Path) -> None:
    first = LabelStore(db_path)
    try:
        with pytest.raises(StoreLockedError) as info:
            LabelStore(db_path)
        message = str(info.value)
        assert "another chatsift process" in message and f"pid {os.getpid()}" in message
        assert str(db_path) + ".lock" in message
        first.commit([record()])  # the holder is unaffected
    finally:
        first.close()
    with LabelStore(db_path) as again:  # released on close
        assert again.counts().records == 1


def test_lock_holds_across_processes(db_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from labels import LabelStore, StoreLockedError\n"
        "try:\n"
        "    LabelStore(Path(sys.argv[1]))\n"
        "except StoreLockedError as exc:\n"
        "    print(exc.code)\n"
        "    raise SystemExit(7)\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}

    def open_from_another_process() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, str(db_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    with LabelStore(db_path):
        proc = open_from_another_process()
    assert proc.returncode == 7, proc.stderr[-2000:]
    assert proc.stdout.strip() == "store_locked"
    proc = open_from_another_process()
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_disk_full_is_translated_and_keeps_nothing(db_path: Path) -> None:
    LabelStore(db_path).close()
    size = db_path.stat().st_size
    # SQLite's own SQLITE_FULL: the size cap is PRAGMA max_page_count on the store's connection.
    with LabelStore(db_path, max_bytes=size) as s:
        big = [record(f"claude_chat_{n}", findings=40, evidence=f"ctx {CANARY} [KEY]" * 8) for n in range(5)]
        with pytest.raises(StoreFullError) as info:
            s.commit(big, cursor=("nightly", CANARY))
        assert info.value.code == "SQLITE_FULL"
        assert "full" in str(info.value)
        assert CANARY not in everything_said(info.value)
        assert s.counts().records == 0 and s.get_cursor("nightly") is None
    with LabelStore(db_path) as s:  # without the cap the same batch fits
        assert len(s.commit(big).new) == 5


def test_garbage_file_is_reported_corrupt(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(f"{CANARY} this is not a database ".encode() * 200)
    with pytest.raises(StoreCorruptError) as info:
        LabelStore(db_path)
    assert info.value.code == "SQLITE_NOTADB"
    assert CANARY not in everything_said(info.value)
    db_path.unlink()
    LabelStore(db_path).close()  # the failed open released its lock


def test_a_damaged_row_is_reported_corrupt_without_its_content(db_path: Path) -> None:
    rec = record(evidence=f"ctx {CANARY} [KEY]")
    with LabelStore(db_path) as s:
        s.commit([rec])
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE records SET record = json_set(record, '$.severity', ?)", (CANARY,))
    with LabelStore(db_path) as s, pytest.raises(StoreCorruptError) as info:
        s.latest_for_chat(rec.chat_id)
    assert rec.record_id in str(info.value)
    assert CANARY not in everything_said(info.value)


def test_constraint_errors_name_the_code_not_the_values(store: LabelStore) -> None:
    base = record(findings=1, evidence=f"ctx {CANARY} [KEY]")
    bad = base.model_copy(update={"findings": [base.findings[0], base.findings[0]]})
    with pytest.raises(StoreError) as info:
        store.commit([bad])
    assert info.value.code == "SQLITE_CONSTRAINT_PRIMARYKEY"
    assert CANARY not in everything_said(info.value)


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as info:
        LabelStore(blocker / "chatsift.db")  # a file where the directory should be
    assert info.value.code in ("ENOTDIR", "EEXIST")
