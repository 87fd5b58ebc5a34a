"""The one canonical timestamp form of label records: RFC 3339, UTC, ``Z``.

``2026-01-02T03:04:05Z``, or ``2026-01-02T03:04:05.123456Z`` when the microseconds are not zero.
Record ids hash the chat's ``updated_at`` in this form, so one instant always gives one string.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

RFC3339_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$"
_CANONICAL = re.compile(RFC3339_PATTERN)


def rfc3339(dt: datetime) -> str:
    """``dt`` in the canonical form; a naive datetime is taken as UTC (the API's own zone)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{dt.microsecond:06d}Z" if dt.microsecond else f"{base}Z"


def parse_rfc3339(value: str) -> datetime:
    """An aware UTC datetime from an RFC 3339 string (any offset; naive is taken as UTC)."""
    try:
        dt = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        # The value is a timestamp we were handed, but keep it out of the message all the same.
        raise ValueError(
            f"not an RFC 3339 timestamp ({len(value) if isinstance(value, str) else 0} chars)"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def canonical(value: str | datetime) -> str:
    """The canonical form of a datetime or of any RFC 3339 string for the same instant."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if _CANONICAL.match(value) and not value.endswith(".000000Z"):
        return value
    return rfc3339(parse_rfc3339(value))
