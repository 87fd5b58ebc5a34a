"""Fingerprints: normalised, keyed, namespaced; the key file: created once, atomically, 0600."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from classifier.errors import ClassifierConfigError, KeyFileError
from classifier.fingerprint import fingerprint, load_or_create_key, normalise
from tests.classifier.helpers import KEY

OTHER_KEY = bytes(reversed(range(32)))


@pytest.mark.parametrize(
    ("entity", "value", "normal"),
    [
        ("CREDIT_CARD", "4111-1111 1111 1111", "4111111111111111"),
        ("PHONE_NUMBER", "+1 (415) 555-0132", "14155550132"),
        ("US_SSN", "536-22-4187", "536224187"),
        ("IBAN_CODE", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("EMAIL_ADDRESS", " Dana.W@Example.COM ", "dana.w@example.com"),
        ("AWS_ACCESS_KEY", " AKIAZ7QX4MNB2VRT6KLP\n", "AKIAZ7QX4MNB2VRT6KLP"),
        ("PASSWORD", "CaseMatters", "CaseMatters"),
    ],
)
def test_normalise(entity: str, value: str, normal: str) -> None:
    assert normalise(entity, value) == normal


def test_known_answer_pins_the_format() -> None:
    expected = hmac.new(KEY, b"CREDIT_CARD\x004111111111111111", hashlib.sha256).hexdigest()
    assert fingerprint(KEY, "CREDIT_CARD", "4111 1111 1111 1111") == f"hmac-sha256:{expected}"


def test_equal_values_match_across_formatting_and_chats() -> None:
    assert fingerprint(KEY, "CREDIT_CARD", "4111 1111 1111 1111") == fingerprint(
        KEY, "CREDIT_CARD", "4111-1111-1111-1111"
    )
    assert fingerprint(KEY, "EMAIL_ADDRESS", "A@B.CO") == fingerprint(KEY, "EMAIL_ADDRESS", "a@b.co")


def test_fingerprints_are_keyed() -> None:
    assert fingerprint(KEY, "US_SSN", "536-22-4187") != fingerprint(OTHER_KEY, "US_SSN", "536-22-4187")


def test_entities_are_namespaced_but_secrets_share_one_namespace() -> None:
    assert fingerprint(KEY, "PHONE_NUMBER", "536224187") != fingerprint(KEY, "US_SSN", "536224187")
    assert fingerprint(KEY, "PASSWORD", "Zm9vYmFy") == fingerprint(KEY, "HIGH_ENTROPY_STRING", "Zm9vYmFy")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        fingerprint(b"short", "PERSON", "x")


def test_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    path = tmp_path / "data" / "hmac.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert load_or_create_key(path) == key
    assert os.listdir(path.parent) == ["hmac.key"], "a temporary file was left behind"


def test_an_existing_key_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "hmac.key"
    path.write_bytes(OTHER_KEY + b"extra")
    assert load_or_create_key(path) == OTHER_KEY + b"extra"
    assert path.read_bytes() == OTHER_KEY + b"extra"


def test_a_short_key_file_is_a_clear_error_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "hmac.key"
    path.write_bytes(b"too short")
    with pytest.raises(KeyFileError, match="holds 9 bytes, at least 32"):
        load_or_create_key(path)
    assert path.read_bytes() == b"too short"


def test_an_unreadable_key_path_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "hmac.key"
    path.mkdir()  # a directory where the key file should be
    with pytest.raises(ClassifierConfigError, match="cannot be read"):
        load_or_create_key(path)


def test_a_key_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(KeyFileError, match="NotADirectoryError"):
        load_or_create_key(blocker / "sub" / "hmac.key")


@pytest.mark.skipif(
    not Path("/proc/self").is_dir(), reason="needs Linux /proc (root may write anywhere else)"
)
def test_a_key_that_cannot_be_created_is_a_clear_error() -> None:
    with pytest.raises(KeyFileError, match="cannot be created"):
        load_or_create_key(Path("/proc/self/chatsift-no-such-dir/hmac.key"))
