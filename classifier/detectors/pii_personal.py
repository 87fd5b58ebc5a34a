"""Personal details presidio does not cover: dates of birth and street addresses.

``pii.date_of_birth`` (DATE_OF_BIRTH): a date right after birth context: ``born``, ``DOB``, ``d.o.b.``,
``date of birth``, ``birth date``, ``birthday`` (optionally ``on``/``is``/``:``). Dates in the usual
numeric forms (``1988-04-12``, ``12/04/1988``, ``4.12.88``) and with month names (``12 April
1988``, ``April 12, 1988``, ``Apr 12 1988``). A date alone is not personal data and is never
reported; a birth year alone (``born in 1988``) is not a date of birth either. Score 0.85.

``pii.address`` (POSTAL_ADDRESS): a street address: a house number, one to four name words and a
street type (``Street``, ``St``, ``Avenue``, ``Rd``, ``Lane``, ``Boulevard``, ``Straße``, ...),
optionally a unit (``Apt 4B``), a city, a US state and ZIP or a UK postcode. The number and the
street type are both required, so "3 main points" or "Route 66" are not addresses. Score 0.6, +0.1
after ``address``, ``live``, ``ship``, ``deliver``, ``mail``; 0.86 when it names its city (above
spaCy's 0.85 for the city alone: the address, not the city inside it, wins the overlap) and 0.9
with a city and a ZIP code or postcode.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import ClassVar

from classifier.detectors.base import RegexDetector
from classifier.types import Category, Detection, Detector, Segment

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_NUMERIC = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))"
_NAMED = rf"(?:{_DAY}\s+{_MONTHS},?\s+{_YEAR}|{_MONTHS}\s+{_DAY},?\s+{_YEAR})"
_BIRTH = (
    r"(?:\bborn\b(?:\s+on)?|\bd\.?o\.?b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b"
    r"(?:\s+is)?|\bgeboren\b|\bfecha\s+de\s+nacimiento\b)"
)


class DateOfBirthDetector(RegexDetector):
    """A date right after birth context (see the module docstring)."""

    id = "pii.date_of_birth"
    entity: ClassVar[str] = "DATE_OF_BIRTH"
    category: ClassVar[Category] = "pii"
    patterns: ClassVar[tuple[re.Pattern[str], ...]] = (
        re.compile(
            rf"(?i:{_BIRTH})\s*(?:[:=-]|\bis\b|\bon\b)?\s*(?P<value>(?i:{_NAMED})|{_NUMERIC})(?![\d/.-]*\d)"
        ),
    )
    score: ClassVar[float] = 0.85

    def validate(self, value: str) -> bool:
        """Numeric dates must have a plausible month and day in some order."""
        parts = [int(p) for p in re.split(r"[-/.]", value) if p.isdigit()]
        if len(parts) != 3:
            return True  # a month-name date: the pattern already bounds day and year
        if parts[0] > 31:  # year first
            return 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31
        return (1 <= parts[0] <= 12 and 1 <= parts[1] <= 31) or (1 <= parts[1] <= 12 and 1 <= parts[0] <= 31)


_STREET_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|terrace|"
    r"way|parkway|pkwy|highway|hwy|square|sq|crescent|close|circle|cir|trail|row|mews|"
    r"strasse|straße|weg|gasse|allee)\.?"
)
_NAME_WORD = r"(?:[A-Z][a-zA-Z'’-]+|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|flat|#)\.?\s*[A-Za-z0-9-]{1,6})?"
_CITY_WORD = r"[A-Z][a-zA-Z.'’-]+(?![\d'’-])"
_CITY = rf"(?:,\s*{_CITY_WORD}(?:\s+{_CITY_WORD}){{0,2}})"
_US_STATE_ZIP = r"(?:,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)"
_UK_POSTCODE = r"(?:,?\s+[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2})"
_LOCALE = rf"(?:{_CITY}(?:{_US_STATE_ZIP}|{_UK_POSTCODE})?)?"
_ADDRESS = (
    rf"(?<![\w#/.-])(?P<value>\d{{1,5}}[A-Za-z]?\s+(?:{_NAME_WORD}\s+){{1,4}}(?i:{_STREET_TYPES})"
    rf"(?![\w-])(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?{_UNIT}{_LOCALE})"
)


class PostalAddressDetector(RegexDetector):
    """A street address with a house number and a street type (see the module docstring)."""

    id = "pii.address"
    entity: ClassVar[str] = "POSTAL_ADDRESS"
    category: ClassVar[Category] = "pii"
    patterns: ClassVar[tuple[re.Pattern[str], ...]] = (re.compile(_ADDRESS),)
    score: ClassVar[float] = 0.6
    context_words: ClassVar[tuple[str, ...]] = (
        "address",
        "live",
        "lives",
        "living",
        "ship",
        "deliver",
        "mail",
    )
    context_window: ClassVar[int] = 40
    context_boost: ClassVar[float] = 0.1
    _WITH_CITY = re.compile(rf"{_CITY}$")
    _WITH_CODE = re.compile(rf"(?:{_US_STATE_ZIP}|{_UK_POSTCODE})$")
    CITY_SCORE: ClassVar[float] = 0.86
    CODE_SCORE: ClassVar[float] = 0.9

    def detect(self, segment: Segment) -> list[Detection]:
        """Addresses, scored higher when they end in a city, and a ZIP code or postcode."""
        text = segment.source.text
        out = []
        for d in super().detect(segment):
            value = text[d.start : d.end]
            if self._WITH_CODE.search(value) and "," in value:
                d = replace(d, score=max(d.score, self.CODE_SCORE))
            elif self._WITH_CITY.search(value):
                d = replace(d, score=max(d.score, self.CITY_SCORE))
            out.append(d)
        return out


def personal_detectors() -> list[Detector]:
    """Dates of birth and postal addresses."""
    return [DateOfBirthDetector(), PostalAddressDetector()]
