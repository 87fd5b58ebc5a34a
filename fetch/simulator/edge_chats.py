"""Hand-built edge-case chats: a huge one and a Unicode-hostile one, with exact ground truth.

``large_chat``: thousands of short messages and one ~1 MiB text block (``truncated: false``) whose
planted values sit at offset 0, in the middle, and at the very end, plus plants in the last
messages, so a consumer can prove nothing was cut off or skipped by paging.

``unicode_chat``: astral characters (emoji, mathematical alphanumerics), right-to-left text with
an U+202E override, a NUL, zero-width joiners, combining marks and lone surrogates (served as
``\\ud800``-style JSON escapes), with planted values after all of them, so offsets are checked as
Python string offsets. Its user message carries a text file with a non-ASCII name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fetch.simulator import timestamps
from fetch.simulator.attachments import Attachment, stored
from fetch.simulator.ids import IdFactory
from fetch.simulator.planted import KINDS_BY_NAME, Piece, PlantedValue, TextBuilder, Val, planted_from
from fetch.simulator.records import OrgUnit, SimChat, SimUser, text_message


@dataclass
class Built:
    """A hand-built chat, its ground truth and its attachments."""

    chat: SimChat
    planted: list[PlantedValue] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def _value(kind: str, rng: random.Random) -> Val:
    return next(piece for piece in KINDS_BY_NAME[kind].make(rng) if isinstance(piece, Val))


def _width(pieces: tuple[Piece, ...]) -> int:
    return sum(len(p.text) if isinstance(p, Val) else len(p) if isinstance(p, str) else 0 for p in pieces)


def _fill(size: int) -> str:
    line = "2026-03-01T10:00:00Z worker-7 heartbeat ok; queue depth nominal\n"
    return (line * (size // len(line) + 1))[:size]


def big_block(rng: random.Random, size: int) -> TextBuilder:
    """Exactly ``size`` characters: a plant at offset 0, one in the middle, one ending the text."""
    head: tuple[Piece, ...] = (_value("email", rng), " pasted this log.\n")
    middle: tuple[Piece, ...] = ("\ncard on the failing order: ", _value("card_mastercard", rng), "\n")
    tail: tuple[Piece, ...] = ("\nlast contact: ", _value("email", rng))
    used = _width(head) + _width(middle) + _width(tail)
    if size < used + 2:
        raise ValueError(f"big_block_chars must be at least {used + 2}")
    first = size // 2 - _width(head) - _width(middle) // 2
    text = TextBuilder()
    text.add(*head, _fill(first), *middle, _fill(size - used - first), *tail)
    return text


def large_chat(
    ids: IdFactory, user: SimUser, unit: OrgUnit, start: datetime, messages: int, big_chars: int
) -> Built:
    """``messages`` one second apart from ``start``; the big block is the middle user message."""
    if messages < 4:
        raise ValueError("a large chat needs at least 4 messages")
    chat_id = ids.new("claude_chat_")
    rng = random.Random(f"large-{chat_id}")
    big_at = (messages // 2) & ~1  # a user turn
    late = set(range(messages - 3, messages))
    out: list[dict[str, Any]] = []
    planted: list[PlantedValue] = []
    times = tuple(start + timedelta(seconds=i) for i in range(messages))
    for i, moment in enumerate(times):
        role = "assistant" if i % 2 else "user"
        message_id = ids.new("claude_chat_msg_")
        text = TextBuilder()
        if i == big_at:
            text = big_block(rng, big_chars)
        elif i in late:
            text.add(f"Follow-up {i}: ", *KINDS_BY_NAME["card_visa16" if i % 2 else "email"].make(rng))
        else:
            text.add(
                f"Checkpoint {i}: reviewed the next batch." if role == "user" else f"Noted checkpoint {i}."
            )
        out.append(text_message(message_id, role, text.text, moment))
        planted += planted_from(text.spans, chat_id, message_id, 0)
    chat = SimChat(
        chat_id, ids.uuid(), "Incident log review", "claude-opus-4-8", unit, None, user,
        start, times[-1], None, tuple(out), times,
    )  # fmt: skip
    return Built(chat, planted)


_ASTRAL = "Emoji 🎉 and 👩\u200d💻, math 𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚: "
_HOSTILE = (
    " — RTL: שלום עולם, مرحبا بالعالم, \u202eexe.tropeR\u202c — NUL:\x00: — family 👨\u200d👩\u200d👧"
    " — combining: e\u0301 n\u0303 a\u0308"
    " — lone high \ud800 here, lone low \udfff there, reversed \udc00\ud800 — "
)


def unicode_chat(ids: IdFactory, user: SimUser, unit: OrgUnit, start: datetime) -> Built:
    """Three messages of hostile Unicode with plants after it, and a text file named in Unicode."""
    chat_id = ids.new("claude_chat_")
    rng = random.Random(f"unicode-{chat_id}")
    times = tuple(start + timedelta(seconds=i) for i in range(3))
    first, second, third = (ids.new("claude_chat_msg_") for _ in range(3))
    asking = TextBuilder()
    asking.add(
        _ASTRAL, "write to ", _value("email", rng), _HOSTILE, "card ", _value("card_visa16", rng), " 🙏"
    )
    answer, tool_input, tool_output = TextBuilder(), TextBuilder(), TextBuilder()
    answer.add("Got it ✅ 𝒳𝒴 — I'll write to ", _value("email", rng), " now.")
    tool_input.add('{"query":"', "📧 lookup ", _value("email", rng), escape_json=False)
    tool_input.add('"}')
    tool_output.add("Result 🔎 𝔵: card ", _value("card_amex", rng), " \u202eflagged\u202c ✔")
    tool_id = ids.new("toolu_")
    reply = text_message(second, "assistant", "", times[1])
    reply["content"] = [
        {"type": "tool_use", "id": tool_id, "name": "crm_lookup", "input": tool_input.text,
         "integration_name": None, "mcp_server_url": None, "truncated": False},
        {"type": "tool_result", "tool_use_id": tool_id, "name": "crm_lookup", "is_error": False,
         "content": [{"type": "text", "text": tool_output.text}], "integration_name": None,
         "mcp_server_url": None, "truncated": False},
        reply["content"][0] | {"text": answer.text},
    ]  # fmt: skip
    question = text_message(first, "user", asking.text, times[0])
    note = TextBuilder()
    note.add(
        "Notes 📝 𝐍𝐨𝐭𝐞𝐬 — שלום — contact ",
        _value("email", rng),
        "\nZWJ 🧑\u200d🔬 card ",
        _value("card_visa16", rng),
        "\n",
    )
    meta = {
        "id": ids.new("claude_file_"),
        "filename": "naïve notes 📝 (v2).txt",
        "mime_type": "text/plain",
        "created_at": timestamps.render(times[0] - timedelta(seconds=5)),
    }
    attachment = stored("file", chat_id, first, 0, meta, times[0] - timedelta(seconds=5), note.text.encode())
    question["files"] = [dict(attachment.meta)]
    planted = (
        planted_from(asking.spans, chat_id, first, 0)
        + planted_from(tool_input.spans, chat_id, second, 0)
        + planted_from(tool_output.spans, chat_id, second, 1)
        + planted_from(answer.spans, chat_id, second, 2)
        + planted_from(note.spans, chat_id, first, 0, ("file", attachment.id))
    )
    closing = text_message(third, "user", "Thanks 🙏🏽 — \u200fשלום\u200f 𝕋𝕙𝕒𝕟𝕜𝕤", times[2])
    chat = SimChat(
        chat_id, ids.uuid(), "Ünïcode 🧪 edge cases", "claude-opus-4-8", unit, None, user,
        start, times[-1], None, (question, reply, closing), times,
    )  # fmt: skip
    return Built(chat, planted, [attachment])
