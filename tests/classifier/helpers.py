"""Builders for classifier inputs: tests make ``BlockText``/``ChatText`` directly (no fetch, no labels)."""

from __future__ import annotations

import re

from classifier.types import BlockKind, BlockText, ChatText, Detection, Detector, Segment, SegmentKind

KEY = bytes(range(32))
# A mask in evidence: [ENTITY] or [ENTITY:hint].
MASK = re.compile(r"\[[A-Z0-9_]+(?::[^\]]*)?\]")


def block(
    text: str, *, kind: BlockKind = "text", message_id: str | None = "msg_1", index: int = 0
) -> BlockText:
    """One block of ``text``."""
    return BlockText(
        message_id=message_id, role="user" if message_id else None, block=index, kind=kind, text=text
    )


def chat(*blocks: BlockText, chat_id: str = "claude_chat_T1", messages: int | None = None) -> ChatText:
    """A chat of ``blocks``; ``messages`` defaults to the number of distinct message ids."""
    count = len({b.message_id for b in blocks if b.message_id}) if messages is None else messages
    return ChatText(chat_id=chat_id, blocks=tuple(blocks), messages=count)


def whole(text: str, kind: SegmentKind = "prose", *, prefix: str = "") -> Segment:
    """A segment covering ``text`` inside a block that starts with ``prefix`` (to test absolute offsets)."""
    source = block(prefix + text)
    return Segment(source, kind, len(prefix), len(prefix) + len(text))


def spans(
    detector: Detector, text: str, kind: SegmentKind = "prose", *, prefix: str = ""
) -> list[tuple[str, str]]:
    """(entity, matched text) of every detection, read back from the block through the offsets."""
    segment = whole(text, kind, prefix=prefix)
    return [(d.entity, segment.source.text[d.start : d.end]) for d in detector.detect(segment)]


def detections(detector: Detector, text: str, kind: SegmentKind = "prose") -> list[Detection]:
    """The raw detections on one segment covering ``text``."""
    return detector.detect(whole(text, kind))


def raw_runs(evidence: str) -> list[str]:
    """The runs of raw text in an evidence string (masks and ellipses removed)."""
    return [run for run in re.split(MASK.pattern + "|…", evidence) if run]


def luhn_complete(partial: str) -> str:
    """``partial`` plus the check digit that makes it pass Luhn (independent of the detector's code)."""
    for check in "0123456789":
        digits = [int(c) for c in partial + check]
        odd = digits[-1::-2]
        even = [sum(divmod(2 * d, 10)) for d in digits[-2::-2]]
        if (sum(odd) + sum(even)) % 10 == 0:
            return partial + check
    raise AssertionError("unreachable")
