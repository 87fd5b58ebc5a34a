"""``secrets.anthropic``: Anthropic API keys (ANTHROPIC_API_KEY).

``sk-ant-`` then a key family and version (``api03``, ``admin01``, ``oat01``, ``ort01``, …), a dash
and the key characters. API (``api03``) and admin (``admin01``) keys have a fixed shape: 93 key
characters then ``AA`` (108 characters in all); other families need at least 20 key characters.
detect-secrets has no plugin for these, so this detector is the one that names them. Placeholders and
documentation examples (``sk-ant-api03-xxxx…``, ``<your-key>``) are rejected.

Other vendors' formats (AWS, GitHub, Slack, …) are in ``secret_rules``.
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
            r"(?P<value>sk-ant-(?:api03-|admin01-)[A-Za-z0-9_-]{93}AA"
            r"|sk-ant-(?!api03-|admin01-)(?:api|admin|oat|ort|sid|sk)\d{2}-[A-Za-z0-9_-]{20,})"
            r"(?![A-Za-z0-9_-])"
        ),
    )
    score = 0.99

    def invalidate(self, value: str) -> bool:
        """Placeholders and documentation examples."""
        return is_placeholder(value)
