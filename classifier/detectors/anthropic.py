"""``secrets.anthropic``: Anthropic API keys (ANTHROPIC_API_KEY).

``sk-ant-`` then a key family and version (``api03``, ``admin01``, ``oat01``, ``ort01``, …), a dash
and at least 20 key characters. detect-secrets has no plugin for these (it only sees them as
high-entropy strings), so this detector is the one that names them. Placeholders and
documentation examples (``sk-ant-api03-xxxx…``, ``<your-key>``) are rejected.

AWS access key ids (``AKIA``/``ASIA``/…) need no detector of their own: detect-secrets'
AWSKeyDetector reports them and the adapter rejects ``EXAMPLE`` keys the same way.
"""

from __future__ import annotations

import re

from classifier.detectors.base import RegexDetector
from classifier.detectors.placeholders import is_placeholder


class AnthropicKeyDetector(RegexDetector):
    """Anthropic API, admin and OAuth keys by their ``sk-ant-`` prefix."""

    id = "secrets.anthropic"
    entity = "ANTHROPIC_API_KEY"
    category = "secrets"
    patterns = (
        re.compile(
            r"(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))"
            r"(?P<value>sk-ant-(?:api|admin|oat|ort|sid|sk)\d{2}-[A-Za-z0-9_-]{20,})"
            r"(?![A-Za-z0-9_-])"
        ),
    )
    score = 0.99

    def invalidate(self, value: str) -> bool:
        """Placeholders and documentation examples."""
        return is_placeholder(value)
