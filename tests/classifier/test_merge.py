"""The overlap policy: score, then length, then registry order; disjoint detections all kept."""

from __future__ import annotations

import itertools
import random

import pytest

from classifier.merge import Candidate, digit_in, merge, merge_all
from classifier.types import Detection


def c(entity: str, start: int, end: int, score: float, rank: int = 0) -> Candidate:
    return Candidate(Detection(entity, "secrets", f"det{rank}", start, end, score), "prose", rank)


def names(kept: list[Candidate]) -> list[str]:
    return [k.detection.entity for k in kept]


@pytest.mark.parametrize(
    ("candidates", "winners"),
    [
        ([c("A", 0, 10, 0.9), c("B", 5, 15, 0.8)], ["A"]),  # higher score wins
        ([c("A", 0, 10, 0.8), c("B", 2, 20, 0.8)], ["B"]),  # tie: longer span wins
        ([c("A", 0, 10, 0.8, rank=1), c("B", 0, 10, 0.8, rank=0)], ["B"]),  # tie: registry order
        ([c("A", 0, 10, 0.9), c("B", 10, 20, 0.5)], ["A", "B"]),  # touching is not overlapping
        ([c("A", 0, 5, 0.5), c("B", 20, 25, 0.9)], ["A", "B"]),  # disjoint: both kept, by position
        ([c("A", 0, 10, 0.7), c("B", 8, 14, 0.9), c("C", 12, 30, 0.8)], ["B"]),  # B beats both neighbours
        ([c("A", 0, 10, 0.9), c("B", 8, 14, 0.8), c("C", 12, 30, 0.7)], ["A", "C"]),  # C survives B's loss
        ([c("A", 3, 7, 0.95), c("B", 0, 40, 0.9)], ["A"]),  # a short strong hit beats a long weak one
    ],
)
def test_overlap_policy(candidates: list[Candidate], winners: list[str]) -> None:
    assert names(merge(candidates)) == winners


def test_same_span_duplicates_collapse_to_one() -> None:
    kept = merge([c("AWS_ACCESS_KEY", 4, 24, 0.95, rank=1), c("AWS_ACCESS_KEY", 4, 24, 0.95, rank=0)])
    assert len(kept) == 1
    assert kept[0].rank == 0


def test_result_does_not_depend_on_arrival_order() -> None:
    rng = random.Random(3)
    for _ in range(200):
        items = []
        for i in range(rng.randint(1, 12)):
            start = rng.randint(0, 50)
            items.append(
                c(f"E{i}", start, start + rng.randint(1, 15), rng.choice([0.5, 0.7, 0.9]), rng.randint(0, 3))
            )
        expected = merge(items)
        rng.shuffle(items)
        assert merge(items) == expected
        spans = [(k.detection.start, k.detection.end) for k in expected]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        # Every dropped candidate overlaps a kept one that outranks it.
        for item in items:
            if item not in expected:
                d = item.detection
                assert any(k.detection.start < d.end and d.start < k.detection.end for k in expected)


def _c(entity: str, category: str, start: int, end: int, score: float) -> Candidate:
    return Candidate(Detection(entity, category, "t", start, end, score), "prose", 0)  # type: ignore[arg-type]


NONE_AT_FIGURES = digit_in("")


def test_content_never_hides_a_value() -> None:
    card = _c("CREDIT_CARD", "payment", 10, 29, 0.95)
    figure = _c("FINANCIAL_INFORMATION", "financial", 10, 29, 0.99)  # the lexicon's strongest "word"
    assert merge_all([card, figure], NONE_AT_FIGURES) == [card]


def test_a_value_covers_the_content_marked_on_it_but_a_name_does_not() -> None:
    phone = _c("PHONE_NUMBER", "pii", 10, 22, 0.6)
    on_phone = _c("FINANCIAL_INFORMATION", "financial", 12, 20, 0.8)
    name = _c("PERSON", "pii", 30, 45, 0.85)
    on_name = _c("HEALTH_INFORMATION", "regulated", 38, 50, 0.9)
    elsewhere = _c("HEALTH_INFORMATION", "regulated", 60, 70, 0.7)
    kept = merge_all([phone, on_phone, name, on_name, elsewhere], NONE_AT_FIGURES)
    assert kept == [phone, name, on_name, elsewhere]


def test_a_name_covers_content_marked_at_a_figure() -> None:
    text = "patient id mrnq27631 today"
    name = _c("PERSON", "pii", 11, 20, 0.85)  # NER reads the id as a name
    figure = _c("FINANCIAL_INFORMATION", "financial", 15, 20, 0.53)  # "27631" as an amount
    assert merge_all([name, figure], digit_in(text)) == [name]


def test_regions_are_merged_apart() -> None:
    table = _c("BULK_PERSONAL_DATA", "customer_data", 0, 500, 0.7)
    email = _c("EMAIL_ADDRESS", "pii", 10, 30, 1.0)
    assert merge_all([table, email], NONE_AT_FIGURES) == [table, email]
