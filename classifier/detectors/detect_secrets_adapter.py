"""``secrets.detect_secrets``: an adapter around detect-secrets 1.5.0's ad-hoc line scanner.

detect-secrets keeps its settings (plugins, filters) in a process-global object that starts with
no plugins: a scan outside a settings context silently finds nothing. Each ``detect`` call enters
``transient_settings`` once, with the explicit plugin and filter lists below, scans every line of
the segment, and restores the previous settings on exit. Because the settings are process-global
this is not thread-safe on its own: a module lock serialises scans across threads (and guards
against any other detect-secrets user in the process).

A line none of the plugins' regexes matches is not handed to ``scan_line``: every configured plugin
finds secrets only through those regexes (``plugin_regexes`` checks it, else every line is scanned),
so such a line would yield nothing, and the plugin machinery costs far more than the searches.

What the adapter adds on top of ``scan_line``:

* **offsets**: detect-secrets reports lines and values; each value is located in its line (every
  occurrence). Some plugins report a fragment (GitHub: the ``ghp`` group; JWT: without its
  signature): token values are extended to the end of their token and re-checked against the
  plugin's own regexes. Private keys span the whole ``-----BEGIN … PRIVATE KEY-----`` …
  ``-----END … PRIVATE KEY-----`` block (or the header and its base64 lines when the end is missing).
* **plugins**: only the formats ``secret_rules`` does not cover (``PLUGIN_NAMES``); the high-entropy
  plugins are off (``HIGH_ENTROPY_LIMITS`` is empty). When one is listed again, its hits get the
  plugin's entropy limit (ad-hoc scans leave it to the caller) and score low (0.55 base64, 0.45 hex,
  +0.25 after a word like ``key``/``token``).
* **private keys** need key material: a block with fewer than ``MIN_KEY_BODY`` base64 characters
  (``-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----``) is a documentation stub.
* **filters**: the heuristic filters, minus the allowlist (a chat must not hide a secret behind
  ``pragma: allowlist secret``) and minus verification (which would call vendor APIs).
* **placeholders**: ``AKIAIOSFODNN7EXAMPLE`` and friends are dropped (``placeholders``), also when a
  reported fragment extends to a placeholder token (``ghp`` -> ``ghp_xxxx…``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from detect_secrets.core.scan import scan_line
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.settings import get_plugins, transient_settings

from classifier.detectors.placeholders import is_placeholder
from classifier.segment import chunk_bounds
from classifier.types import SEGMENT_KINDS, Detection, Segment, SegmentKind

# detect-secrets' high-entropy plugins are off: in chats they flag hashes, URLs and base64 blobs far
# more often than secrets; ``secrets.generic`` reports high-entropy values assigned to a secret name.
HIGH_ENTROPY_LIMITS: dict[str, float] = {}
# Plugins for formats ``secret_rules`` does not cover. Dropped because a ``secret_rules`` rule covers
# the format with fewer false positives (word boundaries, placeholders, checksums): AWSKeyDetector,
# GitHubTokenDetector, GitLabTokenDetector, JwtTokenDetector, KeywordDetector, MailchimpDetector,
# NpmDetector, OpenAIDetector, PypiTokenDetector, SendGridDetector, SlackDetector, StripeDetector,
# TwilioKeyDetector.
PLUGIN_NAMES: tuple[str, ...] = (
    "ArtifactoryDetector",
    "AzureStorageKeyDetector",
    "BasicAuthDetector",
    "CloudantDetector",
    "DiscordBotTokenDetector",
    "IbmCloudIamDetector",
    "PrivateKeyDetector",
    "SoftlayerDetector",
    "SquareOAuthDetector",
    "TelegramBotTokenDetector",
    *HIGH_ENTROPY_LIMITS,
)
FILTER_PATHS: tuple[str, ...] = tuple(
    f"detect_secrets.filters.heuristic.{name}"
    for name in (
        "is_sequential_string",
        "is_potential_uuid",
        "is_likely_id_string",
        "is_templated_secret",
        "is_prefixed_with_dollar_sign",
        "is_indirect_reference",
        "is_lock_file",
        "is_not_alphanumeric_string",
        "is_swagger_file",
    )
)


@dataclass(frozen=True, slots=True)
class SecretType:
    """How one detect-secrets ``secret_type`` maps to a chatsift entity."""

    entity: str
    score: float
    token: bool = True  # a vendor token: extend a fragment to its whole token


SECRET_TYPES: dict[str, SecretType] = {
    "AWS Access Key": SecretType("AWS_ACCESS_KEY", 0.95),  # AWS_SECRET_KEY when not AKIA/ASIA/…
    "Artifactory Credentials": SecretType("ARTIFACTORY_TOKEN", 0.8),
    "Azure Storage Account access key": SecretType("AZURE_STORAGE_KEY", 0.95),
    "Basic Auth Credentials": SecretType("BASIC_AUTH_CREDENTIALS", 0.85, token=False),
    "Cloudant Credentials": SecretType("CLOUDANT_CREDENTIALS", 0.8),
    "Discord Bot Token": SecretType("DISCORD_BOT_TOKEN", 0.85),
    "GitHub Token": SecretType("GITHUB_TOKEN", 0.95),
    "GitLab Token": SecretType("GITLAB_TOKEN", 0.95),
    "IBM Cloud IAM Key": SecretType("IBM_CLOUD_IAM_KEY", 0.8),
    "JSON Web Token": SecretType("JWT", 0.85),
    "Secret Keyword": SecretType("PASSWORD", 0.7, token=False),
    "Mailchimp Access Key": SecretType("MAILCHIMP_API_KEY", 0.85),
    "NPM tokens": SecretType("NPM_TOKEN", 0.9),
    "OpenAI Token": SecretType("OPENAI_API_KEY", 0.95),
    "Private Key": SecretType("PRIVATE_KEY", 0.99, token=False),
    "PyPI Token": SecretType("PYPI_TOKEN", 0.95),
    "SendGrid API Key": SecretType("SENDGRID_API_KEY", 0.95),
    "Slack Token": SecretType("SLACK_TOKEN", 0.95),
    "SoftLayer Credentials": SecretType("SOFTLAYER_CREDENTIALS", 0.8),
    "Square OAuth Secret": SecretType("SQUARE_OAUTH_SECRET", 0.95),
    "Stripe Access Key": SecretType("STRIPE_KEY", 0.95),
    "Telegram Bot Token": SecretType("TELEGRAM_BOT_TOKEN", 0.85),
    "Twilio API Key": SecretType("TWILIO_API_KEY", 0.8),
    "Base64 High Entropy String": SecretType("HIGH_ENTROPY_STRING", 0.55, token=False),
    "Hex High Entropy String": SecretType("HIGH_ENTROPY_STRING", 0.45, token=False),
}
UNKNOWN_TYPE = SecretType("SECRET", 0.7, token=False)
HIGH_ENTROPY_CONTEXT_BOOST = 0.25
MAX_LINE_CHARS = 1000

_AWS_KEY_ID = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}")
_HIGH_ENTROPY_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:key|secret|token|passw(?:or)?d|pwd|credentials?|auth|api|bearer|private)(?![a-z])"
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]*")
_JWT_CHARS = re.compile(r"[A-Za-z0-9_=+/.-]*")
_PEM_BEGIN_DASHES = re.compile(r"-{4,5} ?$")
_PEM_END = re.compile(r"-{4,5} ?END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)? ?-{4,5}")
_PUTTY_END = re.compile(r"Private-MAC: *[0-9a-fA-F]+")
_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/=]")
MIN_KEY_BODY = 16  # base64 characters: ``-----BEGIN PRIVATE KEY-----\nanything\n-----END…`` is not a key
_BASE64_LINE = re.compile(r"[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*\r?")

# detect-secrets' settings are process-global: one scan at a time in this process.
_SETTINGS_LOCK = threading.Lock()


def settings_config() -> dict[str, Any]:
    """The explicit detect-secrets configuration every scan runs under."""
    plugins: list[dict[str, Any]] = [
        {"name": name, "limit": HIGH_ENTROPY_LIMITS[name]} if name in HIGH_ENTROPY_LIMITS else {"name": name}
        for name in PLUGIN_NAMES
    ]
    return {"plugins_used": plugins, "filters_used": [{"path": path} for path in FILTER_PATHS]}


class DetectSecretsDetector:
    """Vendor tokens, private keys, passwords and high-entropy strings via detect-secrets."""

    id = "secrets.detect_secrets"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __repr__(self) -> str:
        return f"DetectSecretsDetector(id={self.id!r})"

    def detect(self, segment: Segment) -> list[Detection]:
        """Every secret detect-secrets finds in the segment, placed at block offsets."""
        return self.detect_many([segment])[0]

    def detect_many(self, segments: list[Segment]) -> list[list[Detection]]:
        """``detect`` for several segments inside one settings context (entering one costs more
        than scanning a short message)."""
        with _SETTINGS_LOCK, transient_settings(settings_config()):
            plugins = {plugin.secret_type: plugin for plugin in get_plugins()}
            denylist = plugin_regexes(get_plugins())
            return [self._scan(segment, plugins, denylist) for segment in segments]

    def _scan(
        self, segment: Segment, plugins: dict[str, Any], denylist: list[re.Pattern[str]] | None
    ) -> list[Detection]:
        text = segment.text
        found: dict[tuple[str, int, int], float] = {}
        for line_start, line in _lines(text):
            if denylist is not None and not any(pattern.search(line) for pattern in denylist):
                continue  # no plugin can report anything on this line (``plugin_regexes``)
            for secret in scan_line(line):
                for entity, start, end, score in _place(text, line_start, line, secret, plugins):
                    key = (entity, start, end)
                    found[key] = max(score, found.get(key, 0.0))
        return [
            Detection(entity, "secrets", self.id, segment.start + start, segment.start + end, score)
            for (entity, start, end), score in found.items()
        ]


def plugin_regexes(plugins: Iterable[Any]) -> list[re.Pattern[str]] | None:
    """Every regex the plugins search a line with, or None when a plugin finds secrets another way.

    A ``RegexBasedDetector`` that keeps detect-secrets' own ``analyze_line``/``analyze_string``
    reports a line's secrets only from ``regex.findall(line)`` over its ``denylist``: on a line none
    of those regexes matches, ``scan_line`` yields nothing, so the adapter skips the call (the
    plugin machinery and filters cost far more than the searches). Any other plugin disables the
    shortcut.
    """
    regexes: list[re.Pattern[str]] = []
    for plugin in plugins:
        cls = type(plugin)
        if not (
            isinstance(plugin, RegexBasedDetector)
            and cls.analyze_line is BasePlugin.analyze_line
            and cls.analyze_string is RegexBasedDetector.analyze_string
        ):
            return None
        regexes.extend(plugin.denylist)
    return regexes


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line without its line break) for every line with something to scan.

    Lines longer than ``MAX_LINE_CHARS`` are cut at whitespace: detect-secrets' filters search the
    whole line once per candidate word, which is quadratic on minified JSON or pasted logs.
    """
    pos = 0
    for line in text.split("\n"):
        content = line.rstrip("\r")
        for start, end in chunk_bounds(content, 0, len(content), MAX_LINE_CHARS):
            piece = content[start:end]
            if any(char.isalnum() for char in piece):
                yield pos + start, piece
        pos += len(line) + 1


