"""``secrets.<vendor>``: vendor key formats, JWTs, private keys, credentials in URLs, headers and assignments.

One declarative table, ``RULES``, describes every format: the detector id it reports under, the
entity, a regex (the group ``value`` is the reported span, else the whole match), the literal
keywords that must occur in the segment for the rule to run, a score and the checks a value must
pass. ``secret_rule_detectors()`` groups the rows by detector id (one entity per id) into
``RegexDetector`` subclasses, in table order.

**Prefilter.** Each rule names lowercase literals (its prefix, or the words its context needs). The
detectors of one registry share a ``KeywordIndex``: the first detector to read a segment lowers it
once and records which of all the keywords occur; every detector then skips the rules whose
keywords are absent, so a segment without ``xox``/``ghp_``/``akia``/… costs a few substring
searches, not ~100 regex scans.

**Checks**, in order, on the ``value`` span:

* ``is_placeholder`` (``EXAMPLE``, ``xxxx``, ``<your-key>``, ``${VAR}``, ``…_HERE``) rejects;
* ``is_low_quality``: one character over most of the value, a long ascending run, or an entropy
  under the rule's ``min_entropy``;
* ``classes``: character classes the value must contain (``u`` upper, ``l`` lower, ``d`` digit);
* ``check``: a structural test on the whole match: a vendor checksum (GitHub's and npm's CRC32 in
  base62), a decodable ``Basic`` credential, an identifier that names a secret.

**Scores.** Vendor prefixes with a fixed length score 0.9–0.99; a GitHub/npm token whose checksum
fails scores 0.75. Formats that need context (an assignment to an identifier that names the vendor
or a secret, a header, ``curl -u``) score 0.7–0.85. A bare Google API key scores 0.45 (below the
default threshold: browser and Firebase keys are public by design) and 0.7 after a key word.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from classifier.detectors.base import RegexDetector
from classifier.detectors.placeholders import is_low_quality, is_placeholder
from classifier.types import Detection, Detector, Segment

# Before a token: no token character (and not a JSON escape's letter).
_B = r"(?:(?<![A-Za-z0-9_])|(?<=\\[nrt]))"
_BD = r"(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))"  # also no dash (tokens that contain dashes)
_A = r"(?![A-Za-z0-9_])"
_AD = r"(?![A-Za-z0-9_-])"
# An assignment: optional closing quote, an operator (= : := ::= ?= => ,) and an optional opening quote.
_OP = r"""['"]?[ \t]*(?:=>|:{1,3}=|\?=|=|:|,)[ \t]*(?:['"]|\\")?[ \t]*"""
_IDENT = r"[A-Za-z_$][\w.$-]{0,80}"


def _assign(vendor: str, value: str) -> str:
    """An identifier that contains ``vendor`` (a case-insensitive regex), an operator, then ``value``."""
    start = r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))"  # the vendor word starts a component
    return rf"(?P<ident>[\w.$-]{{0,40}}?{start}(?i:{vendor})[\w.$-]{{0,40}}){_OP}(?P<value>{value})"


# ---- checks -------------------------------------------------------------------------------------

_BASE62 = (
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


def _base62(number: int, alphabet: str, width: int = 6) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(alphabet[rest])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def crc32_base62_ok(token: str) -> bool:
    """GitHub/npm token checksum: the last 6 characters are the base62 CRC32 of the 30 before them."""
    body = token.rsplit("_", 1)[-1]
    if len(body) != 36:
        return False
    crc = zlib.crc32(body[:30].encode("ascii"))
    return any(_base62(crc, alphabet) == body[30:] for alphabet in _BASE62)


def _checksum_fails(match: re.Match[str]) -> bool:
    return not crc32_base62_ok(match.group("value"))


def _basic_fails(match: re.Match[str]) -> bool:
    """True unless a ``Basic`` credential decodes to ``user:password`` (not to JSON, not a template)."""
    try:
        decoded = base64.b64decode(match.group("value"), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return True
    user, sep, _ = decoded.partition(":")
    return not sep or any(c in user for c in '{}"<>$')


# Identifier components that name a secret (``api_token``, ``clientSecret``, ``DB_PASSWORD``).
_SECRET_WORDS = ("token", "secret", "password", "passwd", "pwd", "passphrase", "apikey", "credentials")
_SECRET_PAIRS = {("api", "key"), ("access", "key"), ("secret", "key"), ("auth", "key"), ("app", "key")}
# ... unless the identifier names something about the secret rather than the secret itself.
_NOT_THE_VALUE = frozenset(
    [
        "id",
        "ids",
        "name",
        "names",
        "url",
        "uri",
        "urls",
        "file",
        "files",
        "path",
        "dir",
        "version",
        "length",
        "len",
        "size",
        "type",
        "types",
        "count",
        "field",
        "prefix",
        "suffix",
        "header",
        "headers",
        "env",
        "var",
        "ref",
        "format",
        "mode",
        "policy",
        "endpoint",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "time",
        "timeout",
        "label",
        "hint",
        "placeholder",
        "pattern",
        "regex",
        "template",
        "provider",
        "store",
        "location",
        "source",
        "method",
        "enabled",
        "required",
        "hash",
        "hashed",
        "salt",
        "rounds",
        "algorithm",
        "alg",
        "kind",
        "scope",
        "scopes",
        "index",
        "key",
        "keys",
    ]
)
_NOT_A_SECRET_NAME = frozenset(
    ["public", "pub", "csrf", "xsrf", "publishable", "anon", "nonce", "sha", "md5", "checksum"]
)
_COMPONENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_PASSWORD_WORDS = ("password", "passwd", "pwd", "passphrase", "pass")


def components(identifier: str) -> list[str]:
    """``clientSecret_v2`` -> ``["client", "secret", "v", "2"]`` (camelCase, snake, dots, dashes)."""
    return [part.lower() for part in _COMPONENT.findall(identifier)]


def names_secret(identifier: str) -> bool:
    """True when an identifier names a secret value (``api_token``), not its metadata (``token_url``)."""
    parts = components(identifier)
    if not parts or _NOT_A_SECRET_NAME.intersection(parts):
        return False
    if tuple(parts[-2:]) in _SECRET_PAIRS:  # ``api_key``: "key" alone would be metadata below
        return True
    if parts[-1] in _NOT_THE_VALUE:
        return False
    if any(p.endswith(_SECRET_WORDS) or p == "auth" for p in parts):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(parts))


def names_password(identifier: str) -> bool:
    """True when an identifier names a password (``db_password``, ``PuttyPassword``)."""
    parts = components(identifier)
    return bool(parts) and parts[-1] in _PASSWORD_WORDS


def _ident_is_not_vendor_secret(match: re.Match[str]) -> bool:
    """Vendor assignments: the identifier must not name metadata (``…_url``, ``…_name``)."""
    parts = components(match.group("ident"))
    return not parts or parts[-1] in (_NOT_THE_VALUE - {"id", "key"}) or bool(_NOT_A_SECRET_NAME & set(parts))


_CODE_VALUE = re.compile(
    r"^(?:true|false|null|none|nil|undefined|\d+)$|^[A-Za-z_]\w*\.[A-Za-z_]\w*|\d+\.\d+\.\d+|\.\.|^[A-Z_]+$"
)


def _generic_fails(match: re.Match[str]) -> bool:
    """A generic assignment: the identifier names a secret and the value is not code or a word."""
    ident, value = match.group("ident"), match.group("value")
    if names_password(ident) or not names_secret(ident) or _CODE_VALUE.search(value):
        return True
    if longest_digit_or_letter_run(value) >= 8 or value.lower().startswith(_VENDOR_PREFIXES):
        return True  # a vendor's rule owns its prefix: ``xoxp-1234`` failed the Slack rule
    return not (re.search(r"\d", value) or (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)))


def longest_digit_or_letter_run(value: str) -> int:
    """The longest ascending run (``12345678``) in ``value``: fake values in configs and docs."""
    best = run = 1
    for a, b in itertools.pairwise(value):
        run = run + 1 if ord(b) == ord(a) + 1 else 1
        best = max(best, run)
    return best


# Prefixes that a vendor rule owns (filled in below the table).
_VENDOR_PREFIXES: tuple[str, ...] = ()

_PASSWORD_PLACEHOLDERS = frozenset(
    [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "test",
        "testing",
        "admin",
        "root",
        "user",
        "username",
        "changeme",
        "changeit",
        "default",
        "example",
        "sample",
        "qwerty",
        "letmein",
        "mypassword",
        "yourpassword",
        "none",
        "null",
        "empty",
        "string",
        "required",
    ]
)


def _password_value_fails(value: str) -> bool:
    """A password-like value that is a template, a variable, a word from the docs or too short."""
    if len(value) < 6 or value.lower() in _PASSWORD_PLACEHOLDERS:
        return True
    if value.startswith(("$", "%", "{", "[", "(", "<", "@", "`")) or "${" in value or "$(" in value:
        return True
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    return classes < 2 and len(value) < 12


def _password_assign_fails(match: re.Match[str]) -> bool:
    if not names_password(match.group("ident")):
        return True
    value = match.group("value")
    return _password_value_fails(value) or bool(_CODE_VALUE.search(value))


def _curl_user_fails(match: re.Match[str]) -> bool:
    """``curl -u user:password``: the password (or the user, when the password is empty) is real."""
    arg = match.group("value").replace('"', "").replace("'", "")
    user, sep, password = arg.partition(":")
    if not sep:
        return True
    secret = (password or user).removeprefix("{").removesuffix("}")  # ``{password}`` doc style
    if is_placeholder(arg) or secret.lower() in _PASSWORD_PLACEHOLDERS:
        return True
    if user and password and user.lower() == password.lower():
        return True
    return _password_value_fails(secret)


def _curl_secret_span(match: re.Match[str]) -> tuple[int, int]:
    """The password of ``-u user:password`` (the user when the password is empty), quotes excluded."""
    start, end = match.span("value")
    arg = match.group("value")
    colon = arg.find(":", 1 if arg[0] in "\"'" else 0)
    lo, hi = (
        (start + colon + 1, end)
        if colon >= 0 and colon + 1 < len(arg.rstrip("\"'"))
        else (start, start + colon)
    )
    text = match.string
    while lo < hi and text[lo] in "\"'{":
        lo += 1
    while hi > lo and text[hi - 1] in "\"'}":
        hi -= 1
    return lo, hi


def _url_credentials_fail(match: re.Match[str]) -> bool:
    user, password = match.group("user"), match.group("password")
    if user.lower() == password.lower() or password.lower() in _PASSWORD_PLACEHOLDERS:
        return True
    return password.startswith(("$", "%", "{", "<", "[")) or len(password) < 3


def _header_fails(match: re.Match[str]) -> bool:
    value = match.group("value")
    if value.startswith(("$", "{", "<", "%", "(")) or "${" in value or "$(" in value:
        return True
    return bool(_CODE_VALUE.search(value))


MIN_KEY_BODY = 16  # base64 characters between the markers: ``anything`` is a documentation stub


def _private_key_fails(match: re.Match[str]) -> bool:
    body = re.sub(r"\\[nrt]|[A-Za-z-]+: [^\n]*", "", match.group("body"))
    return len(re.findall(r"[A-Za-z0-9+/=]", body)) < MIN_KEY_BODY


# ---- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One key format. ``check`` returns True to reject a match (checksum failed, wrong context)."""

    id: str
    entity: str
    pattern: str
    keywords: tuple[str, ...]
    score: float = 0.9
    min_entropy: float = 3.0
    classes: str = ""
    check: Callable[[re.Match[str]], bool] | None = None
    context: tuple[str, ...] = ()  # words before the value that add ``context_boost``
    context_boost: float = 0.25
    fail_score: float | None = None  # when set, a failed ``check`` lowers the score instead of rejecting
    flags: int = 0
    locate: Callable[[re.Match[str]], tuple[int, int]] | None = None  # the reported span, when not ``value``


