"""Split a block's text into segments that detectors read: prose, code, tool input, tool result, name.

Text blocks (and attachment contents) are split into ``code`` (fenced ``` / ~~~ blocks, fence
lines included, and runs of lines indented by four spaces or a tab that follow a blank line) and
``prose`` (the rest). Every
other block kind is one segment of its own kind. Whitespace-only pieces are dropped.

Every segment is then cut into chunks of at most ``max_chars`` characters, at the last newline
(else the last whitespace) before the limit, so spaCy never sees more than its 1,000,000-character
limit. Offsets always stay absolute: ``Segment.start``/``end`` index the whole block text.

``tool_use`` input arrives JSON-encoded, so a value can hide behind escapes (``\\"key\\"``,
``\\nAKIA…``). Its segment reads a *same-length decoded view* of the text: each escape is replaced by
padding spaces plus the character it stands for, so detectors see decoded values at unchanged
offsets. Evidence is still built from the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from classifier.types import BlockText, Segment, SegmentKind

DEFAULT_MAX_SEGMENT_CHARS = 100_000
MIN_SEGMENT_CHARS = 16

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"(?: {4}|\t)\s*\S")
_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

_KIND_OF_BLOCK: dict[str, SegmentKind] = {
    "tool_use": "tool_input",
    "tool_result": "tool_result",
    "name": "name",
}

Span = tuple[SegmentKind, int, int]


def segment_block(block: BlockText, *, max_chars: int = DEFAULT_MAX_SEGMENT_CHARS) -> list[Segment]:
    """The block's segments in text order, each at most ``max_chars`` long, offsets into the block."""
    if max_chars < MIN_SEGMENT_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_SEGMENT_CHARS}")
    source = block
    if block.kind in ("text", "attachment"):
        spans = text_spans(block.text)
    else:
        spans = [(_KIND_OF_BLOCK[block.kind], 0, len(block.text))]
        if block.kind == "tool_use":
            source = replace(block, text=decoded_view(block.text))
    text = source.text
    return [
        Segment(source, kind, start, end)
        for kind, span_start, span_end in spans
        for start, end in chunk_bounds(text, span_start, span_end, max_chars)
        if not text[start:end].isspace()
    ]


def text_spans(text: str) -> list[Span]:
    """Prose and code spans of a text block, in order, covering the whole text."""
    lines = _lines(text)
    spans: list[Span] = []
    prose_start = 0
    i = 0
    while i < len(lines):
        code = _code_at(lines, i)
        if code is None:
            i += 1
            continue
        first, last = code
        start, end = lines[first][0], lines[last][1]
        if prose_start < start:
            spans.append(("prose", prose_start, start))
        spans.append(("code", start, end))
        prose_start = end
        i = last + 1
    if prose_start < len(text):
        spans.append(("prose", prose_start, len(text)))
    return spans


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end including the line break, content without it) for every line."""
    out = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        out.append((pos, pos + len(raw), content))
        pos += len(raw)
    return out


def _code_at(lines: list[tuple[int, int, str]], i: int) -> tuple[int, int] | None:
    """(first, last) line index of a code block starting at line ``i``, or None."""
    content = lines[i][2]
    fence = _FENCE.match(content)
    if fence:
        marker = fence.group(1)
        closing = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        for j in range(i + 1, len(lines)):
            if closing.match(lines[j][2]):
                return i, j
        return i, len(lines) - 1  # an unclosed fence runs to the end of the block
    after_blank = i == 0 or not lines[i - 1][2].strip()
    if not (after_blank and _INDENTED.match(content)):
        return None
    last = i
    for j in range(i + 1, len(lines)):
        line = lines[j][2]
        if _INDENTED.match(line):
            last = j
        elif line.strip():
            break
    return i, last


def chunk_bounds(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most ``max_chars``, preferring line and word breaks."""
    while end - start > max_chars:
        cut = _cut_point(text, start, start + max_chars)
        yield start, cut
        start = cut
    if start < end:
        yield start, end


def _cut_point(text: str, start: int, limit: int) -> int:
    """The best place to cut before ``limit``: after a newline, else after whitespace, else at it."""
    floor = start + (limit - start) // 2  # never cut so early that chunks get tiny
    newline = text.rfind("\n", floor, limit)
    if newline >= 0:
        return newline + 1
    for k in range(limit, floor, -1):
        if text[k - 1].isspace():
            return k
    return limit


def decoded_view(text: str) -> str:
    """``text`` with JSON string escapes decoded in place, padded with spaces to keep every offset."""
    return _ESCAPE.sub(_decode_escape, text)


def _decode_escape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 1:
        return " " + _SIMPLE_ESCAPES[code]
    char = chr(int(code[1:], 16))
    if "\ud800" <= char <= "\udfff":
        return match.group(0)  # half of a surrogate pair: leave it as written
    return "     " + char
