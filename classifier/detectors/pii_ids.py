"""Personal ids presidio has no usable recogniser for: PH and TR mobile numbers, Korean passports.

``pii.ph_mobile`` (PHONE_NUMBER): a Philippine mobile number, ``09`` + nine digits, or ``+63`` then
``9`` + nine digits, in groups 3-3-4 or 4-3-4 with spaces, dashes or an ``(area)``. With ``+63`` or
separators it scores 0.6, and so do eleven bare digits starting ``09`` (the numbering plan makes
them specific enough); ten bare digits are never taken (they are any country's number, or an id).

``pii.tr_phone`` (PHONE_NUMBER): a Turkish number, an area or mobile code ``2xx``–``5xx`` and seven
digits, after ``+90`` or a trunk ``0``, in groups 3-3-2-2 or bare. With ``+90`` or the trunk ``0`` it
scores 0.6; in the Turkish 3-3-2-2 grouping 0.55; ten bare digits score 0.4 (below the classifier's
0.5), and 0.6 after a phone word ("phone", "tel", "telefon", "cep", "gsm", "mobile").

``pii.kr_passport`` (KR_PASSPORT): a Korean passport number. The current format (since 2021), a type
letter ``M S R O D`` then three digits, a letter and four digits (``M123A4567``), scores 0.5 on its
own; the previous format, a type letter and eight digits, is any id's shape, so it scores 0.3 and
needs a passport word nearby (0.6).

Every detector runs on every segment kind; matches must not touch other letters or digits.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import ClassVar

from classifier.detectors.base import RegexDetector, compile_context_words
from classifier.types import Detection, Detector, Segment

_BEFORE = r"(?<![A-Za-z0-9+])"
_AFTER = r"(?![A-Za-z0-9])"
_SEP = r"[ .-]?"


class _ShapeScoredDetector(RegexDetector):
    """A regex detector whose score depends on how the value is written (``shape_score``)."""

    context_window = 40

    def shape_score(self, value: str) -> float:
        """The base score of ``value`` before any context boost."""
        return self.score

    def detect(self, segment: Segment) -> list[Detection]:
        """Every match, scored by its shape, plus the context boost when a context word precedes it."""
        text = segment.source.text
        found: list[Detection] = []
        for hit in super().detect(segment):
            boost = hit.score - self.score  # 0, or the base class's context boost
            score = min(self.shape_score(text[hit.start : hit.end]) + boost, 1.0)
            found.append(replace(hit, score=round(score, 4)))
        return found


class PhMobileDetector(_ShapeScoredDetector):
    """Philippine mobile numbers: ``+63 9xx xxx xxxx`` or ``09xx xxx xxxx``."""

    id = "pii.ph_mobile"
    entity = "PHONE_NUMBER"
    category = "pii"
    patterns = (
        re.compile(
            _BEFORE + r"(?:\+63[ -]?|0[ -]?)(?:9\d{2}|\(9\d{2}\))[ -]?\d{3}[ -]?\d{4}" + _AFTER,
        ),
    )
    score = 0.6
    context_words = ("phone", "mobile", "cell", "number", "telepono", "numero", "tel")
    context_boost = 0.0

    def shape_score(self, value: str) -> float:
        return 0.6


class TrPhoneDetector(_ShapeScoredDetector):
    """Turkish phone numbers: ``+90 5xx xxx xx xx``, ``0 212 xxx xx xx``, ``5xx xxx xx xx``."""

    id = "pii.tr_phone"
    entity = "PHONE_NUMBER"
    category = "pii"
    patterns = (
        re.compile(
            _BEFORE
            + r"(?:\+90[ .-]?|0[ .-]?)?(?:[2-5]\d{2}|\([2-5]\d{2}\))"
            + _SEP
            + r"\d{3}"
            + _SEP
            + r"\d{2}"
            + _SEP
            + r"\d{2}"
            + _AFTER
        ),
    )
    score = 0.4
    context_words = ("phone", "tel", "telefon", "telephone", "cep", "gsm", "mobile", "numaram", "numarası")
    context_boost = 0.2
    _GROUPED: ClassVar[re.Pattern[str]] = re.compile(r"\d{3}[ .-]\d{3}[ .-]\d{2}[ .-]\d{2}$")

    def shape_score(self, value: str) -> float:
        if value.startswith(("+90", "0")):
            return 0.6
        if self._GROUPED.search(value):
            return 0.55
        return 0.4


class KrPassportDetector(_ShapeScoredDetector):
    """Korean passport numbers: ``M123A4567`` (current) or ``M12345678`` (previous, needs context)."""

    id = "pii.kr_passport"
    entity = "KR_PASSPORT"
    category = "pii"
    patterns = (re.compile(r"(?<![A-Za-z0-9])[MSRODmsrod]\d{3}[A-Za-z]\d{4}" + _AFTER),)
    score = 0.5
    _PREVIOUS: ClassVar[re.Pattern[str]] = re.compile(r"(?<![A-Za-z0-9])[MSRODmsrod]\d{8}" + _AFTER)
    _WORDS: ClassVar[re.Pattern[str] | None] = compile_context_words(("passport", "passports", "여권"))

    def detect(self, segment: Segment) -> list[Detection]:
        """Current-format numbers at 0.5; previous-format ones only next to a passport word."""
        found = super().detect(segment)
        text = segment.text
        for match in self._PREVIOUS.finditer(text):
            window = (
                text[max(0, match.start() - 40) : match.start()] + " " + text[match.end() : match.end() + 30]
            )
            score = 0.6 if self._WORDS is not None and self._WORDS.search(window) else 0.3
            start, end = segment.start + match.start(), segment.start + match.end()
            found.append(Detection(self.entity, self.category, self.id, start, end, score))
        return found


def pii_id_detectors() -> list[Detector]:
    """The personal-id detectors of this module, in priority order."""
    return [PhMobileDetector(), TrPhoneDetector(), KrPassportDetector()]