def _place(
    text: str, line_start: int, line: str, secret: Any, plugins: dict[str, Any]
) -> list[tuple[str, int, int, float]]:
    """Where one reported secret sits in the segment text, as (entity, start, end, score)."""
    value = secret.secret_value
    if not value:
        return []
    kind = SECRET_TYPES.get(secret.type, UNKNOWN_TYPE)
    plugin = plugins.get(secret.type)
    if kind.entity == "HIGH_ENTROPY_STRING" and not _entropy_ok(plugin, value):
        return []
    if kind.entity == "PRIVATE_KEY":
        return [
            ("PRIVATE_KEY", s, e, kind.score)
            for s, e in _private_key_spans(text, line_start, line, value)
            if _has_key_body(text[s:e])
        ]
    if kind.token:
        value = _clean_token(value)
    if not value or is_placeholder(value):
        return []
    entity = _entity(kind, value)
    out = []
    for start, end in _occurrences(line, value, kind, plugin):
        if is_placeholder(line[start:end]):  # a fragment (``ghp``) extended to a placeholder token
            continue
        score = _score(kind, line, start)
        out.append((entity, line_start + start, line_start + end, score))
    return out


def _has_key_body(block: str) -> bool:
    """A key block with key material: at least ``MIN_KEY_BODY`` base64 characters between its markers."""
    lines = block.splitlines()[1:]
    body = "".join(line for line in lines if ":" not in line and "-----" not in line)
    return len(_BASE64_CHAR.findall(body)) >= MIN_KEY_BODY


