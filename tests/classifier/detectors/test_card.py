"""``payment.card``: issuer ranges, lengths, Luhn, grouping and boundaries."""

from __future__ import annotations

import pytest

from classifier.detectors.card import CardDetector, issuer_accepts, luhn_ok
from tests.classifier.helpers import detections, luhn_complete, spans

DETECTOR = CardDetector()

POSITIVES = [
    # (case, text, the card as it appears in the text)
    ("visa 16", "pay with 4539148803436467 now", "4539148803436467"),
    ("visa 13", "old card 4222222222222 here", "4222222222222"),
    ("visa 19", "card " + luhn_complete("411111111111111111") + " ok", luhn_complete("411111111111111111")),
    ("mastercard 51-55", "mc 5425233430109903.", "5425233430109903"),
    ("mastercard 2-series low", "mc 2221000000000009", "2221000000000009"),
    ("mastercard 2-series", "The 2-series card 2223000048410010 works", "2223000048410010"),
    ("mastercard 2-series high", "mc " + luhn_complete("272099999999999"), luhn_complete("272099999999999")),
    ("amex 4-6-5", "amex 3782 822463 10005 ok", "3782 822463 10005"),
    ("amex 37", "371449635398431", "371449635398431"),
    ("discover 6011", "6011111111111117", "6011111111111117"),
    ("discover 65", luhn_complete("653000000000000"), luhn_complete("653000000000000")),
    ("jcb 16", "jcb 3530111333300000", "3530111333300000"),
    ("jcb 15", "jcb " + luhn_complete("35280000000000"), luhn_complete("35280000000000")),
    ("maestro 12", "maestro " + luhn_complete("50180000000"), luhn_complete("50180000000")),
    ("maestro 16", "6759649826438453", "6759649826438453"),
    ("diners 300-305", "diners 30569309025904", "30569309025904"),
    ("diners 38", "38520000023237", "38520000023237"),
    (
        "diners 16 on the discover network",
        "diners " + luhn_complete("305693090259043"),
        luhn_complete("305693090259043"),
    ),
    ("diners 3095", luhn_complete("3095000000000"), luhn_complete("3095000000000")),
    ("jcb 19", "jcb " + luhn_complete("353011133330000000"), luhn_complete("353011133330000000")),
    ("spaces", "Charge the card 4539 1488 0343 6467 for it", "4539 1488 0343 6467"),
    ("dashes", "card: 4539-1488-0343-6467.", "4539-1488-0343-6467"),
    ("then expiry", "4111 1111 1111 1111 12/26", "4111 1111 1111 1111"),
    ("then a year", "4111 1111 1111 1111 2028", "4111 1111 1111 1111"),
    ("json escape", r'{"note": "x\n4111111111111111"}', "4111111111111111"),
    ("parenthesised", "(4111111111111111)", "4111111111111111"),
    ("uatp", "my credit card: 122000000000003", "122000000000003"),
    ("uatp computed", "uatp " + luhn_complete("19999999999912"), luhn_complete("19999999999912")),
    ("visa after a word in capitals", "VISA 4111 1111 1111 1111", "4111 1111 1111 1111"),
]

NEGATIVES = [
    ("luhn fails", "Charge the card 4539 1488 0343 6468 for the renewal."),
    ("order number", "Order number 1234 5678 9012 3456 shipped."),
    # Luhn fails on the whole; the tail "5727 5739 6138" alone would pass as a 12-digit Maestro.
    ("tail of a longer grouped number", "customer read me 3717 5727 5739 6138 over the phone"),
    ("visa 17 digits", luhn_complete("4111111111111111")),
    ("diners 13 digits", luhn_complete("305693090259")),
    ("diners 3096 is not a range", luhn_complete("309600000000000")),
    ("mastercard 2-series above 2720", luhn_complete("272100000000000")),
    ("mastercard 15 digits", luhn_complete("54252334301099")),
    ("amex 16 digits", luhn_complete("378282246310005")),
    ("unknown issuer", luhn_complete("900000000000000")),
    ("all same digit", "0000 0000 0000 0000"),
    ("longer digit run", "41111111111111111111"),
    ("inside an identifier", "id_4111111111111111 and 4111111111111111abc"),
    ("dash-joined run", "1234-4111-1111-1111-1111"),
    ("mixed separators", "4111 1111-1111 1111"),
    ("groups of two", "41 11 11 11 11 11 11 11"),
    ("double space", "4111  1111  1111  1111"),
    ("too short", "4111 1111 111"),
    ("a uuid", "123e4567-e89b-12d3-a456-426614174000"),
    ("a timestamp", "1709290800123456"),
    ("uatp 16 digits", luhn_complete("122000000000000")),
    ("uatp 14 digits", luhn_complete("1220000000000")),
    # "2600 0560 1001 6113" passes as a Mastercard 2-series, but it is the body of an IBAN.
    ("inside a spaced iban", "RS35 2600 0560 1001 6113 70"),
]


@pytest.mark.parametrize(("case", "text", "card"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_cards(case: str, text: str, card: str) -> None:
    assert spans(DETECTOR, text, prefix="earlier text\n") == [("CREDIT_CARD", card)]


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    assert spans(DETECTOR, text) == []


def test_context_words_raise_the_score() -> None:
    (plain,) = detections(DETECTOR, "ref 4111111111111111")
    (with_context,) = detections(DETECTOR, "my visa is 4111111111111111")
    assert plain.score == pytest.approx(0.85)
    assert with_context.score == pytest.approx(0.95)
    assert (plain.category, plain.detector) == ("payment", "payment.card")


def test_context_words_must_be_whole_words() -> None:
    (hit,) = detections(DETECTOR, "discard 4111111111111111")  # "card" inside "discard" is no context
    assert hit.score == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True), ("0", True)],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("2720" + "0" * 12, True),
        ("2721" + "0" * 12, False),
        ("2220" + "0" * 12, False),
        ("34" + "0" * 13, True),
        ("34" + "0" * 14, False),
        ("3527" + "0" * 12, False),
        ("1" + "0" * 14, True),
        ("1" + "0" * 15, False),
    ],
)
def test_issuer_ranges(digits: str, ok: bool) -> None:
    assert issuer_accepts(digits) is ok


def test_invalidate_rejects_sequences_even_when_luhn_passes() -> None:
    assert DETECTOR.invalidate("1111 1111 1111 1111")
    assert DETECTOR.invalidate("4567890123456789")
    assert not DETECTOR.invalidate("4111111111111111")
