"""``pii_ids``: PH and TR mobile numbers, Korean passports (positives with offsets, hard negatives)."""

from __future__ import annotations

import pytest

from classifier.detectors.pii_ids import (
    KrPassportDetector,
    PhMobileDetector,
    TrPhoneDetector,
    pii_id_detectors,
)
from classifier.types import Detector
from tests.classifier.helpers import detections

PH, TR, KR = PhMobileDetector(), TrPhoneDetector(), KrPassportDetector()

POSITIVES: list[tuple[str, Detector, str, str, int]] = [
    ("ph international", PH, "text me at +63 917 123 4567 tonight", "PHONE_NUMBER", 11),
    ("ph bare 09", PH, "Telepono: 09171234567", "PHONE_NUMBER", 10),
    ("ph area parens", PH, "0 (917) 123 4567", "PHONE_NUMBER", 0),
    ("tr international", TR, "Telefon +90 532 123 45 67 olarak", "PHONE_NUMBER", 8),
    ("tr trunk zero", TR, "Cep no: 05321234567", "PHONE_NUMBER", 8),
    ("tr grouped", TR, "ara 0216 123 45 67 lutfen", "PHONE_NUMBER", 4),
    ("tr bare with phone word", TR, "Phone: 5321234567", "PHONE_NUMBER", 7),
    ("kr current format", KR, "My passport number is M123A4567", "KR_PASSPORT", 22),
    ("kr current lower case", KR, "m456b7890", "KR_PASSPORT", 0),
    ("kr previous with context", KR, "대한민국 여권 S87654321", "KR_PASSPORT", 8),
]
VALUES = {
    "ph international": "+63 917 123 4567",
    "ph bare 09": "09171234567",
    "ph area parens": "0 (917) 123 4567",
    "tr international": "+90 532 123 45 67",
    "tr trunk zero": "05321234567",
    "tr grouped": "0216 123 45 67",
    "tr bare with phone word": "5321234567",
    "kr current format": "M123A4567",
    "kr current lower case": "m456b7890",
    "kr previous with context": "S87654321",
}


@pytest.mark.parametrize(
    ("case", "detector", "text", "entity", "start"), POSITIVES, ids=[p[0] for p in POSITIVES]
)
def test_finds_ids(case: str, detector: Detector, text: str, entity: str, start: int) -> None:
    value = VALUES[case]
    hits = [d for d in detections(detector, text) if d.score >= 0.5]
    assert [(d.entity, d.start, d.end) for d in hits] == [(entity, start, start + len(value))]
    assert all(d.category == "pii" for d in hits)


NEGATIVES: list[tuple[str, Detector, str]] = [
    ("ph ten bare digits", PH, "Numero: 9171234567"),
    ("ph too short", PH, "0917123456"),
    ("ph too long", PH, "091712345678"),
    ("ph inside a longer number", PH, "15091712345678"),
    ("ph not a mobile prefix", PH, "08171234567"),
    ("tr ten bare digits", TR, "order 5321234567 shipped"),
    ("tr wrong leading digit", TR, "6123456789"),
    ("tr eleven digits", TR, "53212345678"),
    ("tr nine digits", TR, "532123456"),
    ("kr wrong type letter", KR, "A123B4567"),
    ("kr short", KR, "M123a456"),
    ("kr two letters", KR, "MM123A4567"),
    ("kr split", KR, "M123 A4567"),
    ("kr previous without context", KR, "ticket M12345678 closed"),
    ("kr letter too late", KR, "M1234A567"),
]


@pytest.mark.parametrize(("case", "detector", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, detector: Detector, text: str) -> None:
    assert [d for d in detections(detector, text) if d.score >= 0.5] == []


def test_offsets_are_into_the_block() -> None:
    from tests.classifier.helpers import spans

    assert spans(PH, "call 09171234567", prefix="```\nx\n```\n") == [("PHONE_NUMBER", "09171234567")]


def test_registry_function_lists_every_detector() -> None:
    assert [d.id for d in pii_id_detectors()] == ["pii.ph_mobile", "pii.tr_phone", "pii.kr_passport"]
