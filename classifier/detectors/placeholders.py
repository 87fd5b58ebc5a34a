"""Values that look like secrets but are documentation examples or placeholders.

Shared by the secret detectors' ``invalidate`` hooks:

* ``is_placeholder``: AWS's documented example keys (they contain ``EXAMPLE``), runs of
  ``x``/``X``/``*``/``#``/``0`` standing in for a real value, ``<your-key>``/``{{ key }}``/``${KEY}``
  templates, ``your_api_key``/``..._HERE``-style names and a few words (``placeholder``, ``changeme``).
* ``is_low_quality``: values too regular to be a generated key: one character repeated over most of
  the value, a long ascending run (``abcdefghijklmnop``, ``0123456789ab``), or a Shannon entropy under
  the caller's limit.
* ``shannon_entropy``: bits per character of a value.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

_PLACEHOLDER = re.compile(
    r"EXAMPLE"  # AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    r"|(?i:x{4,})|\*{4,}|#{4,}|0{8,}|\.{3,}|…"  # sk-ant-api03-xxxx…, ****, ####, 00000000
    r"|<[^<>]*>|\{\{[^{}]*\}\}|\$\{[^{}]*\}"  # <your-key>, {{ key }}, ${KEY}
    r"|(?i:your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret|password))"
    r"|(?i:(?<![a-z])your[-_])|(?i:[-_]here(?![a-z]))"  # ADD_YOUR_TOKEN_HERE, PUT_YOUR_TOKEN_HERE
    r"|(?i:placeholder|redacted|changeme|dummy|insert[-_ ]?(?:key|token)[-_ ]?here)"
)
# A generated key repeats no character over most of its length.
MAX_REPEAT_SHARE = 0.6
# Ascending runs this long (by code point: abcd…, 0123…) do not occur in generated keys.
DEFAULT_MAX_RUN = 12


def is_placeholder(value: str) -> bool:
    """True when ``value`` is a documentation example or a placeholder, not a real secret."""
    return _PLACEHOLDER.search(value) is not None


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character (0.0 for the empty string)."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def longest_ascending_run(value: str) -> int:
    """The length of the longest run of characters whose code points go up by one."""
    best = run = 1 if value else 0
    for a, b in itertools.pairwise(value):
        run = run + 1 if ord(b) == ord(a) + 1 else 1
        best = max(best, run)
    return best


def is_low_quality(value: str, *, min_entropy: float = 0.0, max_run: int = DEFAULT_MAX_RUN) -> bool:
    """True when ``value`` is too regular to be a generated secret (repeats, runs, low entropy)."""
    if not value:
        return True
    if Counter(value).most_common(1)[0][1] > MAX_REPEAT_SHARE * len(value) and len(value) >= 4:
        return True
    if longest_ascending_run(value) >= max_run:
        return True
    return shannon_entropy(value) < min_entropy
