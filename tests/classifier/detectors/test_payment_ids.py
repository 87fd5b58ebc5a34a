"""``payment.aba``, ``payment.swift``, ``payment.crypto``, ``payment.card_details``: checksums and context."""

from __future__ import annotations

import hashlib

import pytest

from classifier.detectors.payment_ids import (
    ISO_COUNTRIES,
    AbaDetector,
    CardDetailsDetector,
    CryptoWalletDetector,
    SwiftBicDetector,
    aba_ok,
    base58check_ok,
    eip55_ok,
    keccak256,
    payment_id_detectors,
    segwit_ok,
)
from classifier.types import Detector
from tests.classifier.helpers import detections, spans, whole

ABA = AbaDetector()
SWIFT = SwiftBicDetector()
CRYPTO = CryptoWalletDetector()
CARD_DETAILS = CardDetailsDetector()

# Public documentation examples (checksums valid): BIP-173/350 vectors, EIP-55 vectors, the genesis-era
# P2PKH and a P2SH example.
P2PKH = "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ"
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BECH32M = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _positions(detector: Detector, text: str) -> list[tuple[str, int, int]]:
    """(entity, start, end) of every detection, offsets into a block that starts with a prefix."""
    prefix = "earlier\n"
    return [
        (d.entity, d.start - len(prefix), d.end - len(prefix))
        for d in detector.detect(whole(text, prefix=prefix))
    ]


def _at(text: str, value: str, entity: str) -> tuple[str, int, int]:
    start = text.index(value)
    return entity, start, start + len(value)


# ---- ABA routing / US bank account ---------------------------------------------------------------

ABA_POSITIVES = [
    # (case, text, value, entity)
    ("routing word", "routing number 121000358", "121000358", "ABA_ROUTING_NUMBER"),
    ("aba word", "ABA: 011000015 for the wire", "011000015", "ABA_ROUTING_NUMBER"),
    ("rtn after", "use 021000021 (RTN) please", "021000021", "ABA_ROUTING_NUMBER"),
    ("dashed shape", "3222-7162-7", "3222-7162-7", "ABA_ROUTING_NUMBER"),
    ("dashed 07", "ref 0711-0130-7.", "0711-0130-7", "ABA_ROUTING_NUMBER"),
    ("account number", "my account number is 945456787654", "945456787654", "US_BANK_NUMBER"),
    ("savings account", "savings account: 00123456789", "00123456789", "US_BANK_NUMBER"),
    ("checking with bank word", "Chase bank, checking 48301927", "48301927", "US_BANK_NUMBER"),
    ("bare account with bank", "Bank of X, account 4830192746", "4830192746", "US_BANK_NUMBER"),
    ("acct #", "acct # 48301927", "48301927", "US_BANK_NUMBER"),
]

ABA_NEGATIVES = [
    ("bare nine digits", "121000358"),
    ("bad checksum with context", "routing number 121000359"),
    ("bad prefix 42", "routing 421042111"),
    ("dashed bad checksum", "1234-0000-0"),
    ("all same digit", "routing 000000000"),
    ("no account word", "order 945456787654 shipped"),
    ("aws account", "AWS account 123456789012"),
    ("bare account, no bank word", "account 4830192746 was created"),
    ("checking the verb", "checking 48213977 again"),
    ("too short", "account number 1234567"),
    ("too long", "account number 123456789012345678"),
    ("inside a longer run", "routing 12100035812"),
    ("dash-joined", "routing 555-121000358"),
    ("phone", "call 415-555-0100 about the wire"),
]


@pytest.mark.parametrize(
    ("case", "text", "value", "entity"), ABA_POSITIVES, ids=[p[0] for p in ABA_POSITIVES]
)
def test_aba_finds(case: str, text: str, value: str, entity: str) -> None:
    assert _positions(ABA, text) == [_at(text, value, entity)]


@pytest.mark.parametrize(("case", "text"), ABA_NEGATIVES, ids=[n[0] for n in ABA_NEGATIVES])
def test_aba_rejects(case: str, text: str) -> None:
    assert spans(ABA, text) == []


def test_routing_and_account_together() -> None:
    text = "wire: routing 121000358, account number 4830192746"
    assert spans(ABA, text) == [("ABA_ROUTING_NUMBER", "121000358"), ("US_BANK_NUMBER", "4830192746")]


