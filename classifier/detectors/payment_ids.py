"""Payment identifiers besides card numbers and IBANs: bank routing/account, SWIFT/BIC, crypto, card details.

=========================  ====================================  ======================================
id                         entities                              when
=========================  ====================================  ======================================
``payment.aba``            ABA_ROUTING_NUMBER, US_BANK_NUMBER    routing: 9 digits (or ``dddd-dddd-d``)
                                                                 whose 3-7-1 checksum passes and whose
                                                                 first two digits are a Federal
                                                                 Reserve range; reported only with a
                                                                 routing context word or the dashed
                                                                 shape. Account: 8-17 digits right
                                                                 after an account word.
``payment.swift``          SWIFT_BIC                             4 letters, an ISO 3166 country, 2
                                                                 location and optionally 3 branch
                                                                 characters, only after SWIFT/BIC (or
                                                                 bank/wire words, outside capitals)
``payment.crypto``         CRYPTO_WALLET                         Bitcoin base58check (P2PKH, P2SH) and
                                                                 bech32/bech32m with checksums;
                                                                 Ethereum ``0x`` + 40 hex with a valid
                                                                 EIP-55 mixed case, or one case next
                                                                 to a wallet word
``payment.card_details``   CARD_CVV, CARD_EXPIRY                 a CVV/CVC or an expiry after its
                                                                 label, only within ``CARD_NEARBY``
                                                                 characters of a valid card number
=========================  ====================================  ======================================

Every value is bounded by non-word characters, so a run inside a longer token never matches.
Context words are whole words, searched in the same segment before (and for routing numbers also
after) the value. Checksums are computed here: ABA 3-7-1 mod 10, base58check double SHA-256,
bech32 BCH polymod (BIP-173/BIP-350), Keccak-256 for EIP-55.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar

from classifier.detectors.base import BOUNDARY_AFTER, BOUNDARY_BEFORE, compile_context_words
from classifier.detectors.card import CardDetector
from classifier.types import SEGMENT_KINDS, Category, Detection, Detector, Segment, SegmentKind

_SEQUENCES = "01234567890123456789" + "98765432109876543210"


def _trivial(digits: str) -> bool:
    """All one digit, or a straight ascending/descending run."""
    return len(set(digits)) == 1 or digits in _SEQUENCES


class _PaymentDetector:
    """Shared plumbing: id, category, segment kinds, and building a ``Detection``."""

    id: str
    category: ClassVar[Category] = "payment"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"

    def _hit(self, segment: Segment, entity: str, start: int, end: int, score: float) -> Detection:
        return Detection(
            entity, self.category, self.id, segment.start + start, segment.start + end, min(score, 1.0)
        )


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    """``compile_context_words`` for a non-empty word list."""
    pattern = compile_context_words(words)
    if pattern is None:
        raise ValueError("no context words")
    return pattern


# ---- ABA routing and US bank account numbers -----------------------------------------------------

# First two digits: Federal Reserve districts (01-12), thrifts (21-32), electronic (61-72), travellers
# cheques (80); 00 is the US government.
_ABA_PREFIXES = frozenset({*range(0, 13), *range(21, 33), *range(61, 73), 80})
_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def aba_ok(digits: str) -> bool:
    """Nine digits, a valid leading range and the 3-7-1 weighted sum divisible by 10."""
    if len(digits) != 9 or not digits.isdigit() or int(digits[:2]) not in _ABA_PREFIXES:
        return False
    return sum(int(d) * w for d, w in zip(digits, _ABA_WEIGHTS, strict=True)) % 10 == 0


class AbaDetector(_PaymentDetector):
    """ABA routing numbers (with context or the dashed shape) and bank account numbers after account words.

    A bare checksum-valid 9-digit number is not reported: one number in ten passes the checksum.
    When a routing word and an account word both precede a number, the nearer one decides.
    """

    id = "payment.aba"
    ROUTING_SCORE: ClassVar[float] = 0.85
    DASHED_SCORE: ClassVar[float] = 0.6
    ACCOUNT_SCORE: ClassVar[float] = 0.8  # above a bare phone-number guess (10-digit accounts)

    _digits = re.compile(
        BOUNDARY_BEFORE + r"(?<!\d[-.])(?P<value>\d{8,17}|\d{4}-\d{4}-\d)" + BOUNDARY_AFTER + r"(?![-.]\d)"
    )
    _routing = _words(
        ("routing", "aba", "rtn", "ach", "wire", "transit number", "routing transit", "fedwire", "r/t")
    )
    # Account words that name a bank account on their own.
    _account_strong = _words(
        (
            "bank account",
            "checking account",
            "savings account",
            "deposit account",
            "account number",
            "account no",
            "account #",
            "acct no",
            "acct #",
            "acct number",
            "a/c",
            "a/c no",
        )
    )
    # Bare "account"/"acct" (and "checking"/"savings", also verbs and nouns) count only with a banking
    # word nearby.
    _account_weak = _words(("account", "acct", "acc no", "acc", "checking", "savings"))
    _banking = _words(("bank", "banking", "routing", "aba", "ach", "wire", "deposit", "transfer"))
    # Accounts that are not bank accounts.
    _not_bank = _words(
        ("aws", "gcp", "azure", "cloud", "project", "customer", "order", "tenant", "subscription", "user")
    )
    _before = 40
    _after = 25

    def detect(self, segment: Segment) -> list[Detection]:
        """Routing numbers and account numbers in ``segment``."""
        text = segment.text
        found: list[Detection] = []
        for match in self._digits.finditer(text):
            start, end = match.span("value")
            value = match.group("value")
            digits = value.replace("-", "")
            if _trivial(digits):
                continue
            routing_at = self._last(self._routing, text, start)
            account_at = self._account_position(text, start)
            if len(digits) == 9 and aba_ok(digits):
                if routing_at >= 0 and routing_at >= account_at:
                    found.append(self._hit(segment, "ABA_ROUTING_NUMBER", start, end, self.ROUTING_SCORE))
                    continue
                if account_at < 0 and self._routing.search(text, end, min(len(text), end + self._after)):
                    found.append(self._hit(segment, "ABA_ROUTING_NUMBER", start, end, self.ROUTING_SCORE))
                    continue
                if "-" in value and account_at < 0:
                    found.append(self._hit(segment, "ABA_ROUTING_NUMBER", start, end, self.DASHED_SCORE))
                    continue
            if "-" not in value and account_at > routing_at:
                found.append(self._hit(segment, "US_BANK_NUMBER", start, end, self.ACCOUNT_SCORE))
        return found

    def _last(self, pattern: re.Pattern[str], text: str, start: int) -> int:
        """End of the last match of ``pattern`` in the window before ``start`` (-1: none)."""
        ends = [m.end() for m in pattern.finditer(text, max(0, start - self._before), start)]
        return ends[-1] if ends else -1

    def _account_position(self, text: str, start: int) -> int:
        """Where the nearest account word before ``start`` ends, or -1 if none counts."""
        window_start = max(0, start - self._before)
        if self._not_bank.search(text, window_start, start):
            return -1
        strong = self._last(self._account_strong, text, start)
        weak = self._last(self._account_weak, text, start)
        if weak > strong:
            lo, hi = max(0, start - 100), min(len(text), start + 100)
            if not self._banking.search(text, lo, hi):
                weak = -1
        return max(strong, weak)


# ---- SWIFT / BIC ---------------------------------------------------------------------------------

# ISO 3166-1 alpha-2, plus XK (Kosovo), which SWIFT uses.
_ISO_CODES = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE "
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC "
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA "
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK"
)
ISO_COUNTRIES = frozenset(_ISO_CODES.split())


class SwiftBicDetector(_PaymentDetector):
    """SWIFT/BIC codes: the shape and a real country code, and always a context word before.

    "SWIFT"/"BIC" (as a label: ``BIC``, ``SWIFT code``, ``SWIFT:``) is strong context. Weak context
    (bank, wire, beneficiary) counts only when the code does not stand among other capitalised
    words, since an 8-letter word in an all-caps sentence has the same shape.
    """

    id = "payment.swift"
    entity = "SWIFT_BIC"
    STRONG_SCORE: ClassVar[float] = 0.85
    WEAK_SCORE: ClassVar[float] = 0.6

    _pattern = re.compile(
        BOUNDARY_BEFORE
        + r"(?P<value>[A-Z]{4}(?P<country>[A-Z]{2})[A-Z0-9]{2}(?:[A-Z0-9]{3})?)"
        + BOUNDARY_AFTER
    )
    _strong = re.compile(
        r"(?<![A-Za-z0-9])(?:bic|swift\s*(?:/\s*bic|code|number|no\.?|id|#|:))(?![A-Za-z0-9])", re.IGNORECASE
    )
    _weak = _words(("bank", "wire", "beneficiary", "iban", "transfer", "bic/swift"))
    _caps_word = re.compile(r"[A-Z]{2,}")
    _before = 60

    def detect(self, segment: Segment) -> list[Detection]:
        """SWIFT/BIC codes with context in ``segment``."""
        text = segment.text
        found: list[Detection] = []
        for match in self._pattern.finditer(text):
            if match.group("country") not in ISO_COUNTRIES:
                continue
            start, end = match.span("value")
            window = max(0, start - self._before)
            if self._strong.search(text, window, start):
                found.append(self._hit(segment, self.entity, start, end, self.STRONG_SCORE))
            elif (
                self._weak is not None
                and self._weak.search(text, window, start)
                and self._alone(text, start, end)
            ):
                found.append(self._hit(segment, self.entity, start, end, self.WEAK_SCORE))
        return found

    def _alone(self, text: str, start: int, end: int) -> bool:
        """True when the words right before and after the code are not all capitals."""
        before = re.findall(r"[A-Za-z]+", text[max(0, start - 30) : start])
        after = re.findall(r"[A-Za-z]+", text[end : end + 30])
        neighbours = ([before[-1]] if before else []) + ([after[0]] if after else [])
        return not any(self._caps_word.fullmatch(word) for word in neighbours)


# ---- Crypto wallets ------------------------------------------------------------------------------

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(_BASE58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def base58check_ok(address: str) -> bool:
    """A mainnet P2PKH (version 0) or P2SH (version 5) address whose double-SHA-256 checksum holds."""
    number = 0
    for char in address:
        index = _BASE58_INDEX.get(char)
        if index is None:
            return False
        number = number * 58 + index
    leading = len(address) - len(address.lstrip("1"))
    raw = b"\x00" * leading + number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(raw) != 25 or raw[0] not in (0, 5):
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def _bech32_polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                check ^= generator
    return check


def segwit_ok(address: str) -> bool:
    """A mainnet ``bc1`` segwit address: bech32 for version 0 (20 or 32 bytes), bech32m for 1-16."""
    if address != address.lower() and address != address.upper():
        return False
    address = address.lower()
    hrp, sep, data_part = address.rpartition("1")
    if hrp != "bc" or not sep or not 14 <= len(data_part) <= 80:
        return False
    data = [_BECH32_INDEX.get(c, -1) for c in data_part]
    if min(data) < 0:
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _bech32_polymod(expanded + data)
    version, program5 = data[0], data[1:-6]
    if version > 16 or constant != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        return False
    bits = len(program5) * 5
    if bits % 8 >= 5:  # more than 4 bits of padding
        return False
    acc = 0
    for value in program5:
        acc = acc << 5 | value
    if bits % 8 and acc & ((1 << (bits % 8)) - 1):
        return False  # padding must be zero
    length = bits // 8
    return length in (20, 32) if version == 0 else 2 <= length <= 40


# Keccak-f[1600] for Keccak-256 (the pre-SHA-3 padding Ethereum uses; hashlib has only SHA3-256).
def _keccak_round_constants() -> tuple[int, ...]:
    state = 1
    bits: list[int] = []
    for _ in range(24 * 7):
        bits.append(state & 1)
        state <<= 1
        if state & 0x100:
            state ^= 0x171
    return tuple(sum(bits[7 * r + j] << ((1 << j) - 1) for j in range(7)) for r in range(24))


def _keccak_rotations() -> tuple[int, ...]:
    rotations = [0] * 25
    x, y = 1, 0
    for t in range(24):
        rotations[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(rotations)


_KECCAK_RC = _keccak_round_constants()
_KECCAK_ROT = _keccak_rotations()
_MASK64 = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64 if shift else value


def _keccak_f(lanes: list[int]) -> None:
    for rc in _KECCAK_RC:
        c = [lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        a = [lanes[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(a[x + 5 * y], _KECCAK_ROT[x + 5 * y])
        for x in range(5):
            for y in range(5):
                lanes[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
        lanes[0] ^= rc


def keccak256(data: bytes, *, pad: int = 0x01) -> bytes:
    """Keccak-256 (``pad=0x01``, Ethereum); ``pad=0x06`` gives SHA3-256, which tests check against hashlib."""
    rate = 136
    padded = bytearray(data) + bytes([pad]) + bytes(-(len(data) + 1) % rate)
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), rate):
        block = padded[offset : offset + rate]
        for i in range(rate // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def eip55_ok(hex40: str) -> bool:
    """True when the letters' case of a 40-hex-digit address matches its EIP-55 checksum."""
    digest = keccak256(hex40.lower().encode("ascii")).hex()
    for char, nibble in zip(hex40, digest, strict=False):
        if char.isalpha() and char.isupper() != (int(nibble, 16) >= 8):
            return False
    return True


