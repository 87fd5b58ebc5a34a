"""The gate of ``--ner auto``: may a gated detector's findings still change a chat's outcome?

A gated detector (``NerDetector`` in ``auto`` mode) runs after every other detector, one chunk of
prose at a time, and only while its findings could change the chat's **outcome**: its labels and
its severity (``classifier.rollup``). The per-category scores are not part of it: a name could
only raise the ``pii`` score to 0.85 or take away a finding that set a score, and reading every
chunk for that would cost a third more NER on long pastes. The test is exact, not a guess:

* The outcome is monotone in the set of findings: adding a finding never removes a label, lowers a
  score or lowers the severity.
* What the unread chunks can do is bounded on both sides. Their detections are at most the
  detector's entities at its best score (after the policy's context raise, and only where the
  policy's threshold lets them through), in the messages those chunks belong to: the **upper**
  set adds one such finding per entity and message. A new detection can also win the overlap
  merge (``classifier.merge``) and suppress findings it overlaps, which in turn can let a
  candidate they had suppressed come back, and so on along chains of overlapping spans. All of
  that stays inside its merge group (values or regions), inside the **clusters** of overlapping
  candidates that touch an unread chunk, and among candidates that score no higher than the new
  detection (each step of a chain goes down the merge's priority order). A value that goes or
  comes back also decides which content findings it covers, so content candidates whose cluster
  overlaps such a value are in play too, and so is content marked at a figure inside an unread
  chunk (a new name there would cover it). The **lower** set drops every finding in play and the
  upper set adds every candidate in play, kept or not.
* If the outcome of the lower set equals that of the upper set, every possible result of the
  unread chunks gives that same outcome, and they can be skipped.

``Classifier`` asks ``could_change`` before each round: first for all unread chunks together (stop
when nothing can change), then per message, to read only the messages that still matter. The cost
is one roll-up per question over the chat's findings, tiny next to NER.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from classifier.merge import Candidate, merge_group
from classifier.policy import Policy
from classifier.rollup import labels_of, severity_of
from classifier.types import Category, Detection, Severity

Span = tuple[int, int]
Outcome = tuple[tuple[Category, ...], Severity]


class GatedDetector(Protocol):
    """What the gate reads of a gated detector."""

    @property
    def entities(self) -> tuple[str, ...]: ...

    @property
    def category(self) -> Category: ...

    @property
    def max_score(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Item:
    """The part of a finding the roll-up reads."""

    category: Category
    entity: str
    message_id: str | None
    score: float


@dataclass
class BlockState:
    """One block's policy-scored candidates, the merge winners, and the content marked at figures."""

    message_id: str | None
    scored: list[Candidate]
    kept: list[Candidate]
    figures: set[int] = field(default_factory=set)  # indexes into ``scored``


def outcome(items: Sequence[Item], policy: Policy) -> Outcome:
    """Labels and severity of ``items``."""
    return labels_of(items), severity_of(items, policy)


def best_items(
    detector: GatedDetector, message_id: str | None, policy: Policy, min_score: float
) -> list[Item]:
    """One finding per entity the detector can report in the message, at the best score it could get."""
    out = []
    raise_rule = policy.raise_
    for entity in detector.entities:
        category = policy.category_of(entity, detector.category)
        boost = (
            raise_rule.delta if raise_rule.words is not None and category in raise_rule.categories else 0.0
        )
        score = round(min(1.0, detector.max_score + max(0.0, boost)), 4)
        if score >= policy.threshold(entity, category, min_score):
            out.append(Item(category, entity, message_id, score))
    return out


def reach(items: Sequence[Item]) -> dict[str, float]:
    """Merge group -> the best score a new detection in that group can have."""
    out: dict[str, float] = {}
    for item in items:
        group = merge_group(Detection(item.entity, item.category, "", 0, 1, item.score))
        out[group] = max(out.get(group, 0.0), item.score)
    return out


def touched(
    scored: Sequence[Candidate],
    spans: Sequence[Span],
    reaches: Mapping[str, float],
    figures: Collection[int] = (),
) -> set[int]:
    """Indexes of the candidates a new detection inside ``spans`` could suppress or bring back.

    Those in a merge group in ``reaches``, scoring at most its reach, whose cluster of overlapping
    spans (within the group) overlaps one of ``spans``; and the content candidates whose cluster
    overlaps one of those values or holds content marked at a figure (``figures``) inside ``spans``.
    """
    out: set[int] = set()
    for group, best in reaches.items():
        for cluster in _clusters(scored, group, spans):
            out.update(i for i in cluster if scored[i].detection.score <= best)
    if "value" in reaches:
        near = [(scored[i].detection.start, scored[i].detection.end) for i in out]
        near += [
            (d.start, d.end)
            for d in (scored[i].detection for i in figures)
            if any(d.start < b and a < d.end for a, b in spans)
        ]
        for cluster in _clusters(scored, "content", near):
            out.update(cluster)
    return out


def _clusters(scored: Sequence[Candidate], group: str, spans: Sequence[Span]) -> list[list[int]]:
    """The clusters of overlapping candidates of ``group`` that overlap one of ``spans``."""
    members = sorted(
        (i for i, c in enumerate(scored) if merge_group(c.detection) == group),
        key=lambda i: scored[i].detection.start,
    )
    clusters: list[tuple[int, int, list[int]]] = []
    for i in members:
        d = scored[i].detection
        if clusters and d.start < clusters[-1][1]:
            lo, hi, cluster = clusters[-1]
            cluster.append(i)
            clusters[-1] = (lo, max(hi, d.end), cluster)
        else:
            clusters.append((d.start, d.end, [i]))
    return [cluster for lo, hi, cluster in clusters if any(a < hi and lo < b for a, b in spans)]


def could_change(
    detector: GatedDetector,
    blocks: Sequence[BlockState],
    unread: Mapping[int, Sequence[Span]],
    policy: Policy,
    min_score: float,
) -> bool:
    """False when every result of the ``unread`` chunks (block index -> spans) gives the same outcome."""
    lower: list[Item] = []
    upper: list[Item] = []
    for i, block in enumerate(blocks):
        spans = unread.get(i, ())
        best = best_items(detector, block.message_id, policy, min_score) if spans else []
        near = touched(block.scored, spans, reach(best), block.figures) if best else set()
        kept = {id(c) for c in block.kept}
        for k, candidate in enumerate(block.scored):
            d = candidate.detection
            item = Item(d.category, d.entity, block.message_id, round(d.score, 4))
            if k in near:
                upper.append(item)
            elif id(candidate) in kept:
                lower.append(item)
                upper.append(item)
        upper.extend(best)
    return outcome(lower, policy) != outcome(upper, policy)
