"""Seeded, unique, API-shaped identifiers (``claude_chat_01…``, UUIDs)."""

from __future__ import annotations

import random
import uuid

# The docs' ids look like ULIDs in a base-58 alphabet: prefix, "01", then 22 characters.
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class IdFactory:
    """Makes ids from one RNG and never hands out the same id twice."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self._rng = rng
        self._taken: set[str] = set(taken or ())

    def new(self, prefix: str) -> str:
        """A fresh ``<prefix>01<22 chars>`` id."""
        while True:
            candidate = prefix + "01" + "".join(self._rng.choice(_ALPHABET) for _ in range(22))
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate

    def quick(self, prefix: str) -> str:
        """Like ``new`` from one ``getrandbits`` call: ~10x faster, for bulk ids (activities)."""
        while True:
            number = self._rng.getrandbits(128)
            digits = []
            for _ in range(22):
                number, digit = divmod(number, 58)
                digits.append(_ALPHABET[digit])
            candidate = prefix + "01" + "".join(digits)
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate

    def uuid(self) -> str:
        """A fresh version-4 UUID string."""
        while True:
            candidate = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate

    def hex(self, nbytes: int) -> str:
        """Random lowercase hex (for md5-shaped fields)."""
        return self._rng.randbytes(nbytes).hex()
