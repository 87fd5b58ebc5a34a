"""Query-string parsing and opaque cursors, with the API's 400s.

Chat cursors are base64 of ``{"k": order_by, "t": timestamp, "id": chat_id}``: a *position* in
the ordering, not a pointer to a chat, so ``after_id`` keeps working after that chat changes or
disappears. Message cursors are base64 of ``{"msg": message_id}``; page tokens are ``page_`` plus
base64 of ``{"scope": ..., "offset": n}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from fetch.simulator import timestamps
from fetch.simulator.errors import (
    PAGE_INVALID,
    bad_request,
    invalid_cursor,
    invalid_timestamp,
    limit_out_of_range,
)

Query = dict[str, list[str]]
T = TypeVar("T")
TIME_OPS = ("gt", "gte", "lt", "lte")


def one(query: Query, name: str) -> str | None:
    """The first value of ``name``; an empty value counts as absent."""
    values = query.get(name)
    return values[0] if values and values[0] != "" else None


def limit(query: Query, default: int | None, maximum: int) -> int | None:
    """``limit`` within ``1..maximum`` (``default`` when absent)."""
    raw = one(query, "limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise limit_out_of_range(maximum, raw) from None
    if not 1 <= value <= maximum:
        raise limit_out_of_range(maximum, raw)
    return value


def time_filters(query: Query, field: str) -> list[tuple[str, datetime]]:
    """The ``<field>.gt/gte/lt/lte`` bounds given, parsed strictly as RFC 3339."""
    bounds = []
    for op in TIME_OPS:
        raw = one(query, f"{field}.{op}")
        if raw is None:
            continue
        moment = timestamps.parse(raw)
        if moment is None:
            raise invalid_timestamp(f"{field}.{op}", raw)
        bounds.append((op, moment))
    return bounds


def within(moment: datetime, bounds: list[tuple[str, datetime]]) -> bool:
    """Whether ``moment`` satisfies every bound."""
    checks: dict[str, Callable[[datetime, datetime], bool]] = {
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
    }
    return all(checks[op](moment, bound) for op, bound in bounds)


def _encode(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


def _decode(token: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4)))
    except (UnicodeError, binascii.Error, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def chat_cursor(order_by: str, moment: datetime, chat_id: str) -> str:
    """The opaque cursor for a position in the chat list."""
    return _encode({"k": order_by, "t": timestamps.render(moment), "id": chat_id})


def read_chat_cursor(param: str, token: str) -> tuple[str, tuple[datetime, str]]:
    """The order key and position a chat cursor names; 400 if it does not decode."""
    doc = _decode(token)
    moment = timestamps.parse(doc["t"]) if doc and isinstance(doc.get("t"), str) else None
    if doc is None or moment is None or doc.get("k") not in ("created_at", "updated_at"):
        raise invalid_cursor(param, "chat", token)
    if not isinstance(doc.get("id"), str):
        raise invalid_cursor(param, "chat", token)
    return doc["k"], (moment, doc["id"])


def message_cursor(message_id: str) -> str:
    """The opaque cursor for one message."""
    return _encode({"msg": message_id})


def read_message_cursor(param: str, token: str) -> str:
    """The message id a message cursor names; 400 if it does not decode."""
    doc = _decode(token)
    if doc is None or not isinstance(doc.get("msg"), str):
        raise invalid_cursor(param, "message", token)
    return str(doc["msg"])


def page_token(scope: str, offset: int) -> str:
    """A page token for ``scope`` resuming at ``offset``."""
    return "page_" + _encode({"scope": scope, "offset": offset})


def read_page_token(query: Query, scope: str) -> int:
    """The offset the ``page`` parameter resumes at (0 without one); 400 if foreign or malformed."""
    raw = one(query, "page")
    if raw is None:
        return 0
    doc = _decode(raw.removeprefix("page_")) if raw.startswith("page_") else None
    offset = doc.get("offset") if doc else None
    if doc is None or doc.get("scope") != scope or not isinstance(offset, int) or offset < 0:
        raise bad_request(PAGE_INVALID)
    return offset


def window(
    keys: Sequence[Any],
    items: Sequence[T],
    position: Any,
    backwards: bool,
    size: int | None,
    keep: Callable[[T], bool],
) -> tuple[list[T], bool]:
    """Up to ``size`` kept items strictly after (or, ``backwards``, strictly before) ``position``.

    ``keys`` are sorted and parallel to ``items``. Returns the items in ascending order and
    whether more kept items lie beyond them in the direction of travel.
    """
    cap = len(items) if size is None else size
    found: list[T] = []
    if backwards:
        end = len(items) if position is None else bisect_left(keys, position)
        indexes: range = range(end - 1, -1, -1)
    else:
        start = 0 if position is None else bisect_right(keys, position)
        indexes = range(start, len(items))
    for i in indexes:
        if keep(items[i]):
            found.append(items[i])
            if len(found) > cap:
                break
    more = len(found) > cap
    found = found[:cap]
    return (found[::-1] if backwards else found), more
