"""The feed writer contract: a stable name, a durable ``write`` of feed items, and ``close``.

``name`` is the writer's position in the outbox (``delivery.writer``): renaming a writer makes it
start again from the first outbox entry. ``write`` returns only once every item is durable at the
destination (fsynced, acknowledged by the server); otherwise it raises ``FeedWriteError``, whose
``retriable`` says whether trying again later can help (a receiver down: yes; a rejected token:
no). Writers never put item content in an error message: a destination, a status code, an errno
name and counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from labels.formats.base import FeedItem


@runtime_checkable
class FeedWriter(Protocol):
    """A feed destination."""

    name: str

    def write(self, items: Sequence[FeedItem]) -> None:
        """Deliver ``items`` in order; return only once they are durable."""
        ...

    def close(self) -> None:
        """Release connections and files; safe to call twice."""
        ...
