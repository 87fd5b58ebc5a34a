"""``secrets.<vendor>``: the rule table, per family: exact spans of positives and hard negatives."""

from __future__ import annotations

import zlib

import pytest

from classifier.detectors.secret_rules import (
    RULES,
    KeywordIndex,
    components,
    crc32_base62_ok,
    detector_classes,
    names_secret,
    secret_rule_detectors,
)
from classifier.types import Detection
from tests.classifier.helpers import whole

DETECTORS = secret_rule_detectors()
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def checksummed(prefix: str, body30: str) -> str:
    """A GitHub/npm-style token: 30 characters and the base62 CRC32 of them, 6 characters wide."""
    crc, digits = zlib.crc32(body30.encode()), ""
    while crc:
        crc, rest = divmod(crc, 62)
        digits = ALPHABET[rest] + digits
    return prefix + body30 + digits.rjust(6, "0")


GH = checksummed("ghp_", "R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0e")
NPM = checksummed("npm_", "Zp2uG8R8fK2mQ9xL4vT7nB3cW6yH1j")
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAx3v9Qm1Zk2mS8yq7fJvXhT0bLrPqW4nE5cD6aB7sT8uV9wXy\n"
    "-----END RSA PRIVATE KEY-----"
)
SLACK_BOT = "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1"
OPENAI = "sk-proj-Ab3dEf6hIj9kLm2nOp5qT3BlbkFJQr8sTu1vWx4yZa7bCd0e"

POSITIVES = [
    # (case, text, detector id, entity, the exact reported value)
    (
        "aws key id",
        "aws_access_key_id = AKIAZ7QX4MNB2VRT6KLP",
        "secrets.aws",
        "AWS_ACCESS_KEY",
        "AKIAZ7QX4MNB2VRT6KLP",
    ),
    (
        "aws key json escape",
        r'"a\nASIAZ7QX4MNB2VRT6KLP"',
        "secrets.aws",
        "AWS_ACCESS_KEY",
        "ASIAZ7QX4MNB2VRT6KLP",
    ),
    (
        "aws secret",
        "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEYzzKEY1'",
        "secrets.aws_secret",
        "AWS_SECRET_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEYzzKEY1",
    ),
    ("github checksum", f"export GH_TOKEN={GH}", "secrets.github", "GITHUB_TOKEN", GH),
    ("npm checksum", f"//registry.npmjs.org/:_authToken={NPM} is mine", "secrets.npm", "NPM_TOKEN", NPM),
    (
        "gitlab pat",
        "glpat-a1B2c3D4e5F6g7H8i9J0",
        "secrets.gitlab",
        "GITLAB_TOKEN",
        "glpat-a1B2c3D4e5F6g7H8i9J0",
    ),
    ("slack bot", f'"bot": "{SLACK_BOT}"', "secrets.slack", "SLACK_TOKEN", SLACK_BOT),
    (
        "slack webhook",
        "https://hooks.slack.com/services/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",
        "secrets.slack_webhook",
        "SLACK_WEBHOOK_URL",
        "https://hooks.slack.com/services/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",
    ),
    (
        "stripe",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "secrets.stripe",
        "STRIPE_KEY",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ),
    ("openai", f"OPENAI_API_KEY={OPENAI}", "secrets.openai", "OPENAI_API_KEY", OPENAI),
    (
        "huggingface",
        "login --token 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",
        "secrets.huggingface",
        "HUGGINGFACE_TOKEN",
        "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",
    ),
    (
        "azure ad secret",
        "client_secret=bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR",
        "secrets.azure_ad",
        "AZURE_CLIENT_SECRET",
        "bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR",
    ),
    (
        "google key with context",
        'apiKey: "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-"',
        "secrets.gcp_api_key",
        "GOOGLE_API_KEY",
        "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-",
    ),
    (
        "vault legacy",
        "token: s.ZC9Ecf4M5g9o34Q6RkzGsj0z",
        "secrets.vault",
        "VAULT_TOKEN",
        "s.ZC9Ecf4M5g9o34Q6RkzGsj0z",
    ),
    (
        "snyk by name",
        'SNYK_TOKEN = "3f1c9a2e-7b4d-4e8a-9c6f-2d5b8e1a7c3f"',
        "secrets.snyk",
        "SNYK_TOKEN",
        "3f1c9a2e-7b4d-4e8a-9c6f-2d5b8e1a7c3f",
    ),
    ("jwt", f"Authorization: Bearer {JWT}.", "secrets.jwt", "JWT", JWT),
    ("private key", f"key:\n{PEM}\nthanks", "secrets.private_key", "PRIVATE_KEY", PEM),
    (
        "url credentials",
        "https://deploy:s3cr3tPass@example.com/x",
        "secrets.url_credentials",
        "BASIC_AUTH_CREDENTIALS",
        "deploy:s3cr3tPass@example.com",
    ),
    (
        "postgres url",
        "DATABASE_URL=postgres://app:Xk29vLq8@db.internal:5432/app",
        "secrets.connection_string",
        "CONNECTION_STRING",
        "app:Xk29vLq8@db.internal",
    ),
    (
        "curl -u",
        "curl -u elastic:P@ssw0rd$1 https://localhost:9200",
        "secrets.curl",
        "BASIC_AUTH_CREDENTIALS",
        "P@ssw0rd$1",
    ),
    (
        "curl -u empty password",
        'curl -u "d2LkV78zLx!t:" https://x',
        "secrets.curl",
        "BASIC_AUTH_CREDENTIALS",
        "d2LkV78zLx!t",
    ),
    (
        "basic header",
        "-H 'Authorization: Basic YnJvd3Nlcjo='",
        "secrets.http_basic",
        "BASIC_AUTH_CREDENTIALS",
        "YnJvd3Nlcjo=",
    ),
    (
        "bearer header",
        '-H "Authorization: Bearer cfcabd11c7ed9a41b1a3e063c32d5114"',
        "secrets.http_header",
        "SECRET",
        "cfcabd11c7ed9a41b1a3e063c32d5114",
    ),
    (
        "password assignment",
        "db_password = 'hunter2isgreat'",
        "secrets.password",
        "PASSWORD",
        "hunter2isgreat",
    ),
    (
        "generic token",
        'genericToken = "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"',
        "secrets.generic",
        "SECRET",
        "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
    ),
    (
        "generic function argument",
        'GetEnvOrDefault("api_token", "dafa7817-e246-48f3-91a7-e87653d587b8")',
        "secrets.generic",
        "SECRET",
        "dafa7817-e246-48f3-91a7-e87653d587b8",
    ),
]