def test_aba_scores() -> None:
    (routing,) = detections(ABA, "routing 121000358")
    (dashed,) = detections(ABA, "3222-7162-7")
    assert routing.score > dashed.score >= 0.5
    assert (routing.category, routing.detector) == ("payment", "payment.aba")


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("121000358", True),
        ("322271627", True),
        ("121000359", False),
        ("421042111", False),
        ("800000080", True),
    ],
)
def test_aba_checksum(digits: str, ok: bool) -> None:
    assert aba_ok(digits) is ok


# ---- SWIFT / BIC ---------------------------------------------------------------------------------

SWIFT_POSITIVES = [
    ("swift code", "SWIFT code: DEUTDEFF", "DEUTDEFF"),
    ("bic with branch", "BIC DEUTDEFF500 for the transfer", "DEUTDEFF500"),
    ("swift slash bic", "SWIFT/BIC: NWBKGB2L.", "NWBKGB2L"),
    ("weak context, lower-case sentence", "wire it to CHASUS33 please", "CHASUS33"),
    ("bank word", "our bank is BNPAFRPPXXX", "BNPAFRPPXXX"),
]

SWIFT_NEGATIVES = [
    ("no context", "DEUTDEFF"),
    ("unknown country", "SWIFT code: DEUTQQFF"),
    ("all-caps sentence", "THE BANK WILL TRANSFER FUNDS TOMORROW"),
    ("swift the language", "In Swift, DATABASE types differ"),
    ("seven letters", "BIC DEUTDEF"),
    ("inside an identifier", "BIC DEUTDEFF_500"),
    ("lower case", "bic deutdeff"),
]


@pytest.mark.parametrize(("case", "text", "value"), SWIFT_POSITIVES, ids=[p[0] for p in SWIFT_POSITIVES])
def test_swift_finds(case: str, text: str, value: str) -> None:
    assert _positions(SWIFT, text) == [_at(text, value, "SWIFT_BIC")]


@pytest.mark.parametrize(("case", "text"), SWIFT_NEGATIVES, ids=[n[0] for n in SWIFT_NEGATIVES])
def test_swift_rejects(case: str, text: str) -> None:
    assert spans(SWIFT, text) == []


def test_swift_strong_context_scores_higher() -> None:
    (strong,) = detections(SWIFT, "BIC: CHASUS33")
    (weak,) = detections(SWIFT, "bank CHASUS33")
    assert strong.score > weak.score >= 0.5


def test_country_list() -> None:
    assert len(ISO_COUNTRIES) == 250 and {"DE", "US", "GB", "XK"} <= ISO_COUNTRIES
    assert "QQ" not in ISO_COUNTRIES


# ---- Crypto wallets ------------------------------------------------------------------------------

CRYPTO_POSITIVES = [
    ("p2pkh", f"send to {P2PKH} today", P2PKH),
    ("p2sh", f"({P2SH})", P2SH),
    ("bech32", f"addr {BECH32}", BECH32),
    ("bech32m taproot", BECH32M, BECH32M),
    (
        "bech32 upper case",
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    ),
    ("eth eip-55", f"pay {ETH}.", ETH),
    ("eth lower with wallet word", f"my wallet: {ETH.lower()}", ETH.lower()),
    ("json escape", rf'"x\n{P2PKH}"', P2PKH),
]

