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
import re._constants as _sre_constants
import re._parser as _sre_parser
from collections.abc import Iterator
from typing import Any, ClassVar

import regex

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


# --- Digit-run bounds: which patterns cannot match a text ------------------------------------------
#
# ``min_digit_run(pattern)`` is a lower bound on the longest run of consecutive digits (``\d``) in
# any match of ``pattern``: ``\b\d{9}\b`` -> 9, ``\d{3}-\d{2}-\d{4}`` -> 4, ``[A-Z][0-9]{1,12}`` -> 1.
# A text whose own longest digit run (``longest_digit_run``) is shorter cannot contain a match, so
# the pattern need not run on it. The bound is computed from the parsed pattern (``re``'s parser):
# every piece of a match is summarised by its digit runs (all digits of length n, or a prefix run,
# a suffix run and the longest run inside), a piece that may match a non-digit is assumed to
# (turning a character into a digit never shortens a run), zero-width assertions match nothing
# and a back-reference counts as a non-digit. Runs are capped at ``_RUN_CAP``. A pattern the
# parser does not take gets 0 (always run). Digits are the ``regex`` module's ``\d`` (the engine
# presidio uses; it holds ``[0-9]`` and every other decimal digit, whatever the flags).

_RUN_CAP = 32
_DIGIT_RUNS = regex.compile(r"\d+")
_DIGITS = frozenset(range(ord("0"), ord("9") + 1))
# A piece's summary: ``(n,)`` all n characters are digits; ``(prefix, suffix, longest)`` otherwise.
_Summary = tuple[int, ...]
_NON_DIGIT: _Summary = (0, 0, 0)


def longest_digit_run(text: str) -> int:
    """The length of the longest run of consecutive digits in ``text`` (the ``regex`` module's ``\\d``)."""
    return max(map(len, _DIGIT_RUNS.findall(text)), default=0)


def min_digit_run(pattern: str, flags: int = 0) -> int:
    """A lower bound on the longest digit run of every match of ``pattern`` (see above); 0 if unknown."""
    try:  # only the flags ``re`` and ``regex`` share (``regex.ASCII`` is ``re.DEBUG``, for one)
        parsed = _sre_parser.parse(pattern, flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE))
    except (re.error, RecursionError, ValueError, TypeError, OverflowError):
        return 0
    return min(_run_of(s) for s in _seq(list(parsed)))


def _run_of(summary: _Summary) -> int:
    return summary[0] if len(summary) == 1 else summary[2]


def _cap(n: int) -> int:
    return min(n, _RUN_CAP)


def _join(a: _Summary, b: _Summary) -> _Summary:
    if len(a) == 1 and len(b) == 1:
        return (_cap(a[0] + b[0]),)
    if len(a) == 1:
        prefix = _cap(a[0] + b[0])
        return (prefix, b[1], max(b[2], prefix))
    if len(b) == 1:
        suffix = _cap(a[1] + b[0])
        return (a[0], suffix, max(a[2], suffix))
    return (a[0], b[1], max(a[2], b[2], _cap(a[1] + b[0])))


def _minimal(options: set[_Summary]) -> frozenset[_Summary]:
    """Drop summaries another one of the same shape is at most in every field of (never fewer runs)."""
    return frozenset(s for s in options if not any(o != s and _at_most(o, s) for o in options))


def _at_most(a: _Summary, b: _Summary) -> bool:
    return len(a) == len(b) and all(x <= y for x, y in zip(a, b, strict=True))


def _concat(left: frozenset[_Summary], right: frozenset[_Summary]) -> frozenset[_Summary]:
    return _minimal({_join(a, b) for a in left for b in right})


def _seq(items: list[tuple[object, object]]) -> frozenset[_Summary]:
    out: frozenset[_Summary] = frozenset({(0,)})
    for op, av in items:
        out = _concat(out, _node(op, av))
    return out


def _node(op: object, av: Any) -> frozenset[_Summary]:
    c = _sre_constants
    if op is c.LITERAL:
        return frozenset({(1,)} if av in _DIGITS else {_NON_DIGIT})
    if op is c.IN:
        return frozenset({(1,)} if _digit_set(av) else {_NON_DIGIT})
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset({(0,)})  # zero-width
    if op is c.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _seq(list(av))
    if op is c.BRANCH:
        return _minimal({s for branch in av[1] for s in _seq(list(branch))})
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, item = av
        return _repeat(_seq(list(item)), low, high)
    return frozenset({_NON_DIGIT})  # any character, a back-reference, a conditional: assume a non-digit


def _digit_set(items: Any) -> bool:
    c = _sre_constants
    for op, av in items:
        if op is c.LITERAL and av in _DIGITS:
            continue
        if op is c.RANGE and all(x in _DIGITS for x in av):
            continue
        if op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            continue
        return False  # NEGATE, other categories and characters
    return True


def _repeat(item: frozenset[_Summary], low: int, high: int) -> frozenset[_Summary]:
    """Every count from ``low`` to ``high``: capped runs make the summaries cycle, which ends the loop."""
    current: frozenset[_Summary] = frozenset({(0,)})
    for _ in range(low):
        current = _concat(current, item)
    options = set(current)
    seen = {current}
    count = low
    while count < high:
        current = _concat(current, item)
        count += 1
        if current in seen:
            break
        seen.add(current)
        options |= current
    return _minimal(options)
