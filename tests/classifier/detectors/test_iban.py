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
    ("dashes", "IBAN: AL47-2121-1009-0000-0002-3569-8741.", "AL47-2121-1009-0000-0002-3569-8741"),
    ("by (registry 2017+)", "BY13NBRB3600900000002Z00AB00", "BY13NBRB3600900000002Z00AB00"),
    ("tl grouped", "TL38 0080 0123 4567 8910 157", "TL38 0080 0123 4567 8910 157"),
    ("va", "VA59001123000012345678", "VA59001123000012345678"),
    ("lc (32)", "LC55HEMM000100010012001200023015", "LC55HEMM000100010012001200023015"),
    (
        "sc ends in letters",
        "SC18 SSCB 1101 0000 0000 0000 1497 USD",
        "SC18 SSCB 1101 0000 0000 0000 1497 USD",
    ),
    ("ly (25)", "LY83002048000020100120361", "LY83002048000020100120361"),
    ("lower case after iban", "my iban is de89370400440532013000", "de89370400440532013000"),
    ("lower case grouped after iban", "IBAN: gb82 west 1234 5698 7654 32", "gb82 west 1234 5698 7654 32"),
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
    ("lower case without iban word", "ref de89370400440532013000"),
    ("mixed case after iban", "IBAN Gb82West12345698765432"),
    ("mixed separators", "DE89 3704-0044 0532 0130 00"),
    ("slash separators", "AL47/2121/1009/0000/0002/3569/8741"),
    ("dash-joined to more", "DE89-3704-0044-0532-0130-00-7"),
    ("bad checksum, new country", "LY83002048000020100120362"),
    ("country not in the registry", "AM47212110090000000235698740"),
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
        ("AL47-2121-1009-0000-0002-3569-8741", True),
        ("gb82west12345698765432", True),
    ],
)
def test_mod97(iban: str, ok: bool) -> None:
    assert mod97_ok(iban) is ok


def test_context_raises_the_score() -> None:
    (plain,) = detections(DETECTOR, "x DE89370400440532013000")
    (bank,) = detections(DETECTOR, "bank account DE89370400440532013000")
    assert bank.score > plain.score >= 0.9


def test_lower_case_scores_like_upper_case() -> None:
    (lower,) = detections(DETECTOR, "iban de89370400440532013000")
    (upper,) = detections(DETECTOR, "iban DE89370400440532013000")
    assert lower.score == upper.score


def test_length_table_is_sane() -> None:
    assert all(len(code) == 2 and code.isupper() and 15 <= n <= 34 for code, n in IBAN_LENGTHS.items())


def test_only_segments_with_letters_then_digits_are_scanned() -> None:
    # The gate must let through every way a country code can be written, lower case included.
    from classifier.detectors.iban import _CANDIDATE

    for country in IBAN_LENGTHS:
        assert _CANDIDATE.search(f"x {country}12 y") and _CANDIDATE.search(f"x {country.lower()}12 y")
    assert _CANDIDATE.search("\u017fe12")  # long s: a case-insensitive "S"
    assert not _CANDIDATE.search("no iban here, only 12 and ab 34")
    assert spans(DETECTOR, "iban: de89370400440532013000") == [("IBAN_CODE", "de89370400440532013000")]