class CryptoWalletDetector(_PaymentDetector):
    """Bitcoin and Ethereum addresses whose checksum holds (one-case Ethereum: wallet context too)."""

    id = "payment.crypto"
    entity = "CRYPTO_WALLET"
    SCORE: ClassVar[float] = 0.85
    CONTEXT_SCORE: ClassVar[float] = 0.7

    _base58 = re.compile(BOUNDARY_BEFORE + r"(?P<value>[13][1-9A-HJ-NP-Za-km-z]{25,34})" + BOUNDARY_AFTER)
    _bech32 = re.compile(BOUNDARY_BEFORE + r"(?P<value>(?:bc|BC)1[0-9A-Za-z]{11,87})" + BOUNDARY_AFTER)
    _eth = re.compile(BOUNDARY_BEFORE + r"(?P<value>0x(?P<hex>[0-9a-fA-F]{40}))" + BOUNDARY_AFTER)
    _wallet = _words(
        (
            "wallet",
            "eth",
            "ether",
            "ethereum",
            "address",
            "addr",
            "send",
            "sent",
            "recipient",
            "metamask",
            "usdt",
            "usdc",
            "erc20",
            "erc-20",
            "deposit",
            "withdraw",
            "pay",
            "payment",
        )
    )
    _before = 50

    def detect(self, segment: Segment) -> list[Detection]:
        """Checksum-valid wallet addresses in ``segment``."""
        text = segment.text
        found: list[Detection] = []
        for match in self._base58.finditer(text):
            if base58check_ok(match.group("value")):
                found.append(self._hit(segment, self.entity, *match.span("value"), self.SCORE))
        for match in self._bech32.finditer(text):
            if segwit_ok(match.group("value")):
                found.append(self._hit(segment, self.entity, *match.span("value"), self.SCORE))
        for match in self._eth.finditer(text):
            hex40 = match.group("hex")
            start, end = match.span("value")
            if hex40 in (hex40.lower(), hex40.upper()):
                if len(set(hex40.lower())) > 1 and self._has_wallet_word(text, start):
                    found.append(self._hit(segment, self.entity, start, end, self.CONTEXT_SCORE))
            elif eip55_ok(hex40):
                found.append(self._hit(segment, self.entity, start, end, self.SCORE))
        return sorted(found, key=lambda d: d.start)

    def _has_wallet_word(self, text: str, start: int) -> bool:
        window = max(0, start - self._before)
        return self._wallet.search(text, window, start) is not None


