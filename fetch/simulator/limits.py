"""The messages endpoint's ``tool_result_max_chars`` and ``tool_use_input_max_chars``.

A value N >= 0 cuts each ``tool_result`` text item, or the ``tool_use`` input string, to its first
N characters and sets ``truncated: true`` on that block; ``-1`` disables the limit. When the
parameter is omitted nothing is cut: the real API's default is not documented (compliance-api.md
§8), so that is the simulator's own choice.
"""

from __future__ import annotations

from typing import Any

from fetch.simulator import params
from fetch.simulator.errors import bad_request
from fetch.simulator.params import Query

LIMITS = ("tool_result_max_chars", "tool_use_input_max_chars")


def max_chars(query: Query, name: str) -> int | None:
    """The limit ``name`` asks for, ``None`` for none; 400 for anything but -1 or a count."""
    raw = params.one(query, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -2
    if value < -1:
        raise bad_request(
            f'`{name}` must be -1 (no limit) or a number of characters (0 or more). Got "{raw}".'
        )
    return None if value == -1 else value


def truncate(
    messages: list[dict[str, Any]], result_max: int | None, input_max: int | None
) -> list[dict[str, Any]]:
    """``messages`` with over-long tool blocks cut (unchanged messages are returned as they are)."""
    if result_max is None and input_max is None:
        return messages
    return [_message(m, result_max, input_max) for m in messages]


def _message(message: dict[str, Any], result_max: int | None, input_max: int | None) -> dict[str, Any]:
    blocks = [_block(b, result_max, input_max) for b in message["content"]]
    changed = any(new is not old for new, old in zip(blocks, message["content"], strict=True))
    return {**message, "content": blocks} if changed else message


def _block(block: dict[str, Any], result_max: int | None, input_max: int | None) -> dict[str, Any]:
    if block["type"] == "tool_use" and input_max is not None and len(block["input"]) > input_max:
        return {**block, "input": block["input"][:input_max], "truncated": True}
    if block["type"] == "tool_result" and result_max is not None:
        items = block["content"]
        if any(item.get("type") == "text" and len(item["text"]) > result_max for item in items):
            cut = [
                {**item, "text": item["text"][:result_max]} if item.get("type") == "text" else item
                for item in items
            ]
            return {**block, "content": cut, "truncated": True}
    return block