def _clean_token(value: str) -> str:
    """A token without the delimiters some plugins' regexes include (quotes, ``=``, trailing text)."""
    words = value.strip().strip("\"'=:").split()
    return words[0] if words else ""


def _entropy_ok(plugin: Any, value: str) -> bool:
    """Apply the plugin's own entropy limit (ad-hoc scans leave it to the caller)."""
    if plugin is None:
        return False
    if len(set(value)) < 2**plugin.entropy_limit:
        return False  # Shannon entropy never exceeds log2(distinct characters): skip the slow count
    return bool(plugin.calculate_shannon_entropy(value) > plugin.entropy_limit)


def _entity(kind: SecretType, value: str) -> str:
    if kind.entity == "AWS_ACCESS_KEY" and not _AWS_KEY_ID.fullmatch(value):
        return "AWS_SECRET_KEY"  # the plugin's second regex reports the 40-character secret
    return kind.entity


def _score(kind: SecretType, line: str, start: int) -> float:
    if kind.entity != "HIGH_ENTROPY_STRING":
        return kind.score
    window = line[max(0, start - 40) : start]
    boost = HIGH_ENTROPY_CONTEXT_BOOST if _HIGH_ENTROPY_CONTEXT.search(window) else 0.0
    return min(kind.score + boost, 1.0)


