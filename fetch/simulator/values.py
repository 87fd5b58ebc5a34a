"""Seeded generators for sensitive-looking values, with their real check digits.

Every value comes from the caller's ``random.Random``; nothing here is real data. Phone numbers
use the ranges set aside for fiction (US 555-01xx, UK 020 7946 0xxx, Berlin 030 23125 xxx,
Paris 01 99 00 xx xx, Australia 02 5550 xxxx), and email domains sit under the reserved
``example.com`` / ``example.org`` / ``example.net`` names. Card numbers pass (or, for hard
negatives, deliberately fail) Luhn; IBANs pass (or fail) ISO 13616 mod-97.
"""

from __future__ import annotations

import base64
import random
import string

DIGITS = string.digits
UPPER = string.ascii_uppercase
ALNUM = string.ascii_letters + string.digits
BASE32 = UPPER + "234567"

# BBAN layout per country as (count, alphabet) runs; alphabet "B" draws a whole bank code.
_IBAN_LAYOUTS: dict[str, list[tuple[int, str]]] = {
    "DE": [(18, DIGITS)],
    "GB": [(4, "B"), (14, DIGITS)],
    "NL": [(4, "B"), (10, DIGITS)],
    "FR": [(23, DIGITS)],
    "ES": [(20, DIGITS)],
    "IT": [(1, UPPER), (22, DIGITS)],
    "CH": [(17, DIGITS)],
    "BE": [(12, DIGITS)],
}
_BANKS = {"GB": ["NWBK", "BARC", "HBUK", "LOYD", "MIDL"], "NL": ["ABNA", "INGB", "RABO", "TRIO"]}
IBAN_COUNTRIES: tuple[str, ...] = tuple(_IBAN_LAYOUTS)


def digits(rng: random.Random, n: int) -> str:
    """``n`` random decimal digits."""
    return "".join(rng.choice(DIGITS) for _ in range(n))


