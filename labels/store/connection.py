"""Opening the store file safely, the one-writer lock, and translating SQLite errors at the boundary.

The database is created 0600 in a 0700 directory (SQLite gives its ``-wal`` and ``-shm`` files the
database's mode). One process writes at a time: ``<db>.lock`` is held with ``flock`` for as long as
the store is open, so a second scan fails at once with a clear message instead of interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from labels.errors import (
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    errno_name,
)

# Primary SQLite result codes (extended codes carry them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26
_BUSY_TIMEOUT_MS = 5000


def translate(exc: sqlite3.Error, op: str) -> StoreError:
    """The store error for an SQLite error: its error *name* only, never its message."""
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    primary = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if primary == _SQLITE_FULL:
        return StoreFullError(
            f"label store {op} failed: the disk or the store's size cap is full ({name})", code=name
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return StoreCorruptError(
            f"label store {op} failed: the file is not a readable database ({name})", code=name
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreLockedError(
            f"label store {op} failed: the database is locked by another process ({name})", code=name
        )
    return StoreError(f"label store {op} failed ({name})", code=name)


def translate_os(exc: OSError, op: str, path: Path) -> StoreError:
    """The store error for a file-system error: path and errno name only."""
    name = errno_name(exc)
    cls = StoreFullError if name in ("ENOSPC", "EDQUOT") else StoreError
    return cls(f"label store {op} failed for {path}: {name}", code=name)


@contextlib.contextmanager
def guard(op: str) -> Iterator[None]:
    """Translate SQLite errors raised inside the block into the ``labels.errors`` tree."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc, op) from exc


class FileLock:
    """An exclusive, non-blocking ``flock`` on ``<db>.lock``, held until ``release``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise translate_os(exc, "lock", path) from exc
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            self._close()
            raise StoreLockedError(
                f"the label store is in use by another chatsift process{holder} (lock file {path}); "
                "wait for it to finish, then rerun",
                code="store_locked",
            ) from None
        # Who holds it, for the message a second process prints (a pid, nothing else).
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def _holder(self) -> str:
        try:
            pid = os.pread(self._fd, 32, 0).decode("ascii", "replace").strip() if self._fd is not None else ""
        except OSError:
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def release(self) -> None:
        """Drop the lock (closing the descriptor releases the flock)."""
        self._close()


def ensure_file(path: Path) -> None:
    """Create the directory (0700) and the empty database file (0600) if they are missing."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise translate_os(exc, "open", path) from exc


def connect(path: Path, *, max_bytes: int | None = None) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) in WAL mode with full sync."""
    with guard("open"):
        conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            # The first statement reads the header: a file that is not a database fails here.
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            if max_bytes is not None:
                (page_size,) = conn.execute("PRAGMA page_size").fetchone()
                conn.execute(f"PRAGMA max_page_count={max(1, int(max_bytes) // int(page_size))}")
        except BaseException:
            conn.close()
            raise
    return conn