_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_SLACK = ("xox", "hooks.slack.com")
_HEADER_NAMES = (
    r"(?:proxy-)?authorization|x-[\w-]{0,30}?(?:api-?key|token|auth)|api[-_]?(?:key|token)|"
    r"(?:auth|access|private)[-_]?token|token"
)

RULES: tuple[Rule, ...] = (
    # --- cloud -----------------------------------------------------------------------------------
    Rule(
        "secrets.aws",
        "AWS_ACCESS_KEY",
        _B + r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}" + _A,
        ("akia", "asia", "abia", "acca", "a3t"),
        0.95,
        min_entropy=3.0,
        classes="u",
    ),
    Rule(
        "secrets.aws_secret",
        "AWS_SECRET_KEY",
        r"(?i:aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20})"
        + _OP
        + r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        ("aws",),
        0.95,
        min_entropy=4.0,
    ),
    Rule(
        "secrets.aws_bedrock",
        "AWS_BEDROCK_API_KEY",
        _B + r"(?:ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{100,260}={0,2}"
        r"|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t"
        r"[A-Za-z0-9+/=&%.-]*)(?![A-Za-z0-9+/=])",
        ("absk", "bedrock-api-key-"),
        0.95,
    ),
    Rule(
        "secrets.gcp_api_key",
        "GOOGLE_API_KEY",
        _B + r"AIza[0-9A-Za-z_-]{35}" + _AD,
        ("aiza",),
        0.45,
        min_entropy=3.5,
        context=("key", "api", "token", "secret", "google", "gcp", "firebase", "maps"),
    ),
    Rule(
        "secrets.gcp_service_account",
        "GCP_SERVICE_ACCOUNT_KEY",
        r'"type"\s*:\s*"service_account"',
        ("service_account",),
        0.75,
        min_entropy=0.0,
    ),
    Rule(
        "secrets.azure_ad",
        "AZURE_CLIENT_SECRET",
        r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        ("q~",),
        0.9,
        min_entropy=3.5,
    ),
    Rule("secrets.digitalocean", "DIGITALOCEAN_TOKEN", _B + r"do[opr]_v1_[a-f0-9]{64}" + _A, ("_v1_",), 0.95),
    Rule("secrets.heroku", "HEROKU_API_KEY", _B + r"HRKU-AA[A-Za-z0-9_-]{58}" + _AD, ("hrku-",), 0.95),
    Rule(
        "secrets.heroku",
        "HEROKU_API_KEY",
        _assign("heroku", _UUID) + _A,
        ("heroku",),
        0.8,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.flyio",
        "FLYIO_TOKEN",
        _B + r"(?:fo1_[\w-]{43}" + _AD + r"|fm[12][ar]?_[A-Za-z0-9+/]{50,}={0,3})",
        ("fo1_", "fm1", "fm2"),
        0.9,
    ),
    Rule(
        "secrets.cloudflare",
        "CLOUDFLARE_ORIGIN_CA_KEY",
        _B + r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}" + _A,
        ("v1.0-",),
        0.95,
    ),
    Rule("secrets.databricks", "DATABRICKS_TOKEN", _B + r"dapi[a-f0-9]{32}(?:-\d)?" + _AD, ("dapi",), 0.9),
    Rule(
        "secrets.clickhouse",
        "CLICKHOUSE_API_SECRET",
        _B + r"4b1d[A-Za-z0-9]{38}" + _A,
        ("4b1d",),
        0.85,
        min_entropy=4.0,
        classes="uld",
    ),
    Rule(
        "secrets.vault",
        "VAULT_TOKEN",
        _B + r"(?:hvs\.[\w-]{90,120}|hvb\.[\w-]{138,300}|(?<![\w.])s\.[A-Za-z0-9]{24})" + _AD,
        ("hvs.", "hvb.", "s."),
        0.9,
        classes="uld",
    ),
    Rule(
        "secrets.terraform",
        "TERRAFORM_API_TOKEN",
        _B + r"[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}" + _AD,
        ("atlasv1",),
        0.95,
    ),
    Rule("secrets.pulumi", "PULUMI_ACCESS_TOKEN", _B + r"pul-[a-f0-9]{40}" + _A, ("pul-",), 0.9),
    Rule(
        "secrets.doppler",
        "DOPPLER_TOKEN",
        _B + r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}" + _A,
        ("dp.",),
        0.95,
    ),
    Rule("secrets.openshift", "OPENSHIFT_TOKEN", _B + r"sha256~[\w-]{43}" + _AD, ("sha256~",), 0.9),
    Rule("secrets.scalingo", "SCALINGO_API_TOKEN", _B + r"tk-us-[\w-]{48}" + _AD, ("tk-us-",), 0.9),
    Rule(
        "secrets.onepassword",
        "ONEPASSWORD_SECRET_KEY",
        _B
        + r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}"
        + _AD,
        ("a3-",),
        0.9,
        classes="ud",
    ),
    Rule(
        "secrets.onepassword",
        "ONEPASSWORD_SECRET_KEY",
        _B + r"ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
        ("ops_eyj",),
        0.9,
    ),
    Rule(
        "secrets.age",
        "AGE_SECRET_KEY",
        _B + r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}" + _A,
        ("age-secret-key-1",),
        0.95,
    ),
    # --- source hosting and package registries ---------------------------------------------------
    Rule(
        "secrets.github",
        "GITHUB_TOKEN",
        _B + r"(?P<value>gh[pousr]_[A-Za-z0-9]{36})" + _A,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        0.99,
        check=_checksum_fails,
        fail_score=0.75,
    ),
    Rule(
        "secrets.github",
        "GITHUB_TOKEN",
        _B + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _A,
        ("github_pat_",),
        0.99,
    ),
    Rule(
        "secrets.gitlab",
        "GITLAB_TOKEN",
        _B + r"(?:gl(?:pat|dt|ft|oas|soat|cbt|imt|agent)-[\w-]{20,}(?:\.[0-9a-z]{2}[0-9a-z]{7})?"
        r"|glrt-(?:t\d_)?[\w-]{20,}(?:\.[0-9a-z]{2}[0-9a-z]{7})?|glptt-[0-9a-f]{40}|GR1348941[\w-]{20})"
        + _AD,
        (
            "glpat-",
            "gldt-",
            "glft-",
            "gloas-",
            "glsoat-",
            "glcbt-",
            "glimt-",
            "glagent-",
            "glrt-",
            "glptt-",
            "gr1348941",
        ),
        0.95,
        classes="ld",
    ),
    Rule(
        "secrets.npm",
        "NPM_TOKEN",
        _B + r"(?P<value>npm_[A-Za-z0-9]{36})" + _A,
        ("npm_",),
        0.99,
        check=_checksum_fails,
        fail_score=0.75,
    ),
    Rule(
        "secrets.pypi",
        "PYPI_TOKEN",
        _B + r"pypi-AgEIcHlwaS5vcmc[\w-]{50,}" + _AD,
        ("pypi-ageichlwas5vcmc",),
        0.99,
    ),
    Rule(
        "secrets.huggingface",
        "HUGGINGFACE_TOKEN",
        _B + r"(?:hf_|api_org_)[A-Za-z]{34}" + _A,
        ("hf_", "api_org_"),
        0.9,
        min_entropy=3.8,
        classes="ul",
    ),
    Rule(
        "secrets.sourcegraph",
        "SOURCEGRAPH_TOKEN",
        _B + r"sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}" + _A,
        ("sgp_",),
        0.9,
        min_entropy=3.3,
    ),
    Rule(
        "secrets.sourcegraph",
        "SOURCEGRAPH_TOKEN",
        _assign("sourcegraph", r"[a-fA-F0-9]{40}") + _A,
        ("sourcegraph",),
        0.8,
        min_entropy=3.3,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.sonar",
        "SONAR_TOKEN",
        _assign(r"sonar[\w.-]{0,20}?(?:login|token|key)", r"(?:sq[pua]_)?[A-Za-z0-9]{40}") + _A,
        ("sonar",),
        0.8,
        check=_ident_is_not_vendor_secret,
    ),
    Rule("secrets.sonar", "SONAR_TOKEN", _B + r"sq[pua]_[a-f0-9]{40}" + _A, ("sqp_", "squ_", "sqa_"), 0.9),
    Rule(
        "secrets.snyk",
        "SNYK_TOKEN",
        _assign("snyk", _UUID) + _A,
        ("snyk",),
        0.8,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.atlassian", "ATLASSIAN_API_TOKEN", _B + r"ATATT3[A-Za-z0-9_=-]{186}" + _AD, ("atatt3",), 0.95
    ),
    Rule(
        "secrets.octopus",
        "OCTOPUS_API_KEY",
        _B + r"API-[A-Z0-9]{26}" + _A,
        ("api-",),
        0.85,
        classes="ud",
        min_entropy=3.5,
    ),
    Rule(
        "secrets.infracost",
        "INFRACOST_API_TOKEN",
        r"(?<![\w./-])ico-[A-Za-z0-9]{32}" + _A,
        ("ico-",),
        0.9,
        classes="ul",
        min_entropy=3.8,
    ),
    Rule("secrets.readme", "README_API_TOKEN", _B + r"rdme_[a-z0-9]{70}" + _A, ("rdme_",), 0.9),
    Rule("secrets.prefect", "PREFECT_API_TOKEN", _B + r"pnu_[A-Za-z0-9]{36}" + _A, ("pnu_",), 0.9),
    Rule(
        "secrets.sentry",
        "SENTRY_TOKEN",
        _B + r"(?:sntrys_eyJ[A-Za-z0-9+/=]{60,}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})" + _A,
        ("sntrys_", "sntryu_"),
        0.95,
    ),
    Rule(
        "secrets.grafana",
        "GRAFANA_TOKEN",
        _B + r"(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}" + _A + ")",
        ("glc_", "glsa_"),
        0.9,
    ),
    # --- chat, payments and SaaS APIs ------------------------------------------------------------
    Rule(
        "secrets.slack",
        "SLACK_TOKEN",
        _B + r"(?:xoxb-\d{10,13}-\d{10,13}-[A-Za-z0-9]{20,40}|xoxb-\d{8,14}-[A-Za-z0-9]{18,26}"
        r"|xox[pe](?:-\d{10,13}){3}-[A-Za-z0-9]{28,34}|xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-z0-9]{64}"
        r"|xoxe\.xox[bp]-\d-[A-Z0-9a-z]{150,170}|xoxe-\d-[A-Za-z0-9]{140,150}"
        r"|xox[ar]-(?:\d-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]{6,48})+|xox[os]-\d+-\d+-\d+-[a-fA-F\d]{10,})"
        + _AD,
        _SLACK[:1],
        0.95,
        min_entropy=2.5,
    ),
    Rule(
        "secrets.slack_webhook",
        "SLACK_WEBHOOK_URL",
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{30,80}" + _A,
        _SLACK[1:],
        0.9,
    ),
    Rule(
        "secrets.stripe",
        "STRIPE_KEY",
        _B + r"(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}" + _A,
        ("sk_", "rk_"),
        0.95,
        classes="ld",
    ),
    Rule(
        "secrets.openai",
        "OPENAI_API_KEY",
        _BD + r"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}" + _AD,
        ("t3blbkfj",),
        0.97,
    ),
    Rule("secrets.perplexity", "PERPLEXITY_API_KEY", _B + r"pplx-[A-Za-z0-9]{48}" + _A, ("pplx-",), 0.9),
    Rule(
        "secrets.notion",
        "NOTION_TOKEN",
        _B + r"(?:ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})" + _A,
        ("ntn_", "secret_"),
        0.9,
        classes="ul",
    ),
    Rule("secrets.sendgrid", "SENDGRID_API_KEY", _B + r"SG\.[\w-]{22}\.[\w-]{43}" + _AD, ("sg.",), 0.95),
    Rule(
        "secrets.twilio",
        "TWILIO_API_KEY",
        _B + r"SK[0-9a-f]{32}" + _A,
        ("sk",),
        0.7,
        context=("twilio",),
        context_boost=0.2,
    ),
    Rule(
        "secrets.mailgun",
        "MAILGUN_API_KEY",
        _B + r"key-[0-9a-f]{32}" + _A,
        ("key-",),
        0.75,
        context=("mailgun",),
        context_boost=0.2,
    ),
    Rule(
        "secrets.mailchimp",
        "MAILCHIMP_API_KEY",
        _assign("mailchimp", r"[0-9a-f]{32}-us\d{1,2}") + _A,
        ("mailchimp",),
        0.9,
        check=_ident_is_not_vendor_secret,
    ),
    Rule("secrets.postman", "POSTMAN_API_KEY", _B + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _A, ("pmak-",), 0.95),
    Rule(
        "secrets.shopify",
        "SHOPIFY_TOKEN",
        _B + r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + _A,
        ("shpat_", "shpca_", "shppa_", "shpss_"),
        0.95,
    ),
    Rule(
        "secrets.square",
        "SQUARE_TOKEN",
        _B + r"(?:sq0atp-[\w-]{22}|sq0csp-[\w-]{43}|EAAA[\w-]{60})" + _AD,
        ("sq0atp-", "sq0csp-", "eaaa"),
        0.9,
    ),
    Rule("secrets.facebook", "FACEBOOK_TOKEN", _B + r"EAA[MC][A-Za-z0-9]{100,}" + _A, ("eaam", "eaac"), 0.9),
    Rule(
        "secrets.facebook",
        "FACEBOOK_TOKEN",
        r"(?<![\w|])(?P<value>\d{15,16}(?:\||%7C)[\w-]{27,40})" + _AD,
        ("facebook", "fb"),
        0.85,
    ),
    Rule(
        "secrets.okta",
        "OKTA_TOKEN",
        _assign("okta", r"00[\w=-]{40}") + _AD,
        ("okta",),
        0.85,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.hubspot",
        "HUBSPOT_API_KEY",
        _assign("hubspot", _UUID) + _A,
        ("hubspot",),
        0.8,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.messagebird",
        "MESSAGEBIRD_API_KEY",
        _assign(r"message[-_.]?bird", _UUID + "|[A-Za-z0-9]{25}") + _A,
        ("bird",),
        0.8,
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.sumologic",
        "SUMOLOGIC_KEY",
        _assign(r"sumo(?:logic)?(?![a-z])", r"su[A-Za-z0-9]{12}|[A-Za-z0-9]{64}") + _A,
        ("sumo",),
        0.8,
        min_entropy=3.3,
        classes="ul",
        check=_ident_is_not_vendor_secret,
    ),
    Rule(
        "secrets.maxmind",
        "MAXMIND_LICENSE_KEY",
        _B + r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk" + _A,
        ("_mmk",),
        0.9,
    ),
    Rule(
        "secrets.intra42",
        "INTRA42_CLIENT_SECRET",
        _B + r"s-s4t2(?:ud|af)-[a-f0-9]{64}" + _A,
        ("s-s4t2",),
        0.9,
    ),
    Rule(
        "secrets.bundler",
        "BUNDLER_CREDENTIALS",
        r"(?<![A-Za-z0-9_])BUNDLE_[A-Z0-9_]+__[A-Z0-9]+" + _OP + r"(?P<value>[\w.~-]+:[\w.~-]+)" + _A,
        ("bundle_",),
        0.85,
        min_entropy=2.0,
    ),
    # --- tokens and keys without a vendor --------------------------------------------------------
    Rule(
        "secrets.jwt",
        "JWT",
        _B + r"ey[A-Za-z0-9_-]{10,}={0,2}\.ey[A-Za-z0-9_-]{10,}={0,2}\.(?:[A-Za-z0-9_-]{10,}={0,2})?"
        r"(?![A-Za-z0-9_=-]|\.[A-Za-z0-9_-])",
        ("ey",),
        0.85,
    ),
    Rule(
        "secrets.private_key",
        "PRIVATE_KEY",
        r"-----BEGIN (?P<kind>[A-Z0-9 ]{0,20})PRIVATE KEY(?: BLOCK)?-----"
        r"(?P<body>(?:(?!-----)[\s\S]){0,20000})"
        r"-----END (?P=kind)PRIVATE KEY(?: BLOCK)?-----",
        ("private key",),
        0.99,
        min_entropy=0.0,
        check=_private_key_fails,
    ),
    Rule(
        "secrets.url_credentials",
        "BASIC_AUTH_CREDENTIALS",
        r"(?i:\b(?:https?|ftps?|sftp|smtps?|ldaps?|ssh|git|svn|wss?)://)"
        r"(?P<value>(?P<user>[\w.~%+-]{1,64}):(?P<password>[^\s:@/'\"<>{}\[\]]{1,128})@[\w.-]+)",
        ("://",),
        1.0,
        min_entropy=1.5,
        check=_url_credentials_fail,
    ),
    Rule(
        "secrets.connection_string",
        "CONNECTION_STRING",
        r"(?i:\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|"
        r"jdbc:[a-z]+|clickhouse|cockroachdb|couchdb|neo4j(?:\+s)?|bolt|nats|kafka)://)"
        r"(?P<value>(?P<user>[\w.~%+-]{0,64}):(?P<password>[^\s:@/'\"<>{}\[\]]{1,128})@[\w.-]+)",
        ("://",),
        1.0,
        min_entropy=1.5,
        check=_url_credentials_fail,
    ),
    Rule(
        "secrets.curl",
        "BASIC_AUTH_CREDENTIALS",
        r"(?:(?<=\s)|^)(?:-u|--user)[ \t]+"
        r"(?P<value>\"[^\"\s]*\"(?::\"[^\"\s]*\")?|'[^'\s]*'|[^\s'\"]+(?:'[^'\s]*')?)",
        ("curl",),
        0.85,
        min_entropy=0.0,
        check=_curl_user_fails,
        flags=re.M,
        locate=_curl_secret_span,
    ),
    Rule(
        "secrets.http_basic",
        "BASIC_AUTH_CREDENTIALS",
        r"(?i:\b(?:proxy-)?authorization[ \t]*:[ \t]*basic[ \t]+)"
        r"(?P<value>[A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])",
        ("authorization",),
        0.85,
        min_entropy=0.0,
        check=_basic_fails,
    ),
    Rule(
        "secrets.http_header",
        "SECRET",
        r"(?i:(?:(?<=[\s\"'])|^)(?:" + _HEADER_NAMES + r")[ \t]*:[ \t]*"
        r"(?:(?:bearer|token|api-token|apikey|key|sso-key|digest)[ \t]+)?)(?P<value>[^\s'\"`,;()\\]{8,})",
        ("authorization", "key", "token"),
        0.8,
        min_entropy=2.5,
        check=_header_fails,
        flags=re.M,
    ),
    Rule(
        "secrets.password",
        "PASSWORD",
        r"(?P<ident>" + _IDENT + r")" + _OP + r"(?P<value>[^\s'\"`,;()<>\\]{6,128})(?=['\"`]|\\\"|[\s,;)]|$)",
        ("pass", "pwd"),
        0.75,
        min_entropy=2.0,
        check=_password_assign_fails,
        flags=re.M,
    ),
    Rule(
        "secrets.generic",
        "SECRET",
        r"(?P<ident>" + _IDENT + r")" + _OP + r"(?P<value>[\w+/=~.-]{10,200})(?![\w+/=~.#*-])",
        ("token", "secret", "key", "auth", "credential"),
        0.75,
        min_entropy=3.0,
        check=_generic_fails,
    ),
)


