"""Matching and metrics: pure functions over spans and counts.

Span matching (entity level): a predicted span matches an expected span of the same entity when

* ``exact``: both offsets are equal; or
* ``overlap`` (the headline figure): the shared characters are at least half of the LONGER of
  the two spans, ``|gold ∩ pred| / max(|gold|, |pred|) >= 0.5``; so a prediction that covers
  only half an entity, or twice its length, still counts, a one-word hit in a long span does not.

Matching is one-to-one, greedy: each expected span (in order) takes the unmatched prediction that
overlaps it most. Unmatched predictions are false positives, unmatched expected spans misses.
Precision, recall and F1 are ``None`` when undefined (nothing predicted / nothing expected).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MatchMode = Literal["exact", "overlap"]
MIN_OVERLAP = 0.5
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives, false negatives (and true negatives for case-level sets)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)


def overlap_ratio(a: Span, b: Span) -> float:
    """Shared characters over the longer span's length (0.0 when either span is empty)."""
    longer = max(a[1] - a[0], b[1] - b[0])
    if a[1] <= a[0] or b[1] <= b[0]:
        return 0.0
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(shared, 0) / longer


def spans_match(gold: Span, pred: Span, mode: MatchMode) -> bool:
    """True when ``pred`` matches ``gold`` under ``mode``."""
    if mode == "exact":
        return gold == pred
    return overlap_ratio(gold, pred) >= MIN_OVERLAP


def match_spans(gold: Sequence[Span], pred: Sequence[Span], mode: MatchMode) -> Counts:
    """One-to-one greedy matching of expected against predicted spans (one entity)."""
    free = list(dict.fromkeys(pred))  # a span predicted twice is one prediction
    tp = 0
    for g in gold:
        candidates = [p for p in free if spans_match(g, p, mode)]
        if candidates:
            free.remove(max(candidates, key=lambda p: overlap_ratio(g, p)))
            tp += 1
    return Counts(tp=tp, fp=len(free), fn=len(gold) - tp)


def presence_counts(expected: bool, predicted: bool) -> Counts:
    """Case-level outcome: expected and/or predicted anywhere in the case."""
    if expected:
        return Counts(tp=1) if predicted else Counts(fn=1)
    return Counts(fp=1) if predicted else Counts(tn=1)


def precision(c: Counts) -> float | None:
    """tp / (tp + fp), or None when nothing was predicted."""
    return c.tp / (c.tp + c.fp) if c.tp + c.fp else None


def recall(c: Counts) -> float | None:
    """tp / (tp + fn), or None when nothing was expected."""
    return c.tp / (c.tp + c.fn) if c.tp + c.fn else None


def f1(c: Counts) -> float | None:
    """2tp / (2tp + fp + fn): 0.0 with errors and no hits, None with no predictions and no gold."""
    denominator = 2 * c.tp + c.fp + c.fn
    return 2 * c.tp / denominator if denominator else None


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None for an empty whole."""
    return part / whole if whole else None