NEGATIVES = [
    # (case, text): no detector of the table reports anything at or above 0.5
    ("aws docs example", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
    ("aws placeholder", "key = AKIAXXXXXXXXXXXXXXXX"),
    ("aws inside a word", "TODAYINASIAASACKOFRICEFELLOVER"),
    ("aws lookalike dna", "AGGGGACTTCAGCAACCGTCGGGAAGGA ACCAGGGGGCGCATGTTACATTGAC"),
    ("github placeholder", "ghp_" + "x" * 36),
    ("gitlab placeholder", "glpat-XXXXXXXXXXX-XXXXXXXX"),
    ("gitlab runner registration all digits", "GR134894112312312312312312312"),
    ("slack too few digits", "xoxb-12345-abcd234"),
    ("slack config placeholder", "xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere"),
    ("slack hashes", '"token4": "xoxp-572370529330-573807301142-572331691188-####################"'),
    ("slack short groups", '"token3": "xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"'),
    ("bare google key", "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY"),
    ("google key alphabet", "AIzaSyabcdefghijklmnopqrstuvwxyz1234567"),
    ("azure tildes", "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"),
    ("hf identifier", "- (id)hf_requiredCharacteristicTypesForDisplayMetadata;"),
    ("hf placeholder", 'os.environ.get("HF_AUTH_TOKEN", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")'),
    ("vault all caps", "s.THISSTRINGISALLUPPERCASE"),
    ("vault identifier", "s.AcceptanceTimeoutSeconds "),
    ("notion digits", "ntn_123456789012345678901234567890123456789012345678901234567890"),
    ("octopus in a path", "https://fog-ringer-f42.notion.site/API-BD80F56CDC1441E6BF6011AB6D852875"),
    ("infracost in a file name", "media_box.ico-7a388b69018576d24b59331fd60aab0c.png"),
    ("okta word inside", "rookTable = 0023452Lllk2KqjLBvaxANWEgTd7bqjsxjo8aZj0wd"),
    (
        "sumologic lookalike name",
        "sumOfExposures = 3Kof2VffNQ0QgYIhXUPJosVlCaQKm2hfpWE6F1fT9YGY74blQBIPsrkCcf1TwKE5;",
    ),
    ("empty private key", "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----"),
    ("url with template", "postgres://${DB_USER}:${DB_PASS}@db:5432/app"),
    ("url docs password", "https://user:password@example.com"),
    ("curl test:test", "curl -i -u 'test:test'"),
    ("curl variables", 'curl -u "${username}":"${password}"'),
    ("curl username:password", '   curl -X GET --insecure --user "username:password" \\'),
    ("curl braces placeholder", "curl -u {user}:{password} https://x"),
    ("header variable", 'curl -H "Authorization: Bearer $API_KEY"'),
    ("header stars", 'curl -H "Authorization: Token **********"'),
    ("basic header of json", 'curl -H "Authorization: Basic eyJhbGciOiJIUzI1NiJ9"'),
    ("password template", 'password = "<your-password>"'),
    ("password variable", 'password = "${DB_PASSWORD}"'),
    ("password word", "PuttyPassword=0"),
    ("generic id", "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'"),
    ("generic public key", 'public_key = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"'),
    ("generic version", "MantleAPI_version=9a038989604e8da62ecddbe2094b16ce1b778be1"),
    ("generic name", 'LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"'),
    ("generic constant", "access_token=ACCESS_TOKEN"),
    ("generic alphabet", 'const validKeyChars = "0123456789abcdefghijklmnopqrstuvwxyz_-."'),
    ("generic url", "    access_token_url='https://github.com/login/oauth/access_token',"),
    (
        "generic csrf",
        "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==",
    ),
    ("generic next line", "GITHUB_API_KEY=\nDYNATRACE_API_KEY="),
    ("generic version value", 'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"'),
    ("generic sequential", '"token1": "xoxp-1234567890"'),
    ("prose", "I forgot my password again, can you reset it? My card was declined at the store."),
]


def found(text: str) -> list[Detection]:
    segment = whole(text, prefix="earlier\n")
    return [d for detector in DETECTORS for d in detector.detect(segment)]


@pytest.mark.parametrize(
    ("case", "text", "detector", "entity", "value"), POSITIVES, ids=[p[0] for p in POSITIVES]
)
def test_finds_secrets_with_exact_spans(case: str, text: str, detector: str, entity: str, value: str) -> None:
    source = "earlier\n" + text
    hits = [(d.detector, d.entity, source[d.start : d.end]) for d in found(text) if d.score >= 0.5]
    assert (detector, entity, value) in hits, hits
    for d in found(text):
        assert d.category == "secrets"


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    source = "earlier\n" + text
    assert [(d.detector, source[d.start : d.end]) for d in found(text) if d.score >= 0.5] == []


def test_checksum_sets_the_score() -> None:
    (good,) = [d for d in found(GH) if d.detector == "secrets.github"]
    bad_token = GH[:-1] + ("A" if GH[-1] != "A" else "B")
    (bad,) = [d for d in found(bad_token) if d.detector == "secrets.github"]
    assert (good.score, bad.score) == (0.99, 0.75)
    assert crc32_base62_ok(GH) and not crc32_base62_ok(bad_token)


def test_bare_google_key_is_below_threshold_and_context_raises_it() -> None:
    key = "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-"
    assert [d.score for d in found(key)] == [0.45]
    assert [d.score for d in found(f"google maps key {key}")] == [pytest.approx(0.7)]


def test_detectors_have_unique_ids_one_entity_and_the_secrets_prefix() -> None:
    ids = [d.id for d in DETECTORS]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("secrets.") for i in ids)
    assert "secrets.aws" in ids and ids.index("secrets.generic") == len(ids) - 1  # generic last
    for cls in detector_classes():
        assert len({r.entity for r in cls.rules}) == 1
        assert all(r.entity.isupper() for r in cls.rules)


