"""``pii.date_of_birth`` and ``pii.address``: positives with their exact values, hard negatives."""

from __future__ import annotations

import pytest

from classifier.detectors.pii_personal import DateOfBirthDetector, PostalAddressDetector
from tests.classifier.helpers import spans, whole

DOB = DateOfBirthDetector()
ADDRESS = PostalAddressDetector()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DOB: 04/12/1988", "04/12/1988"),
        ("born on 12 April 1988 in Leeds", "12 April 1988"),
        ("Date of birth 1988-04-12.", "1988-04-12"),
        ("her birthday is March 3, 1990", "March 3, 1990"),
        ("d.o.b. 31.12.79", "31.12.79"),
        ("Birth date: Sep 9th 2001", "Sep 9th 2001"),
    ],
)
def test_dates_of_birth(text: str, value: str) -> None:
    assert spans(DOB, text, prefix="x ") == [("DATE_OF_BIRTH", value)]


@pytest.mark.parametrize(
    "text",
    [
        "born in 1988",  # a year is not a date of birth
        "meeting on 2024-05-01",  # a date alone is not personal data
        "DOB 13/13/1988",  # no month 13
        "birthday party on the 5th, bring cake",
        "released 2021-05-04, born from a hackathon",
        "DOB: 04/12/19881",  # part of a longer number
    ],
)
def test_date_of_birth_negatives(text: str) -> None:
    assert spans(DOB, text) == []


@pytest.mark.parametrize(
    ("text", "value", "score"),
    [
        ("I live at 221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE", 0.9),
        (
            "ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500",
            "1600 Pennsylvania Avenue NW, Washington, DC 20500",
            0.9,
        ),
        (
            "Mail: 350 Fifth Avenue, Apt 12B, New York, NY 10118-0110 today",
            "350 Fifth Avenue, Apt 12B, New York, NY 10118-0110",
            0.9,
        ),
        ("Send it to 42 Wallaby Way, Sydney", "42 Wallaby Way, Sydney", 0.86),
        ("the office is 10 Downing St", "10 Downing St", 0.6),
        ("my address: 77 Old Mill Road", "77 Old Mill Road", 0.7),
    ],
)
def test_postal_addresses(text: str, value: str, score: float) -> None:
    (d,) = ADDRESS.detect(whole(text, prefix="> "))
    assert (d.entity, "> " + text)[0] == "POSTAL_ADDRESS"
    assert ("> " + text)[d.start : d.end] == value
    assert d.score == pytest.approx(score)


@pytest.mark.parametrize(
    "text",
    [
        "3 main points to cover",
        "Route 66 is long",
        "version 2 street-smart edition",
        "we sold 40 units way over target",
        "call 555 Main",  # no street type
        "see section 4.2 Road map",  # a section number, not a house number
    ],
)
def test_postal_address_negatives(text: str) -> None:
    assert spans(ADDRESS, text) == []
