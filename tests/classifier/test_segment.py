"""Segmentation: prose/code split, one segment per other block kind, chunking, the JSON view."""

from __future__ import annotations

import itertools
import json
import random

import pytest

from classifier.segment import decoded_view, segment_block, text_spans
from tests.classifier.helpers import block


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segment_block(block(text))]


def test_plain_prose_is_one_segment_covering_the_text() -> None:
    (segment,) = segment_block(block("Hello there, nothing special."))
    assert (segment.kind, segment.start, segment.end) == ("prose", 0, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Run this:\n```bash\nexport A=1\n```\nthen go.",
            [("prose", "Run this:\n"), ("code", "```bash\nexport A=1\n```\n"), ("prose", "then go.")],
        ),
        ("~~~\nx = 1\n~~~", [("code", "~~~\nx = 1\n~~~")]),
        # A shorter fence does not close a longer one.
        ("````\na\n```\nb\n````\nafter", [("code", "````\na\n```\nb\n````\n"), ("prose", "after")]),
        # An unclosed fence runs to the end of the block.
        (
            "intro\n```py\nprint(1)\nstill code",
            [("prose", "intro\n"), ("code", "```py\nprint(1)\nstill code")],
        ),
        # Indented code needs a blank line before it; blank lines inside it are kept.
        (
            "See:\n\n    a = 1\n\n    b = 2\nback to prose",
            [("prose", "See:\n\n"), ("code", "    a = 1\n\n    b = 2\n"), ("prose", "back to prose")],
        ),
        ("\tindented by a tab\nprose", [("code", "\tindented by a tab\n"), ("prose", "prose")]),
    ],
)
def test_text_blocks_split_into_prose_and_code(text: str, expected: list[tuple[str, str]]) -> None:
    assert _kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A paragraph\n    continued with indentation is still prose",
        "not a fence: `` two backticks ``",
        "inline ```not a fence``` in a sentence",
    ],
)
def test_hard_negatives_stay_prose(text: str) -> None:
    assert [kind for kind, _ in _kinds(text)] == ["prose"]


@pytest.mark.parametrize(("kind", "segment_kind"), [("tool_result", "tool_result"), ("name", "name")])
def test_other_block_kinds_are_one_segment(kind: str, segment_kind: str) -> None:
    text = "```\nnot split\n```\n    nor this"
    (segment,) = segment_block(block(text, kind=kind))  # type: ignore[arg-type]
    assert (segment.kind, segment.start, segment.end, segment.text) == (segment_kind, 0, len(text), text)


def test_tool_input_reads_a_same_length_decoded_view() -> None:
    raw = json.dumps({"command": 'echo "key"\nAKIA'})
    (segment,) = segment_block(block(raw, kind="tool_use"))
    assert segment.kind == "tool_input"
    assert (segment.start, segment.end) == (0, len(raw))
    assert len(segment.source.text) == len(raw)
    # The value after the escaped newline starts at the same offset in the view and the raw text.
    at = raw.index("AKIA")
    assert segment.source.text[at : at + 4] == "AKIA"
    assert segment.source.text[at - 1] == "\n"
    assert ' "key "' in segment.source.text


@pytest.mark.parametrize(
    ("raw", "view"),
    [
        (r"a\nb", "a \nb"),
        (r"\"q\"", ' "q "'),
        (r"x\\ny", "x \\ny"),  # an escaped backslash, then a literal n
        (r"caf\u00e9", "caf     é"),
        (r"\ud83d\ude00", r"\ud83d\ude00"),  # surrogate halves stay as written
        ("no escapes", "no escapes"),
    ],
)
def test_decoded_view_keeps_every_offset(raw: str, view: str) -> None:
    assert decoded_view(raw) == view
    assert len(decoded_view(raw)) == len(raw)


@pytest.mark.parametrize("text", ["", "   \n\t  ", "```\n```"])
def test_whitespace_only_pieces_are_dropped(text: str) -> None:
    kinds = [s.kind for s in segment_block(block(text))]
    assert kinds == ([] if not text.strip() else ["code"])


def test_long_prose_is_chunked_at_whitespace_with_absolute_offsets() -> None:
    words = " ".join(f"word{i:03d}" for i in range(200))
    text = "```\ncode\n```\n" + words
    segments = segment_block(block(text), max_chars=100)
    prose = [s for s in segments if s.kind == "prose"]
    assert len(prose) > 10
    assert all(len(s.text) <= 100 for s in prose)
    assert "".join(s.text for s in prose) == text[prose[0].start :]
    for a, b in itertools.pairwise(prose):
        assert a.end == b.start
        assert a.text[-1].isspace(), "cut inside a word"
    assert prose[0].start == text.index("word000")


def test_a_run_without_whitespace_is_cut_hard_at_the_limit() -> None:
    text = "x" * 250
    segments = segment_block(block(text), max_chars=100)
    assert [(s.start, s.end) for s in segments] == [(0, 100), (100, 200), (200, 250)]


def test_chunks_prefer_line_breaks() -> None:
    text = ("a b c d e f g h\n" * 20)[:-1]
    for segment in segment_block(block(text), max_chars=50):
        assert segment.end == len(text) or text[segment.end - 1] == "\n"


def test_max_chars_too_small_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        segment_block(block("text"), max_chars=3)


def test_segments_are_ordered_disjoint_and_cover_every_visible_character() -> None:
    rng = random.Random(7)
    pieces = ["word ", "\n", "\n\n", "    indented\n", "```\n", "~~~\n", "`", "\t", "x" * 30, "A-b_c ", "  "]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        segments = segment_block(block(text), max_chars=rng.choice([16, 40, 100_000]))
        covered: set[int] = set()
        for a, b in itertools.pairwise(segments):
            assert a.end <= b.start
        for s in segments:
            assert 0 <= s.start < s.end <= len(text)
            covered.update(range(s.start, s.end))
        visible = {i for i, char in enumerate(text) if not char.isspace()}
        assert visible <= covered, text


def test_text_spans_cover_the_text_exactly() -> None:
    text = "p\n```\nc\n```\np2\n\n    code\n"
    spans = text_spans(text)
    assert spans[0][1] == 0
    assert spans[-1][2] == len(text)
    assert all(a[2] == b[1] for a, b in itertools.pairwise(spans))
