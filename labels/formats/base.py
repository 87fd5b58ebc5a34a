"""What every feed format shares: the items fed, the rendered event, and the render options.

A feed item is a label record (``chatsift.label.v1``) or a rollup (``chatsift.rollup.v1``). A
renderer turns one item into one or more ``Event``: a JSON object (OCSF, ECS, the record itself) or
one line of text (CEF, RFC 5424 syslog). Every event carries ``id``, the deterministic id consumers
dedupe on: ``record_id`` for a chat, ``record_id:finding_id`` for one finding, ``rollup_id`` for a
rollup. No event ever carries raw chat text: only ids, labels, scores and redacted evidence.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from labels.record import LabelRecord
from labels.rollup import RollupRecord

FeedItem = LabelRecord | RollupRecord
Granularity = Literal["chat", "finding"]
SyslogPayload = Literal["ocsf", "ecs", "record", "cef"]
FormatName = Literal["record", "ocsf", "ecs", "cef", "syslog"]
FORMAT_NAMES: tuple[FormatName, ...] = ("record", "ocsf", "ecs", "cef", "syslog")


@dataclass(frozen=True)
class Event:
    """One rendered event: its dedupe id, its time, and a JSON object or a text line."""

    id: str
    time: datetime
    body: dict[str, Any] | str

    def text(self) -> str:
        """The event as one line: compact JSON for objects, the line itself for text formats."""
        if isinstance(self.body, str):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How events are rendered; every field has a default that works without configuration."""

    granularity: Granularity = "chat"  # OCSF, ECS, CEF, syslog: one event per chat or per finding
    vendor: str = "chatsift"
    product: str = "chatsift"
    product_version: str = "0.1.0"
    # RFC 5424
    hostname: str = "-"  # NILVALUE unless set (the writer fills in the machine's name)
    app_name: str = "chatsift"
    procid: str = "-"  # NILVALUE unless set
    facility: int = 13  # log audit
    payload: SyslogPayload = "ocsf"  # what follows the structured data
    sd_id: str = "chatsift@32473"  # 32473: the documentation PEN (RFC 5612); set your own
    extra: dict[str, str] = field(default_factory=dict)  # e.g. tenant: copied into every event


Renderer = Callable[[FeedItem], list[Event]]
