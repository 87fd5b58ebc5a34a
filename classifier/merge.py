"""One overlap policy for the detections of one block.

Detections whose spans overlap compete; the winner is, in order:

1. the higher score;
2. on equal scores, the longer span;
3. on equal length, the detector listed first in the registry (secrets, then payment, then pii).

The winner suppresses every detection it overlaps; detections that overlap nothing are all kept.
Two detectors reporting the same span collapse into one (the same rules pick which). Selection is
greedy in priority order, so the result never depends on the order detections arrived in.

The classifier applies the policy (allow-lists, context words, thresholds) before merging, so a
dropped detection suppresses nothing; and it merges region findings (``customer_data``: a whole
table of records) apart from value findings, so a table never hides the emails inside it and an
email never hides its table. Every detection, kept or not, is masked in evidence.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass

from classifier.types import Detection, SegmentKind


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
