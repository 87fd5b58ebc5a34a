"""RFC 3339 rendering and strict parsing, as the API does it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$")


def render(moment: datetime) -> str:
    """``2026-01-05T09:00:00Z``, with microseconds only when there are some."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def parse(text: str) -> datetime | None:
    """An aware datetime for an RFC 3339 timestamp with a zone, else ``None``."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    date, clock, fraction, zone = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]
    offset = "+00:00" if zone in ("Z", "z") else zone
    try:
        return datetime.fromisoformat(f"{date}T{clock}.{micro}{offset}").astimezone(UTC)
    except ValueError:
        return None
