"""Span matching and metrics: exact and overlap matching, and every zero-division edge."""

from __future__ import annotations

import pytest

from classifier.eval.scoring import (
    Counts,
    f1,
    match_spans,
    overlap_ratio,
    precision,
    presence_counts,
    rate,
    recall,
    spans_match,
)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ((0, 10), (0, 10), 1.0),
        ((0, 10), (0, 5), 0.5),  # half the gold: exactly on the threshold
        ((0, 10), (5, 25), 0.25),  # shared 5 of the longer 20
        ((0, 10), (10, 20), 0.0),  # touching is not overlapping
        ((0, 10), (3, 3), 0.0),  # an empty span overlaps nothing
        ((5, 5), (5, 5), 0.0),
    ],
)
def test_overlap_ratio(a: tuple[int, int], b: tuple[int, int], ratio: float) -> None:
    assert overlap_ratio(a, b) == pytest.approx(ratio)
    assert overlap_ratio(b, a) == pytest.approx(ratio)


@pytest.mark.parametrize(
    ("gold", "pred", "exact", "overlap"),
    [
        ((0, 16), (0, 16), True, True),
        ((0, 16), (0, 15), False, True),
        ((4, 10), (0, 12), False, True),  # a 12-char prediction around 6 gold chars: exactly 0.5
        ((4, 10), (0, 13), False, False),  # 6 of 13: under half
        ((0, 20), (0, 9), False, False),  # 9 of 20
        ((0, 4), (10, 14), False, False),
    ],
)
def test_spans_match(gold: tuple[int, int], pred: tuple[int, int], exact: bool, overlap: bool) -> None:
    assert spans_match(gold, pred, "exact") is exact
    assert spans_match(gold, pred, "overlap") is overlap


@pytest.mark.parametrize(
    ("gold", "pred", "mode", "expected"),
    [
        ([], [], "overlap", Counts()),
        ([(0, 5)], [], "overlap", Counts(fn=1)),
        ([], [(0, 5)], "overlap", Counts(fp=1)),
        ([(0, 5)], [(0, 5), (0, 5)], "exact", Counts(tp=1)),  # a duplicate prediction is one prediction
        ([(0, 10)], [(0, 9), (1, 10)], "overlap", Counts(tp=1, fp=1)),  # one-to-one
        ([(0, 10), (12, 20)], [(0, 9)], "exact", Counts(fn=2, fp=1)),
        ([(0, 10), (12, 20)], [(0, 9), (12, 20)], "overlap", Counts(tp=2)),
        # the greedy match takes the best-overlapping prediction for each gold span
        ([(0, 10), (8, 18)], [(8, 18), (0, 10)], "overlap", Counts(tp=2)),
    ],
)
def test_match_spans(
    gold: list[tuple[int, int]], pred: list[tuple[int, int]], mode: str, expected: Counts
) -> None:
    assert match_spans(gold, pred, mode) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expected", "predicted", "counts"),
    [
        (True, True, Counts(tp=1)),
        (True, False, Counts(fn=1)),
        (False, True, Counts(fp=1)),
        (False, False, Counts(tn=1)),
    ],
)
def test_presence_counts(expected: bool, predicted: bool, counts: Counts) -> None:
    assert presence_counts(expected, predicted) == counts


@pytest.mark.parametrize(
    ("counts", "p", "r", "f"),
    [
        (Counts(), None, None, None),  # nothing expected, nothing predicted
        (Counts(fn=3), None, 0.0, 0.0),  # no predictions, all missed
        (Counts(fp=2), 0.0, None, 0.0),  # only false alarms
        (Counts(tp=2), 1.0, 1.0, 1.0),
        (Counts(tp=1, fp=1, fn=2), 0.5, 1 / 3, 0.4),
        (Counts(tp=3, tn=100), 1.0, 1.0, 1.0),  # true negatives change none of the three
    ],
)
def test_metrics(counts: Counts, p: float | None, r: float | None, f: float | None) -> None:
    assert precision(counts) == (None if p is None else pytest.approx(p))
    assert recall(counts) == (None if r is None else pytest.approx(r))
    assert f1(counts) == (None if f is None else pytest.approx(f))


def test_counts_add_and_rate() -> None:
    assert Counts(1, 2, 3, 4) + Counts(1, 1, 1, 1) == Counts(2, 3, 4, 5)
    assert rate(1, 4) == 0.25
    assert rate(0, 0) is None