def _occurrences(line: str, value: str, kind: SecretType, plugin: Any) -> Iterator[tuple[int, int]]:
    """Every place ``value`` occurs in ``line``; token fragments extended to their whole token."""
    pos = line.find(value)
    while pos >= 0:
        start, end = pos, pos + len(value)
        if kind.token:
            end = _token_end(line, end, kind.entity == "JWT")
            if end != pos + len(value) and not _plugin_matches(plugin, line[start:end]):
                pos = line.find(value, pos + 1)
                continue
        yield start, end
        pos = line.find(value, end)


def _token_end(line: str, end: int, jwt: bool) -> int:
    """Extend a token to the right over token characters (and dots, for JWTs)."""
    chars = _JWT_CHARS if jwt else _TOKEN_CHARS
    match = chars.match(line, end)
    new_end = match.end() if match else end
    while jwt and new_end > end and line[new_end - 1] == ".":
        new_end -= 1
    return new_end


def _plugin_matches(plugin: Any, candidate: str) -> bool:
    """True when one of the plugin's own regexes finds a secret in the extended token."""
    denylist = getattr(plugin, "denylist", ())
    return any(pattern.search(candidate) for pattern in denylist)


def _private_key_spans(text: str, line_start: int, line: str, marker: str) -> list[tuple[int, int]]:
    """The whole private-key block around each ``BEGIN … PRIVATE KEY`` marker in the line."""
    spans = []
    pos = line.find(marker)
    while pos >= 0:
        dashes = _PEM_BEGIN_DASHES.search(line, 0, pos)
        start = line_start + (dashes.start() if dashes else pos)
        spans.append((start, _private_key_end(text, start, marker)))
        pos = line.find(marker, pos + len(marker))
    return spans


def _private_key_end(text: str, start: int, marker: str) -> int:
    """The end of the key block: its END marker, else the last base64 line after the header."""
    end_marker = _PUTTY_END if marker.startswith("PuTTY") else _PEM_END
    match = end_marker.search(text, start)
    if match:
        return match.end()
    line_end = text.find("\n", start)
    if line_end < 0:
        return len(text)
    end = line_end
    while True:
        next_end = text.find("\n", end + 1)
        next_end = len(text) if next_end < 0 else next_end
        if not _BASE64_LINE.fullmatch(text, end + 1, next_end):
            return end
        end = next_end
        if end >= len(text):
            return end
