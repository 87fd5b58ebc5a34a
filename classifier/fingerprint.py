"""Keyed fingerprints: the same value in two chats gets the same fingerprint, and nobody stores it.

``fingerprint(key, entity, value)`` is ``hmac-sha256:<hex>`` of HMAC-SHA256 over the entity's
namespace and the normalised value. The key lives outside the label store (``load_or_create_key``),
so a fingerprint cannot be reversed by guessing values (a card number has little entropy) without
it. Namespaces keep a phone number and an equal digit string in another entity apart, while every
secret entity shares one namespace: the same token seen as ``PASSWORD`` in one chat and as
``HIGH_ENTROPY_STRING`` in another still matches.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from pathlib import Path

from classifier.entities import is_secret
from classifier.errors import KeyFileError

KEY_BYTES = 32
PREFIX = "hmac-sha256:"

_DIGITS_ONLY = frozenset({"CREDIT_CARD", "PHONE_NUMBER", "US_SSN"})
_NON_DIGITS = re.compile(r"\D")
_WHITESPACE = re.compile(r"\s+")


def normalise(entity: str, value: str) -> str:
    """The canonical form of a value: digits only, upper case without spaces, lower case, or stripped."""
    if entity in _DIGITS_ONLY:
        return _NON_DIGITS.sub("", value)
    if entity == "IBAN_CODE":
        return _WHITESPACE.sub("", value).upper()
    if entity == "EMAIL_ADDRESS":
        return value.strip().lower()
    return value.strip()


def namespace(entity: str) -> str:
    """The fingerprint namespace: ``secret`` for every secret entity, else the entity name."""
    return "secret" if is_secret(entity) else entity


def fingerprint(key: bytes, entity: str, value: str) -> str:
    """``hmac-sha256:<hex>`` of the entity namespace and normalised value under ``key``."""
    if len(key) < KEY_BYTES:
        raise ValueError(f"fingerprint key must be at least {KEY_BYTES} bytes")
    message = f"{namespace(entity)}\x00{normalise(entity, value)}".encode("utf-8", "surrogatepass")
    return PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``; if there is none, 32 random bytes written there atomically (0600).

    A missing parent directory is created with mode 0700. A key file that cannot be read or holds
    fewer than 32 bytes is an error, never silently replaced: every fingerprint depends on it.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    _create_key(path)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise KeyFileError(f"fingerprint key file {path} cannot be read ({type(exc).__name__})") from exc
    if len(data) < KEY_BYTES:
        raise KeyFileError(
            f"fingerprint key file {path} holds {len(data)} bytes, at least {KEY_BYTES} are needed "
            "(restore it, or remove it to start a new key: fingerprints will no longer match old ones)"
        )
    return data


def _create_key(path: Path) -> None:
    """Write a new key next to ``path`` and link it into place only if no key appeared meanwhile."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".hmac-key-", dir=path.parent)  # created 0600
    except OSError as exc:
        raise KeyFileError(f"fingerprint key file {path} cannot be created ({type(exc).__name__})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        _publish(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _publish(tmp: Path, path: Path) -> None:
    """Make ``tmp`` appear as ``path`` atomically, keeping a key another process wrote first."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    except OSError as exc:
        if path.exists():
            return
        try:
            os.replace(tmp, path)  # no hard links on this file system
        except OSError as replace_exc:
            raise KeyFileError(
                f"fingerprint key file {path} cannot be created ({type(replace_exc).__name__})"
            ) from exc
