"""The JSONL feed writer: durable appends to ``feed_dir/labels.jsonl``, rotated by size.

The file is only ever appended to, one event per line: by default the compact record itself
(``chatsift.label.v1`` or ``chatsift.rollup.v1``), or any rendered format. A batch is one
``write`` call followed by ``fsync``. A crash can leave a torn final line (no newline); the next
write first cuts the file back to its last newline, so the file always stays valid JSONL. The torn
record is not lost: it was never acked, so it is sent again.

Rotation: before a batch, a file of ``max_bytes`` or more is renamed (atomically) to
``labels.<UTC stamp>.jsonl`` and a new file started; with ``keep`` set, only that many rotated
files are kept. Files are 0600 in a 0700 directory.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labels.errors import FeedWriteError, errno_name
from labels.formats.base import FeedItem, Renderer

log = logging.getLogger("chatsift.labels.feed")

_CHUNK = 64 * 1024


class JsonlFeedWriter:
    """Appends feed items to ``feed_dir/filename`` as JSONL (file 0600, directory 0700)."""

    def __init__(
        self,
        feed_dir: Path,
        name: str = "jsonl",
        filename: str = "labels.jsonl",
        *,
        render: Renderer | None = None,
        max_bytes: int = 0,
        keep: int = 0,
    ) -> None:
        if max_bytes < 0 or keep < 0:
            raise ValueError("max_bytes and keep must not be negative")
        self.feed_dir = Path(feed_dir)
        self.name = name
        self.path = self.feed_dir / filename
        self.render = render  # None: each item's own compact JSON
        self.max_bytes = max_bytes  # 0: never rotate
        self.keep = keep  # rotated files kept; 0: all

    def __repr__(self) -> str:
        return f"JsonlFeedWriter(name={self.name!r}, path={str(self.path)!r})"

    def close(self) -> None:
        """Nothing stays open between writes."""

    def lines(self, items: Sequence[FeedItem]) -> bytes:
        """The bytes one batch appends: one line per item (or per rendered event)."""
        if self.render is None:
            return "".join(item.model_dump_json(by_alias=True) + "\n" for item in items).encode("utf-8")
        return "".join(event.text() + "\n" for item in items for event in self.render(item)).encode("utf-8")

    def write(self, items: Sequence[FeedItem]) -> None:
        """Append ``items`` in one write, then fsync; repair a torn final line first."""
        if not items:
            return
        data = self.lines(items)
        self._rotate_if_full()
        fd = self._open()
        try:
            self._repair(fd)
            self._write_all(fd, data)
            self._sync(fd)
        finally:
            os.close(fd)

    def rotated(self) -> list[Path]:
        """The rotated files, oldest first."""
        stem, suffix = self.path.stem, self.path.suffix
        return sorted(self.feed_dir.glob(f"{stem}.*{suffix}"))

    def _rotated_name(self, when: datetime) -> Path:
        # Fixed-width stamps: the names sort in rotation order.
        return self.path.with_name(f"{self.path.stem}.{when:%Y%m%dT%H%M%S%fZ}{self.path.suffix}")

    def _rotate_if_full(self) -> None:
        if not self.max_bytes:
            return
        try:
            if self.path.stat().st_size < self.max_bytes:
                return
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail("stat", exc) from exc
        self.repair()  # a rotated file is complete: never a torn last line
        when = datetime.now(UTC)
        target = self._rotated_name(when)
        while target.exists():  # the same microsecond, or a clock that stepped back: never overwrite
            when += timedelta(microseconds=1)
            target = self._rotated_name(when)
        try:
            os.rename(self.path, target)
        except OSError as exc:
            raise self._fail("rotate", exc) from exc
        self._sync_dir()
        log.info("feed %s: rotated %s to %s", self.name, self.path.name, target.name)
        if self.keep:
            for old in self.rotated()[: -self.keep]:
                try:
                    old.unlink()
                except OSError as exc:
                    raise self._fail("remove a rotated file", exc) from exc

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
