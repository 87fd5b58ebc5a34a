"""Values that look like secrets but are documentation examples or placeholders.

Shared by the secret detectors' ``invalidate`` hooks: AWS's documented example keys (they contain
``EXAMPLE``), runs of ``x``/``X``/``*``/``0`` standing in for a real value, ``<your-key>``-style
templates and ``your_api_key``-style names.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(
    r"EXAMPLE"  # AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    r"|(?i:x{4,})|\*{4,}|0{8,}|\.{3,}|…"  # sk-ant-api03-xxxx…, ****, 00000000
    r"|<[^<>]*>|\{\{[^{}]*\}\}|\$\{[^{}]*\}"  # <your-key>, {{ key }}, ${KEY}
    r"|(?i:your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret|password))"
    r"|(?i:placeholder|redacted|changeme|dummy|insert[-_ ]?(?:key|token)[-_ ]?here)"
)


def is_placeholder(value: str) -> bool:
    """True when ``value`` is a documentation example or a placeholder, not a real secret."""
    return _PLACEHOLDER.search(value) is not None