CRYPTO_NEGATIVES = [
    ("base58 one char more", P2PKH + "2"),
    ("base58 checksum broken", P2PKH[:-1] + "Y"),
    ("base58 version byte not 0 or 5", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"),
    ("bech32 checksum broken", BECH32[:-1] + "r"),
    ("bech32 v0 with the bech32m constant", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"),
    ("bech32 mixed case", "bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    ("testnet hrp", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
    ("eth bad eip-55 case", ETH[:2] + ETH[2:].swapcase()),
    ("eth lower without context", f"commit {ETH.lower()}"),
    ("eth all zero", "wallet 0x" + "0" * 40),
    ("eth 41 hex", f"wallet {ETH}a"),
    ("sha-256 hex", "8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189"),
    ("inside an identifier", f"id_{P2PKH}"),
]


@pytest.mark.parametrize(("case", "text", "value"), CRYPTO_POSITIVES, ids=[p[0] for p in CRYPTO_POSITIVES])
def test_crypto_finds(case: str, text: str, value: str) -> None:
    assert _positions(CRYPTO, text) == [_at(text, value, "CRYPTO_WALLET")]


@pytest.mark.parametrize(("case", "text"), CRYPTO_NEGATIVES, ids=[n[0] for n in CRYPTO_NEGATIVES])
def test_crypto_rejects(case: str, text: str) -> None:
    assert spans(CRYPTO, text) == []


def test_two_addresses() -> None:
    assert spans(CRYPTO, f"{P2PKH} {P2SH}") == [("CRYPTO_WALLET", P2PKH), ("CRYPTO_WALLET", P2SH)]


def test_eth_context_scores_lower_than_checksum() -> None:
    (checked,) = detections(CRYPTO, ETH)
    (context,) = detections(CRYPTO, f"wallet {ETH.lower()}")
    assert checked.score > context.score >= 0.5


def test_keccak256_known_value_and_sha3_agreement() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == empty
    for data in (b"", b"abc", b"x" * 135, b"y" * 136, b"z" * 300):  # around the 136-byte rate
        assert keccak256(data, pad=0x06) == hashlib.sha3_256(data).digest()


@pytest.mark.parametrize(
    "address",
    [
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_vectors(address: str) -> None:
    assert eip55_ok(address)
    assert not eip55_ok(address.swapcase())


def test_checksum_helpers() -> None:
    assert base58check_ok(P2PKH) and base58check_ok(P2SH)
    assert not base58check_ok(P2PKH + "0")  # 0 is not a base58 digit
    assert segwit_ok(BECH32) and segwit_ok(BECH32M)
    assert not segwit_ok(BECH32M.replace("bc1p", "bc1q"))


# ---- Card CVV / expiry ---------------------------------------------------------------------------

CARD = "4111 1111 1111 1111"

DETAILS_POSITIVES = [
    # (case, text, [(value, entity)])
    ("cvv and exp", f"card {CARD} exp 12/29 cvv 123", [("12/29", "CARD_EXPIRY"), ("123", "CARD_CVV")]),
    (
        "expiry yyyy, cvc 4",
        f"{CARD} expiry: 08/2027, CVC: 1234",
        [("08/2027", "CARD_EXPIRY"), ("1234", "CARD_CVV")],
    ),
    ("valid thru", f"valid thru 01/30 on {CARD}", [("01/30", "CARD_EXPIRY")]),
    ("security code before card", f"security code 987, number {CARD}", [("987", "CARD_CVV")]),
    ("cvv2 with is", f"{CARD}, the CVV2 is 456", [("456", "CARD_CVV")]),
]

DETAILS_NEGATIVES = [
    ("no card", "cvv 123 exp 12/29"),
    ("luhn-invalid card", "card 4111 1111 1111 1112 exp 12/29 cvv 123"),
    ("card too far", f"{CARD}" + " filler" * 20 + " cvv 123"),
    ("month 13", f"{CARD} exp 13/29"),
    ("cvv of five digits", f"{CARD} cvv 12345"),
    ("date, not expiry", f"{CARD} exp 12/29/2024"),
    ("label inside a word", f"{CARD} recvv 123"),
]


@pytest.mark.parametrize(("case", "text", "values"), DETAILS_POSITIVES, ids=[p[0] for p in DETAILS_POSITIVES])
def test_card_details_find(case: str, text: str, values: list[tuple[str, str]]) -> None:
    assert _positions(CARD_DETAILS, text) == [_at(text, value, entity) for value, entity in values]


@pytest.mark.parametrize(("case", "text"), DETAILS_NEGATIVES, ids=[n[0] for n in DETAILS_NEGATIVES])
def test_card_details_reject(case: str, text: str) -> None:
    assert spans(CARD_DETAILS, text) == []


def test_card_details_never_report_the_card() -> None:
    assert all(e != "CREDIT_CARD" for e, _ in spans(CARD_DETAILS, f"{CARD} exp 12/29"))


def test_registry_order() -> None:
    assert [d.id for d in payment_id_detectors()] == [
        "payment.aba",
        "payment.swift",
        "payment.crypto",
        "payment.card_details",
    ]
