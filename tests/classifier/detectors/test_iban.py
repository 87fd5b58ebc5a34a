"""``payment.iban``: country length table, grouping, mod-97."""

from __future__ import annotations

import pytest

from classifier.detectors.iban import IBAN_LENGTHS, IbanDetector, mod97_ok
from tests.classifier.helpers import detections, spans

DETECTOR = IbanDetector()

POSITIVES = [
    ("de compact", "IBAN DE89370400440532013000 please", "DE89370400440532013000"),
    ("de grouped", "Wire it to IBAN DE89 3704 0044 0532 0130 00 today.", "DE89 3704 0044 0532 0130 00"),
    ("gb", "GB82WEST12345698765432", "GB82WEST12345698765432"),
    ("gb grouped", "to GB82 WEST 1234 5698 7654 32.", "GB82 WEST 1234 5698 7654 32"),
    ("fr with a letter", "FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("nl", "NL91ABNA0417164300", "NL91ABNA0417164300"),
    ("no (15)", "NO9386011117947", "NO9386011117947"),
    ("be then a word", "BE68 5390 0754 7034 THEN more", "BE68 5390 0754 7034"),
    ("ch", "(CH9300762011623852957)", "CH9300762011623852957"),
    ("json escape", r'"acct\nDE89370400440532013000"', "DE89370400440532013000"),
]

NEGATIVES = [
    ("bad checksum", "DE89370400440532013001"),
    ("bad check digits", "DE88 3704 0044 0532 0130 00"),
    ("too short for DE", "DE8937040044053201300"),
    ("too long for DE", "DE893704004405320130001"),
    ("unknown country", "XX89370400440532013000"),
    ("inside an identifier", "ref_DE89370400440532013000"),
    ("glued to more", "DE89370400440532013000X"),
    ("irregular grouping", "DE89 37040044 0532 0130 00"),
    ("lower case", "de89370400440532013000"),
    ("prose", "The DE team ships 22 builds a week."),
]


@pytest.mark.parametrize(("case", "text", "iban"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_ibans(case: str, text: str, iban: str) -> None:
    assert spans(DETECTOR, text, prefix="x\n") == [("IBAN_CODE", iban)]


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    assert spans(DETECTOR, text) == []


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("GB83WEST12345698765432", False),
    ],
)
def test_mod97(iban: str, ok: bool) -> None:
    assert mod97_ok(iban) is ok


def test_context_raises_the_score() -> None:
    (plain,) = detections(DETECTOR, "x DE89370400440532013000")
    (bank,) = detections(DETECTOR, "bank account DE89370400440532013000")
    assert bank.score > plain.score >= 0.9


def test_length_table_is_sane() -> None:
    assert all(len(code) == 2 and code.isupper() and 15 <= n <= 34 for code, n in IBAN_LENGTHS.items())
