"""``payment.iban``: International Bank Account Numbers (IBAN_CODE), ISO 13616.

Country code, two check digits and a BBAN of the country's exact length, written compact
(``DE89370400440532013000``) or in groups of four separated by single spaces or by single dashes
(``DE89 3704 0044 0532 0130 00``, ``AL47-2121-…``; one kind of separator per number). The pattern
is built per country from the length table, so a trailing word is never swallowed into the number;
the mod-97 checksum must then equal 1. Countries outside the table are not detected.

Upper case is the written form. An all-lower-case IBAN (``de89…``) counts only when the word
"IBAN" precedes it within the context window: lower-case letters and digits of the right length
pass mod-97 once in 97 by chance. Mixed case is never accepted.

Both patterns open with a country code and two digits, and the long alternation behind a look-behind
is slow to try at every position: a segment without two letters followed by two digits anywhere
(``_CANDIDATE``, which takes every letter a case-insensitive country code can match) cannot hold an
IBAN and is not scanned; the lower-case pass runs only when "iban" occurs in the segment at all.
"""

from __future__ import annotations

import re

from classifier.detectors.base import BOUNDARY_AFTER, BOUNDARY_BEFORE, RegexDetector, compile_context_words
from classifier.types import Detection, Segment

# Total IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def _country_pattern(country: str, length: int) -> str:
    bban = length - 4
    groups, rest = divmod(bban, 4)
    alternatives = [rf"{country}\d{{2}}[A-Z0-9]{{{bban}}}"]
    for sep in (" ", "-"):
        grouped = rf"{country}\d{{2}}(?:{sep}[A-Z0-9]{{4}}){{{groups}}}"
        alternatives.append(grouped + (f"{sep}[A-Z0-9]{{{rest}}}" if rest else ""))
    return "|".join(alternatives)


def _alternatives() -> str:
    return "|".join(_country_pattern(c, n) for c, n in sorted(IBAN_LENGTHS.items()))


def _build_pattern(flags: int = 0) -> re.Pattern[str]:
    return re.compile(
        rf"{BOUNDARY_BEFORE}(?P<value>{_alternatives()}){BOUNDARY_AFTER}(?!-[A-Za-z0-9])", flags
    )


# Necessary for a match of either pattern: two letters (any letter: ``(?i)`` also lets ``ſ`` or the
# Kelvin sign stand for an ASCII letter) then two digits; and, for the lower-case pass, "iban".
_CANDIDATE = re.compile(r"[^\W\d_]{2}\d{2}")
_IBAN_ANYWHERE = re.compile("iban", re.IGNORECASE)


def _compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "")


def mod97_ok(value: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = _compact(value).upper()
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


class IbanDetector(RegexDetector):
    """IBANs with a known country length and a valid mod-97 checksum."""

    id = "payment.iban"
    entity = "IBAN_CODE"
    category = "payment"
    patterns = (_build_pattern(),)
    score = 0.9
    context_words = ("iban", "bank", "account", "wire", "transfer", "sepa", "bic", "swift")
    context_boost = 0.05

    _lower_pattern = _build_pattern(re.IGNORECASE)
    _iban_word = compile_context_words(("iban",))

    def validate(self, value: str) -> bool:
        """Exact country length and mod-97 (the pattern already holds the case: upper)."""
        compact = _compact(value).upper()
        return IBAN_LENGTHS.get(compact[:2]) == len(compact) and mod97_ok(compact)

    def detect(self, segment: Segment) -> list[Detection]:
        """Upper-case IBANs, plus all-lower-case ones right after the word "IBAN"."""
        text = segment.text
        if not _CANDIDATE.search(text):
            return []
        found = super().detect(segment)
        if not _IBAN_ANYWHERE.search(text):
            return sorted(found, key=lambda d: d.start)
        for match in self._lower_pattern.finditer(text):
            start, end = match.span("value")
            value = match.group("value")
            if value != value.lower() or self._iban_word is None:
                continue
            if self._iban_word.search(text, max(0, start - self.context_window), start) and self.validate(
                value
            ):
                found.append(self._detection(segment, text, (start, end)))
        return sorted(found, key=lambda d: d.start)