def chars(rng: random.Random, alphabet: str, n: int) -> str:
    """``n`` random characters of ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


# --- payment cards -------------------------------------------------------------------------------


def luhn_check_digit(partial: str) -> str:
    """The Luhn digit that makes ``partial + digit`` valid."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """Whether the digits of ``number`` (separators ignored) pass Luhn."""
    only = "".join(ch for ch in number if ch.isdigit())
    return len(only) > 1 and luhn_check_digit(only[:-1]) == only[-1]


_CARD_BRANDS = ("visa16", "visa19", "mastercard", "mastercard2", "amex", "discover")
CARD_BRANDS: tuple[str, ...] = _CARD_BRANDS


def _card_prefix(rng: random.Random, brand: str) -> tuple[str, int]:
    if brand == "visa16":
        return "4", 16
    if brand == "visa19":
        return "4", 19
    if brand == "mastercard":
        return f"5{rng.randint(1, 5)}", 16
    if brand == "mastercard2":
        return str(rng.randint(2221, 2720)), 16
    if brand == "amex":
        return rng.choice(["34", "37"]), 15
    if brand == "discover":
        return rng.choice(["6011", "65", str(rng.randint(644, 649))]), 16
    raise ValueError(f"unknown card brand {brand!r}")


def card_number(rng: random.Random, brand: str, *, valid: bool = True) -> str:
    """A bare card number of ``brand``; Luhn-valid unless ``valid`` is false."""
    prefix, length = _card_prefix(rng, brand)
    body = prefix + digits(rng, length - len(prefix) - 1)
    check = int(luhn_check_digit(body))
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    return body + str(check)


def format_card(rng: random.Random, number: str) -> str:
    """Group a card number the way people type it (spaces, dashes, or not at all)."""
    sep = rng.choice([" ", " ", "-", ""])
    if len(number) == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return sep.join(groups)


# --- IBAN ----------------------------------------------------------------------------------------


def _iban_numeric(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text))


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check (spaces ignored)."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 5 or not compact.isalnum():
        return False
    return _iban_numeric(compact[4:] + compact[:4]) % 97 == 1


def iban(rng: random.Random, country: str, *, valid: bool = True, spaced: bool = False) -> str:
    """An IBAN for ``country``; mod-97 valid unless ``valid`` is false."""
    parts = []
    for count, alphabet in _IBAN_LAYOUTS[country]:
        parts.append(rng.choice(_BANKS[country]) if alphabet == "B" else chars(rng, alphabet, count))
    bban = "".join(parts)
    check = 98 - _iban_numeric(bban + country + "00") % 97
    if not valid:
        # Any other value in 2..98 changes the remainder: the check digits are the number's last two.
        check = rng.choice([c for c in range(2, 99) if c != check])
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)) if spaced else compact


# --- identity and contact ------------------------------------------------------------------------


def ssn(rng: random.Random, *, valid: bool = True) -> str:
    """A US SSN in ``AAA-GG-SSSS`` form; invalid ones use area 000, 666 or 9xx."""
    if valid:
        area = rng.randint(1, 898)
        area += area >= 666  # skip 666, keep the draw uniform over 001-899
    else:
        area = rng.choice([0, 666, rng.randint(900, 999)])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def us_phone(rng: random.Random) -> str:
    """A US number in the 555-01xx fiction range, in one of the usual spellings."""
    area = rng.choice(["212", "312", "415", "503", "617", "646", "702", "737", "206", "303"])
    line = f"01{rng.randint(0, 99):02d}"
    forms = [f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}", f"{area}.555.{line}"]
    return rng.choice(forms)


def intl_phone(rng: random.Random) -> str:
    """An international number in a range reserved for fiction."""
    forms = [
        f"+44 20 7946 0{rng.randint(0, 999):03d}",
        f"+49 30 23125 {rng.randint(0, 999):03d}",
        f"+33 1 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        f"+61 2 5550 {rng.randint(0, 9999):04d}",
    ]
    return rng.choice(forms)


def ip_address(rng: random.Random) -> str:
    """A private, documentation-range or IPv6 documentation address."""
    r = rng.randint
    forms = [
        f"10.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}",
        f"192.168.{r(0, 255)}.{r(1, 254)}",
        f"172.{r(16, 31)}.{r(0, 255)}.{r(1, 254)}",
        f"203.0.113.{r(1, 254)}",
        f"198.51.100.{r(1, 254)}",
        f"2001:db8:{r(0, 0xFFFF):x}::{r(1, 0xFFFF):x}",
    ]
    return rng.choice(forms)


# --- credentials ---------------------------------------------------------------------------------


def aws_access_key_id(rng: random.Random) -> str:
    """``AKIA`` plus 16 base-32 capitals, the shape of an IAM user key id."""
    return "AKIA" + chars(rng, BASE32, 16)


def aws_secret_access_key(rng: random.Random) -> str:
    """40 characters of the secret-key alphabet."""
    return chars(rng, ALNUM + "/+", 40)


def github_token(rng: random.Random) -> str:
    """A classic personal access token: ``ghp_`` plus 36 alphanumerics."""
    return "ghp_" + chars(rng, ALNUM, 36)


def anthropic_key(rng: random.Random) -> str:
    """``sk-ant-api03-`` plus 93 characters of ``[A-Za-z0-9_-]`` and ``AA`` (108 in all)."""
    return "sk-ant-api03-" + chars(rng, ALNUM + "_-", 93) + "AA"


def password(rng: random.Random) -> str:
    """A password safe inside a URL's userinfo (no ``@ : / # %``)."""
    core = chars(rng, ALNUM, rng.randint(9, 16))
    return core[:4] + rng.choice("!*_-.~") + core[4:] + str(rng.randint(0, 99))


_PEM_KINDS = ("RSA PRIVATE KEY", "RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY")


def pem_private_key(rng: random.Random) -> str:
    """A PEM block with a random base64 body (not a usable key)."""
    kind = rng.choice(_PEM_KINDS)
    body = base64.b64encode(rng.randbytes(48 * rng.randint(6, 14) + rng.randint(1, 40))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])
