"""Value generators: check digits computed right, hard negatives really fail, shapes as documented."""

from __future__ import annotations

import random
import re

import pytest

from fetch.simulator import values


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4539 1488 0343 6467", True),  # Visa 16
        ("4111111111111111", True),
        ("378282246310005", True),  # Amex
        ("2223000048410010", True),  # Mastercard 2-series
        ("6011111111111117", True),  # Discover
        ("4539 1488 0343 6468", False),
        ("1234 5678 9012 3456", False),
        ("0", False),
    ],
)
def test_luhn_on_known_numbers(number: str, valid: bool) -> None:
    assert values.luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB29NWBK60161331926819", True),
        ("NL91ABNA0417164300", True),
        ("DE88 3704 0044 0532 0130 00", False),
        ("GB29NWBK60161331926818", False),
        ("XX", False),
    ],
)
def test_mod97_on_known_ibans(iban: str, valid: bool) -> None:
    assert values.iban_valid(iban) is valid


BRAND_SHAPES = {
    "visa16": r"4\d{15}",
    "visa19": r"4\d{18}",
    "mastercard": r"5[1-5]\d{14}",
    "mastercard2": r"(222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)\d{12}",
    "amex": r"3[47]\d{13}",
    "discover": r"(6011|65\d\d|64[4-9]\d)\d{12}",
}


@pytest.mark.parametrize("brand", values.CARD_BRANDS)
@pytest.mark.parametrize("valid", [True, False])
def test_cards_have_brand_shape_and_labelled_checksum(brand: str, valid: bool) -> None:
    rng = random.Random(brand)
    for _ in range(50):
        number = values.card_number(rng, brand, valid=valid)
        assert re.fullmatch(BRAND_SHAPES[brand], number), number
        assert values.luhn_valid(number) is valid
        formatted = values.format_card(rng, number)
        assert re.sub(r"[ -]", "", formatted) == number


@pytest.mark.parametrize("country", values.IBAN_COUNTRIES)
@pytest.mark.parametrize("valid", [True, False])
def test_ibans_pass_or_fail_mod97_as_asked(country: str, valid: bool) -> None:
    rng = random.Random(country)
    lengths = {"DE": 22, "GB": 22, "NL": 18, "FR": 27, "ES": 24, "IT": 27, "CH": 21, "BE": 16}
    for spaced in (False, True):
        for _ in range(30):
            iban = values.iban(rng, country, valid=valid, spaced=spaced)
            compact = iban.replace(" ", "")
            assert compact.startswith(country) and len(compact) == lengths[country]
            assert (" " in iban) is spaced
            assert values.iban_valid(iban) is valid


@pytest.mark.parametrize("valid", [True, False])
def test_ssn_areas(valid: bool) -> None:
    rng = random.Random(1)
    for _ in range(300):
        ssn = values.ssn(rng, valid=valid)
        area, group, serial = (int(part) for part in ssn.split("-"))
        good_area = 1 <= area <= 899 and area != 666
        assert good_area is valid, ssn
        assert 1 <= group <= 99 and 1 <= serial <= 9999


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (values.aws_access_key_id, r"AKIA[A-Z2-7]{16}"),
        (values.aws_secret_access_key, r"[A-Za-z0-9/+]{40}"),
        (values.github_token, r"ghp_[A-Za-z0-9]{36}"),
        (values.anthropic_key, r"sk-ant-api03-[A-Za-z0-9_-]{93}AA"),
        (values.password, r"[A-Za-z0-9!*_.~-]{11,20}"),
        (values.us_phone, r"(\(\d{3}\) 555-01\d\d|\d{3}-555-01\d\d|\+1 \d{3} 555 01\d\d|\d{3}\.555\.01\d\d)"),
        (values.intl_phone, r"\+(44|49|33|61) [\d ]+"),
    ],
)
def test_token_shapes(make: object, pattern: str) -> None:
    rng = random.Random(pattern)
    for _ in range(40):
        value = make(rng)  # type: ignore[operator]
        assert re.fullmatch(pattern, value), value


def test_pem_block_is_well_formed() -> None:
    rng = random.Random(3)
    for _ in range(20):
        lines = values.pem_private_key(rng).split("\n")
        head = re.fullmatch(r"-----BEGIN ([A-Z ]*PRIVATE KEY)-----", lines[0])
        assert head and lines[-1] == f"-----END {head.group(1)}-----"
        body = lines[1:-1]
        assert body and all(re.fullmatch(r"[A-Za-z0-9+/=]{1,64}", line) for line in body)
        assert all(len(line) == 64 for line in body[:-1])
