"""Evaluation cases: a text, the spans or labels expected in it, and deterministic sampling."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

# How a data set is scored: entity spans, presence of an entity anywhere in the case, or text labels.
Kind = Literal["span", "presence", "text"]
SEED = 17


class EvalError(Exception):
    """A data set is missing or malformed; the message names paths and line numbers, never content."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """An expected entity at ``[start, end)``, under the data set's own label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Case:
    """One text to classify and what is expected of it.

    ``scope`` lists the data-set labels scored on this case (predictions of other entities are
    ignored: the source annotates only those). ``expected`` holds the labels expected anywhere in
    the text (presence sets) or the categories expected for the text (text sets). A ``weak`` case
    is one its source expects to score below the reporting threshold: it is scored apart
    (``WEAK_GROUP``), neither a positive to find nor a negative.
    """

    case_id: str
    text: str = field(repr=False)
    spans: tuple[GoldSpan, ...] = ()
    scope: frozenset[str] = frozenset()
    expected: frozenset[str] = frozenset()
    group: str = ""
    weak: bool = False


WEAK_GROUP = "weak (expected score < 0.5)"


@dataclass(frozen=True, slots=True)
class DataSet:
    """The cases of one data set, with how many there were before sampling."""

    name: str
    kind: Kind
    cases: list[Case] = field(repr=False)
    total: int
    skipped: int = 0
    note: str = ""

    @property
    def sampled(self) -> bool:
        """True when fewer cases are scored than the data set holds."""
        return len(self.cases) < self.total


def sample(cases: list[Case], size: int | None, seed: int = SEED) -> list[Case]:
    """A deterministic sample of ``size`` cases in their original order (all when ``size`` is None)."""
    if size is None or size >= len(cases):
        return list(cases)
    picked = sorted(random.Random(seed).sample(range(len(cases)), size))
    return [cases[i] for i in picked]
