"""The stdout writer: rendered events on standard output, one per line (pipes, containers, tests)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from labels.errors import FeedWriteError, errno_name
from labels.formats.base import FeedItem, Renderer


class StdoutWriter:
    """Writes each item's events to a text stream and flushes after every batch."""

    def __init__(self, name: str = "stdout", *, render: Renderer, stream: TextIO | None = None) -> None:
        self.name = name
        self.render = render
        self._stream = stream

    def __repr__(self) -> str:
        return f"StdoutWriter(name={self.name!r})"

    def write(self, items: Sequence[FeedItem]) -> None:
        """Write and flush; a closed pipe is a retriable FeedWriteError (EPIPE)."""
        stream = self._stream or sys.stdout
        text = "".join(event.text() + "\n" for item in items for event in self.render(item))
        try:
            stream.write(text)
            stream.flush()
        except OSError as exc:
            name = errno_name(exc)
            detail = f"feed {self.name}: cannot write to standard output: {name}"
            raise FeedWriteError(detail, code=name) from exc

    def close(self) -> None:
        """The stream belongs to the process: nothing to close."""
