"""What a route handler gets (``Context``) and may return besides a JSON document (``Raw``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fetch.simulator.faults import Faults
from fetch.simulator.org import SimOrg

Query = dict[str, list[str]]


def _no_sleep(seconds: float) -> None:
    """Handlers built without a server do not wait."""


def _no_note(fault: str) -> None:
    """Handlers built without a server count nothing."""


@dataclass
class Raw:
    """A non-JSON 200 body (a download): bytes, content type, extra headers, sent chunked."""

    body: bytes = field(repr=False)
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # stop half way and drop the connection, without the last chunk


@dataclass
class Context:
    """What a handler may read: the org, the faults, the query and path arguments, and server hooks."""

    org: SimOrg
    faults: Faults
    query: Query
    args: tuple[str, ...]
    sleep: Callable[[float], None] = _no_sleep  # interruptible by the server's stop()
    note: Callable[[str], None] = _no_note  # count one injected fault by name (Stats.injected)
    body_fault: str | None = None  # set by a handler: serve this 200 body "truncated" or "invalid"


Handler = Callable[[Context], dict[str, Any] | Raw]