def test_every_rule_has_lowercase_keywords() -> None:
    for rule in RULES:
        assert rule.keywords, rule.id
        assert all(k == k.lower() for k in rule.keywords), rule.id


def test_prefilter_skips_rules_whose_keywords_are_absent() -> None:
    index = KeywordIndex(["ghp_", "xox"])
    segment = whole("nothing to see here, only XOX in capitals")
    assert index.present(segment) == frozenset({"xox"})
    assert index.present(segment) is index.present(segment)  # cached per segment


def test_a_segment_without_keywords_finds_nothing() -> None:
    assert found("The weather is nice today and the bank opens at nine.") == []


@pytest.mark.parametrize(
    ("identifier", "secret"),
    [
        ("api_token", True),
        ("clientSecret", True),
        ("AUTH_CLIENTSECRET", True),
        ("user_auth", True),
        ("access_token_url", False),
        ("credentialsId", False),
        ("publicToken", False),
        ("key_name", False),
        ("accessor", False),
    ],
)
def test_names_secret(identifier: str, secret: bool) -> None:
    assert names_secret(identifier) is secret


def test_components_split_camel_snake_and_dots() -> None:
    assert components("sumologic.accessId_V2") == ["sumologic", "access", "id", "v", "2"]


def test_the_keyword_cache_keeps_no_text() -> None:
    index = KeywordIndex(["akia", "ghp_"])
    canary = "cnry" + "7" * 20
    segment = whole(f"key AKIA then {canary}", "prose")
    assert index.present(segment) == frozenset({"akia"})
    assert index.present(segment) == frozenset({"akia"})  # served from the cache
    held = repr(index._cache)
    assert canary not in held and "AKIA" not in held


def test_the_keyword_cache_tells_segments_of_one_block_apart() -> None:
    from classifier.types import Segment

    index = KeywordIndex(["akia", "ghp_"])
    source = whole("AKIA first half | ghp_ second half").source
    first, second = Segment(source, "prose", 0, 15), Segment(source, "prose", 16, len(source.text))
    assert index.present(first) == frozenset({"akia"})
    assert index.present(second) == frozenset({"ghp_"})
    assert index.present(first) == frozenset({"akia"})
