"""One overlap policy for the detections of one block.

Detections whose spans overlap compete; the winner is, in order:

1. the higher score;
2. on equal scores, the longer span;
3. on equal length, the detector listed first in the registry (secrets, then payment, then pii).

The winner suppresses every detection it overlaps; detections that overlap nothing are all kept.
Two detectors reporting the same span collapse into one (the same rules pick which). Selection is
greedy in priority order, so the result never depends on the order detections arrived in.

The classifier applies the policy (allow-lists, context words, thresholds) before merging, so a
dropped detection suppresses nothing. ``merge_all`` merges three groups (``merge_group``):

* **values** (secrets, payment and personal values) among themselves, by the rules above;
* **content** findings (health or financial content, marked at the window's strongest word):
  one overlapping a kept value is dropped (a figure that is a card or a phone number is that
  value, not financial content), except that a name or place covers only content marked at a
  figure (``mrnq27631`` read as a name is no amount of money, but a name on "Parkinson's" does
  not make the word any less medical); then the rest are merged among themselves. Content never
  hides a value;
* **regions** (``customer_data``: a whole table of records) among themselves, so a table never
  hides the emails inside it and an email never hides its table.

Every detection, kept or not, is masked in evidence.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from classifier.entities import CONTENT_ENTITIES, NAME_ENTITIES
from classifier.types import Detection, SegmentKind

# Categories whose findings mark a region (a table of records), merged apart from value findings.
REGION_CATEGORIES = frozenset({"customer_data"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A detection with what merging and reporting need: its segment kind and detector rank."""

    detection: Detection
    segment: SegmentKind
    rank: int  # position of the detector in the registry (lower wins ties)


def priority(candidate: Candidate) -> tuple[float, int, int, int, str]:
    """Sort key: best candidate first (score, then length, then registry order)."""
    d = candidate.detection
    return (-d.score, -(d.end - d.start), candidate.rank, d.start, d.entity)


def merge_group(d: Detection) -> str:
    """Which group a detection competes in: ``region``, ``content`` or ``value``."""
    if d.category in REGION_CATEGORIES:
        return "region"
    return "content" if d.entity in CONTENT_ENTITIES else "value"


def merge_all(candidates: Iterable[Candidate], at_figure: Callable[[Detection], bool]) -> list[Candidate]:
    """The winners of the three groups (module docstring), in position order.

    ``at_figure(d)`` tells whether content detection ``d`` is marked at a figure (a digit in its span).
    """
    groups: dict[str, list[Candidate]] = {"value": [], "content": [], "region": []}
    for c in candidates:
        groups[merge_group(c.detection)].append(c)
    values = merge(groups["value"])
    spans = [(c.detection.start, c.detection.end) for c in values]
    others = [(c.detection.start, c.detection.end) for c in values if c.detection.entity not in NAME_ENTITIES]
    content = merge(
        c
        for c in groups["content"]
        if not overlaps_any(c.detection, spans if at_figure(c.detection) else others)
    )
    kept = values + content + merge(groups["region"])
    return sorted(kept, key=lambda c: (c.detection.start, c.detection.end))


def overlaps_any(d: Detection, spans: list[tuple[int, int]]) -> bool:
    """True when ``d`` overlaps one of ``spans`` (sorted by start, not overlapping each other)."""
    i = bisect_left(spans, (d.end, d.end))  # spans at i.. start at or after d's end
    return i > 0 and spans[i - 1][1] > d.start


def digit_in(text: str) -> Callable[[Detection], bool]:
    """``at_figure`` for detections in ``text``: a digit inside the span."""
    return lambda d: any(ch.isdigit() for ch in text[d.start : d.end])


def merge(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The non-overlapping winners among ``candidates``, ordered by position."""
    starts: list[int] = []  # kept spans never overlap, so sorting by start also sorts by end
    kept: dict[int, Candidate] = {}
    for candidate in sorted(candidates, key=priority):
        d = candidate.detection
        i = bisect_left(starts, d.end)  # kept spans at i.. start at or after our end
        if i > 0 and kept[starts[i - 1]].detection.end > d.start:
            continue
        insort(starts, d.start)
        kept[d.start] = candidate
    return [kept[start] for start in starts]
