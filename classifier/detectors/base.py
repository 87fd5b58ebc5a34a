"""A declarative base for regex detectors: patterns, a base score, context words, validate/invalidate.

A subclass sets class attributes and, when the pattern alone is not enough, overrides ``validate``
(a checksum: Luhn, mod-97) or ``invalidate`` (placeholders, documentation examples)::

    class FooKeyDetector(RegexDetector):
        id = "secrets.foo"
        entity = "FOO_KEY"
        category = "secrets"
        patterns = (re.compile(r"foo_[a-z0-9]{32}"),)
        score = 0.9

A pattern with a named group ``value`` reports that group's span; otherwise the whole match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from classifier.types import SEGMENT_KINDS, Category, Detection, Segment, SegmentKind

# Before a value: no word character, unless it is the letter of a JSON escape (``\nAKIA…``).
BOUNDARY_BEFORE = r"(?:(?<![A-Za-z0-9_])|(?<=\\[nrt]))"
BOUNDARY_AFTER = r"(?![A-Za-z0-9_])"


def compile_context_words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern for ``words`` (None when there are none)."""
    if not words:
        return None
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


class RegexDetector:
    """Find values by regex, keep those that validate, raise the score when context words precede."""

    id: str
    entity: ClassVar[str]
    category: ClassVar[Category]
    patterns: ClassVar[tuple[re.Pattern[str], ...]]
    score: ClassVar[float]
    context_words: ClassVar[tuple[str, ...]] = ()
    context_window: ClassVar[int] = 40  # characters before the value searched for context words
    context_boost: ClassVar[float] = 0.1
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __init__(self) -> None:
        self._context = compile_context_words(self.context_words)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"

    def validate(self, value: str) -> bool:
        """True when ``value`` is structurally valid (checksums); the default accepts everything."""
        return True

    def invalidate(self, value: str) -> bool:
        """True when ``value`` is a known non-secret (placeholder, documentation example)."""
        return False

    def candidates(self, value: str) -> Iterator[tuple[int, int]]:
        """Sub-spans of a match to try, best first (a regex cannot backtrack on a failed checksum)."""
        yield 0, len(value)

    def detect(self, segment: Segment) -> list[Detection]:
        """Every validated match in ``segment``, offsets into the block text."""
        text = segment.text
        found: list[Detection] = []
        seen: set[tuple[int, int]] = set()
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                span = match.span("value") if "value" in pattern.groupindex else match.span()
                accepted = self._accept(text, span)
                if accepted is not None and accepted not in seen:
                    seen.add(accepted)
                    found.append(self._detection(segment, text, accepted))
        return found

    def _accept(self, text: str, span: tuple[int, int]) -> tuple[int, int] | None:
        """The first candidate sub-span of a match that validates, if any."""
        value = text[span[0] : span[1]]
        for a, b in self.candidates(value):
            sub = value[a:b]
            if sub and not self.invalidate(sub) and self.validate(sub):
                return span[0] + a, span[0] + b
        return None

    def _detection(self, segment: Segment, text: str, span: tuple[int, int]) -> Detection:
        score = self.score
        if self._context is not None:
            window = text[max(0, span[0] - self.context_window) : span[0]]
            if self._context.search(window):
                score += self.context_boost
        start, end = segment.start + span[0], segment.start + span[1]
        return Detection(self.entity, self.category, self.id, start, end, min(score, 1.0))