_VENDOR_PREFIXES = (
    *tuple(sorted({k for r in RULES for k in r.keywords if len(k) >= 3 and k[-1] in "_-." and k != "api-"})),
    "xox",
)


class KeywordIndex:
    """Which rule keywords occur in a segment, computed once per segment and shared by the detectors.

    The cache is keyed by the block text's (salted, per-process) hash and length and the segment's
    offsets, and holds no text: raw text must not outlive the classification of its chat. Python
    keeps a string's hash once computed, so a hit costs neither a slice of the segment nor a pass
    over its characters. It holds a few thousand segments: the detectors run one after another over
    every segment of a chat, so a smaller cache would be emptied by a long chat before the next
    detector reads its first segment again.
    """

    MAX_CACHED = 4096

    def __init__(self, keywords: Iterable[str]) -> None:
        self._keywords = tuple(sorted(set(keywords)))
        self._cache: OrderedDict[tuple[int, int, int, int], frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()

    def present(self, segment: Segment) -> frozenset[str]:
        """The keywords found (case-insensitively) in ``segment``'s text."""
        block = segment.source.text
        key = (hash(block), len(block), segment.start, segment.end)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        lowered = segment.text.lower()
        found = frozenset(k for k in self._keywords if k in lowered)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self.MAX_CACHED:
                self._cache.popitem(last=False)
        return found


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    regex: re.Pattern[str]
    context: re.Pattern[str] | None


class RuleDetector(RegexDetector):
    """The rules of one detector id (one entity); ``secret_rule_detectors`` makes one subclass per id."""

    rules: tuple[Rule, ...] = ()

    def __init__(self, index: KeywordIndex) -> None:
        super().__init__()
        self._index = index
        self._compiled = tuple(
            _Compiled(r, re.compile(r.pattern, r.flags), _context_words(r.context)) for r in self.rules
        )
        self._keywords = frozenset(k for r in self.rules for k in r.keywords)

    def detect(self, segment: Segment) -> list[Detection]:
        """Every accepted match of the rules whose keywords occur in ``segment``."""
        present = self._index.present(segment)
        if present.isdisjoint(self._keywords):
            return []  # no rule of this detector runs: the segment's text is not even sliced
        text = segment.text
        found: dict[tuple[int, int], float] = {}
        for compiled in self._compiled:
            rule = compiled.rule
            if not present.intersection(rule.keywords):
                continue
            has_value = "value" in compiled.regex.groupindex
            pos = 0
            while (match := compiled.regex.search(text, pos)) is not None:
                score = self._score(compiled, text, match)
                if score is None:
                    # A rejected match must not hide one inside it (``"note": "password = …"``):
                    # search again from its value (or its next character).
                    value_start = match.start("value") if has_value else -1
                    pos = value_start if value_start > match.start() else match.start() + 1
                    continue
                pos = max(match.end(), match.start() + 1)
                if rule.locate is not None:
                    span = rule.locate(match)
                else:
                    span = match.span("value") if has_value else match.span()
                if span[1] > span[0] and score > found.get(span, -1.0):
                    found[span] = score
        return [
            Detection(
                self.entity, self.category, self.id, segment.start + s, segment.start + e, min(score, 1.0)
            )
            for (s, e), score in sorted(found.items())
        ]

    def _score(self, compiled: _Compiled, text: str, match: re.Match[str]) -> float | None:
        rule = compiled.rule
        value = match.group("value") if "value" in match.re.groupindex else match.group()
        if is_placeholder(value) or is_low_quality(value, min_entropy=rule.min_entropy):
            return None
        if not _has_classes(value, rule.classes):
            return None
        score = rule.score
        if rule.check is not None and rule.check(match):
            if rule.fail_score is None:
                return None
            score = rule.fail_score
        if compiled.context is not None:
            start = match.start("value") if "value" in match.re.groupindex else match.start()
            if compiled.context.search(text, max(0, start - self.context_window), start):
                score += rule.context_boost
        return score


def _context_words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Context words as case-insensitive substrings (``apiKey`` holds ``key``), None when there are none."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


_CLASS_PATTERNS = {"u": re.compile(r"[A-Z]"), "l": re.compile(r"[a-z]"), "d": re.compile(r"\d")}


def _has_classes(value: str, classes: str) -> bool:
    return all(_CLASS_PATTERNS[c].search(value) for c in classes)


def _class_name(detector_id: str) -> str:
    return "".join(part.title() for part in re.split(r"[._]", detector_id)) + "Detector"


def detector_classes(rules: tuple[Rule, ...] = RULES) -> list[type[RuleDetector]]:
    """One ``RuleDetector`` subclass per detector id, in table order (an id has exactly one entity)."""
    grouped: dict[str, list[Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule.id, []).append(rule)
    classes: list[type[RuleDetector]] = []
    for detector_id, group in grouped.items():
        if len({r.entity for r in group}) != 1:
            raise ValueError(f"detector {detector_id} must report one entity")
        attrs = {
            "id": detector_id,
            "entity": group[0].entity,
            "category": "secrets",
            "patterns": tuple(re.compile(r.pattern, r.flags) for r in group),
            "score": max(r.score for r in group),
            "rules": tuple(group),
        }
        classes.append(type(_class_name(detector_id), (RuleDetector,), attrs))
    return classes


def secret_rule_detectors() -> list[Detector]:
    """The vendor-key detectors, in priority order, sharing one keyword prefilter."""
    classes = detector_classes()
    index = KeywordIndex(k for cls in classes for r in cls.rules for k in r.keywords)
    return [cls(index) for cls in classes]
