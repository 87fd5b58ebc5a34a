"""``payment.iban``: International Bank Account Numbers (IBAN_CODE), ISO 13616.

Country code, two check digits and a BBAN of the country's exact length, written compact
(``DE89370400440532013000``) or in groups of four (``DE89 3704 0044 0532 0130 00``). The pattern
is built per country from the length table, so a trailing word is never swallowed into the number;
the mod-97 checksum must then equal 1. Countries outside the table are not detected.
"""

from __future__ import annotations

import re

from classifier.detectors.base import BOUNDARY_AFTER, BOUNDARY_BEFORE, RegexDetector

# Total IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def _country_pattern(country: str, length: int) -> str:
    bban = length - 4
    groups, rest = divmod(bban, 4)
    spaced = rf"{country}\d{{2}}(?: [A-Z0-9]{{4}}){{{groups}}}" + (f" [A-Z0-9]{{{rest}}}" if rest else "")
    return rf"{country}\d{{2}}[A-Z0-9]{{{bban}}}|{spaced}"


def _build_pattern() -> re.Pattern[str]:
    alternatives = "|".join(_country_pattern(c, n) for c, n in sorted(IBAN_LENGTHS.items()))
    return re.compile(rf"{BOUNDARY_BEFORE}(?P<value>{alternatives}){BOUNDARY_AFTER}")


def mod97_ok(value: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = value.replace(" ", "").upper()
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

    def validate(self, value: str) -> bool:
        """Exact country length and mod-97."""
        compact = value.replace(" ", "")
        return IBAN_LENGTHS.get(compact[:2]) == len(compact) and mod97_ok(compact)