# ---- Card CVV and expiry -------------------------------------------------------------------------

CARD_NEARBY = 100  # characters between a CVV/expiry and a valid card number


class CardDetailsDetector(_PaymentDetector):
    """CVV/CVC codes and expiry dates after their label, only near a valid card number.

    A 3-digit number after "CVV" means nothing on its own (and "exp 12/29" is often not a card's),
    so both are reported only when ``payment.card`` finds a card within ``CARD_NEARBY`` characters
    in the same segment.
    """

    id = "payment.card_details"
    SCORE: ClassVar[float] = 0.8

    _cvv = re.compile(
        r"(?<![A-Za-z0-9])(?:cvv2?|cvc2?|cvn|cid|csc|security\s+code|card\s+verification(?:\s+(?:value|code))?)"
        r"(?:\s*(?:code|number|no\.?|#))?\s*(?:is\s+)?[:=#-]?\s*(?P<value>\d{3,4})(?![A-Za-z0-9_/])",
        re.IGNORECASE,
    )
    _expiry = re.compile(
        r"(?<![A-Za-z0-9])(?:exp(?:iry|iration|ires|\.)?(?:\s+date)?|valid\s+(?:thru|through|until|to)|good\s+thru)"
        r"\s*(?:is\s+)?[:=-]?\s*(?P<value>(?:0[1-9]|1[0-2])\s?[/-]\s?(?:20\d{2}|\d{2}))(?![A-Za-z0-9_/])",
        re.IGNORECASE,
    )

    def __init__(self) -> None:
        self._cards = CardDetector()

    def detect(self, segment: Segment) -> list[Detection]:
        """CVVs and expiries next to a card number in ``segment``."""
        text = segment.text
        labelled = [("CARD_CVV", m.span("value")) for m in self._cvv.finditer(text)]
        labelled += [("CARD_EXPIRY", m.span("value")) for m in self._expiry.finditer(text)]
        if not labelled:
            return []
        cards = [(d.start - segment.start, d.end - segment.start) for d in self._cards.detect(segment)]
        found: list[Detection] = []
        for entity, (start, end) in sorted(labelled, key=lambda item: item[1]):
            overlaps = any(a < end and start < b for a, b in cards)
            close = any(max(a - end, start - b) <= CARD_NEARBY for a, b in cards)
            if close and not overlaps:
                found.append(self._hit(segment, entity, start, end, self.SCORE))
        return found


def payment_id_detectors() -> list[Detector]:
    """ABA routing/account, SWIFT/BIC, crypto wallets, card CVV/expiry, in priority order."""
    return [AbaDetector(), SwiftBicDetector(), CryptoWalletDetector(), CardDetailsDetector()]
