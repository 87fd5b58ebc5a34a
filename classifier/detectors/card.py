"""``payment.card``: payment card numbers (CREDIT_CARD) by issuer range, length and Luhn.

12-19 digits, optionally grouped by single spaces or dashes (one kind of separator, groups of 3-8
digits). A number counts only if an issuer range accepts its prefix and length AND the Luhn
checksum passes; all-same-digit numbers and runs like 1234567890… are rejected, as are numbers
that are part of a longer digit run or of an identifier, or that follow a spaced IBAN's country
and check digits (``RS35 2600 0560 1001 6113 70`` is an IBAN, valid or not, never a card). The
ranges cover what presidio's own card regex misses: 19-digit Visa, Mastercard 2-series, 15-digit
JCB and 12-digit Maestro; UATP airline cards (15 digits starting with 1) are included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from classifier.detectors.base import BOUNDARY_BEFORE, RegexDetector

# (prefix low, prefix high, accepted lengths): the prefix is compared on as many digits as ``low`` has.
_ISSUERS: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("3528", "3589", frozenset(range(15, 20))),  # JCB
    ("50", "50", frozenset(range(12, 20))),  # Maestro
    ("56", "69", frozenset(range(12, 20))),
    # Diners Club International: 14 digits, and 16-19 since its cards run on the Discover network.
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(14, 20))),
    ("300", "305", frozenset(range(14, 20))),
    ("3095", "3095", frozenset(range(14, 20))),
    ("1", "1", frozenset({15})),  # UATP (airline travel cards)
)
_SEQUENCES = "01234567890123456789012345" + "98765432109876543210987654"


def issuer_accepts(digits: str) -> bool:
    """True when some issuer range covers this prefix and length."""
    return any(
        low <= digits[: len(low)] <= high and len(digits) in lengths for low, high, lengths in _ISSUERS
    )


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _well_grouped(value: str) -> bool:
    separators = set(re.findall(r"[ -]", value))
    if len(separators) > 1:
        return False
    return not separators or all(3 <= len(group) <= 8 for group in re.split(r"[ -]", value))


class CardDetector(RegexDetector):
    """Payment card numbers: issuer range and Luhn must both pass."""

    id = "payment.card"
    entity = "CREDIT_CARD"
    category = "payment"
    patterns = (
        # Not after a word character, a dash-joined digit or a spaced IBAN's head (``RS35 2600 …``); not
        # before a word character or "-digit".
        re.compile(
            BOUNDARY_BEFORE
            + r"(?<!\d-)(?<![A-Z]{2}\d{2} )(?P<value>\d(?:[ -]?\d){11,18})(?![A-Za-z0-9_])(?!-\d)"
        ),
    )
    score = 0.85
    context_words = (
        "card",
        "credit",
        "debit",
        "visa",
        "mastercard",
        "amex",
        "discover",
        "jcb",
        "maestro",
        "diners",
        "cc",
        "pan",
        "payment",
        "pay",
        "charge",
        "cvv",
        "cvc",
        "expiry",
    )
    context_boost = 0.1

    def candidates(self, value: str) -> Iterator[tuple[int, int]]:
        """The whole match, then runs of its space-separated groups, longest first.

        ``4111 1111 1111 1111 12/26`` matches as 18 digits; the card is its first four groups. A run
        may start after the first group only where the grouping changes (the group before it has
        another length): in ``3717 5727 5739 6138`` the run ``5727 5739 6138`` is the tail of a
        longer number, and one such tail in ten passes Luhn by chance. Dropping trailing groups
        stays allowed: a card is often followed by an expiry year (``… 1111 2028``).
        """
        yield 0, len(value)
        if "-" in value:
            return  # dash-joined digits are one token: never split them
        groups = value.split(" ")
        offsets = [0]
        for group in groups[:-1]:
            offsets.append(offsets[-1] + len(group) + 1)
        spans = []
        for i in range(len(groups)):
            if i and len(groups[i - 1]) == len(groups[i]):
                continue
            for j in range(i + 1, len(groups) + 1):
                if (i, j) != (0, len(groups)):
                    spans.append((offsets[i], offsets[j - 1] + len(groups[j - 1])))
        yield from sorted(spans, key=lambda span: (span[0] - span[1], span[0]))

    def validate(self, value: str) -> bool:
        """Grouping, issuer range, length and Luhn."""
        digits = re.sub(r"\D", "", value)
        return _well_grouped(value) and issuer_accepts(digits) and luhn_ok(digits)

    def invalidate(self, value: str) -> bool:
        """All-same-digit numbers and straight ascending/descending runs."""
        digits = re.sub(r"\D", "", value)
        return len(set(digits)) == 1 or digits in _SEQUENCES
