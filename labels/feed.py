"""Feed delivery from the store's outbox, and the JSONL label feed writer.

``deliver`` drains one writer's share of the outbox: write a batch, make it durable, then ack it
in the store. A crash between the write and the ack sends the same records again on the next run,
with the same ``record_id``: delivery is at least once, and consumers dedupe on ``record_id``. A
writer that fails (disk full, permissions) leaves its records in the outbox for the next run.

The JSONL file is only ever appended to, one compact record per line. A crash can leave a torn
final line (no newline); the next write first cuts the file back to its last newline, so the file
always stays valid JSONL. The torn record is not lost: it was never acked, so it is sent again.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from labels.errors import FeedWriteError, errno_name
from labels.record import LabelRecord
from labels.store import LabelStore

log = logging.getLogger("chatsift.labels.feed")

_CHUNK = 64 * 1024


@runtime_checkable
class FeedWriter(Protocol):
    """A feed destination: a stable ``name`` (its outbox position) and a durable ``write``."""

    name: str

    def write(self, records: Sequence[LabelRecord]) -> None:
        """Deliver ``records`` in order; return only once they are durable."""
        ...


def deliver(store: LabelStore, writer: FeedWriter, *, batch: int = 500) -> int:
    """Send every outbox record ``writer`` has not acked, batch by batch; return how many were sent."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    sent = 0
    while items := store.iter_outbox(writer.name, batch):
        writer.write([record for _, record in items])
        # Ack only after the write is durable: a crash here re-sends, it never skips.
        store.ack(writer.name, items[-1][0])
        sent += len(items)
    return sent


class JsonlFeedWriter:
    """Appends label records to ``feed_dir/filename`` as JSONL (file 0600, directory 0700)."""

    def __init__(self, feed_dir: Path, name: str = "jsonl", filename: str = "labels.jsonl") -> None:
        self.feed_dir = Path(feed_dir)
        self.name = name
        self.path = self.feed_dir / filename

    def __repr__(self) -> str:
        return f"JsonlFeedWriter(name={self.name!r}, path={str(self.path)!r})"

    def write(self, records: Sequence[LabelRecord]) -> None:
        """Append ``records`` in one write, then fsync; repair a torn final line first."""
        if not records:
            return
        data = "".join(record.model_dump_json(by_alias=True) + "\n" for record in records).encode("utf-8")
        fd = self._open()
        try:
            self._repair(fd)
            self._write_all(fd, data)
            self._sync(fd)
        finally:
            os.close(fd)

    def repair(self) -> int:
        """Cut a torn final line left by a crash; return the number of bytes dropped."""
        if not self.path.exists():
            return 0
        fd = self._open()
        try:
            return self._repair(fd)
        finally:
            os.close(fd)

    def _fail(self, op: str, exc: OSError) -> FeedWriteError:
        name = errno_name(exc)
        return FeedWriteError(f"feed {self.name}: cannot {op} {self.path}: {name}", code=name)

    def _open(self) -> int:
        try:
            self.feed_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise self._fail("open", exc) from exc
        if created:
            self._sync_dir()
        return fd

    def _sync_dir(self) -> None:
        # A new file's directory entry must be durable too, or a crash can lose the whole file.
        try:
            dir_fd = os.open(self.feed_dir, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise self._fail("sync the directory of", exc) from exc

    def _repair(self, fd: int) -> int:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
                return 0
            if os.pread(fd, 1, info.st_size - 1) == b"\n":
                return 0
            keep = self._last_line_end(fd, info.st_size)
            os.ftruncate(fd, keep)
            os.fsync(fd)
        except OSError as exc:
            raise self._fail("repair", exc) from exc
        dropped = info.st_size - keep
        log.warning(
            "feed %s: dropped a torn final line (%d bytes) left by an interrupted write", self.name, dropped
        )
        return dropped

    @staticmethod
    def _last_line_end(fd: int, size: int) -> int:
        """The offset just past the last newline (0 when there is none)."""
        end = size
        while end > 0:
            start = max(0, end - _CHUNK)
            index = os.pread(fd, end - start, start).rfind(b"\n")
            if index >= 0:
                return start + index + 1
            end = start
        return 0

    def _write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        try:
            # One write call for the batch; the loop only continues after a short write.
            while view:
                written = os.write(fd, view)
                if written == 0:
                    raise OSError(5, "short write")  # EIO: never loop on a device that takes nothing
                view = view[written:]
        except OSError as exc:
            raise self._fail("write", exc) from exc

    def _sync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            raise self._fail("sync", exc) from exc
