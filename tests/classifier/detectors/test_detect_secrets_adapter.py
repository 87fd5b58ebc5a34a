"""``secrets.detect_secrets``: the adapter's configuration, offsets, entity mapping and limits."""

from __future__ import annotations

import threading

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.settings import get_settings, transient_settings

from classifier.detectors.detect_secrets_adapter import (
    MAX_LINE_CHARS,
    PLUGIN_NAMES,
    SECRET_TYPES,
    DetectSecretsDetector,
    settings_config,
)
from tests.classifier.helpers import detections, spans

DETECTOR = DetectSecretsDetector()

PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAx3v9Qm1Zk2mS8yq7fJvXhT0bLrPqW4nE5cD6aB7sT8uV9wXy\n"
    "Z1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s0T1u2V3w4X5y6Z7a8B9c0D1e2\n"
    "-----END RSA PRIVATE KEY-----"
)
PEM_NO_END = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n"
    "AAAAMwAAAAtzc2gtZWQyNTUxOQAAACBqVe4n0qZ5DgY7Zb2vJbKjJ"
)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
GH = "ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8"
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
OPENAI = "sk-proj-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst"
NPM = "npm_abcdefghijklmnopqrstuvwxyz0123456789"
PASSWORD = "password = 'hunter2isgreat'"

POSITIVES = [
    # (case, text, entity, the exact value its span must cover)
    ("aws key id", "aws_access_key_id = AKIAZ7QX4MNB2VRT6KLP", "AWS_ACCESS_KEY", "AKIAZ7QX4MNB2VRT6KLP"),
    ("aws key in prose", "the key AKIAZ7QX4MNB2VRT6KLP leaked", "AWS_ACCESS_KEY", "AKIAZ7QX4MNB2VRT6KLP"),
    ("aws temporary key", "ASIAZ7QX4MNB2VRT6KLP", "AWS_ACCESS_KEY", "ASIAZ7QX4MNB2VRT6KLP"),
    (
        "aws secret key",
        "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEYzzKEY1'",
        "AWS_SECRET_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEYzzKEY1",
    ),
    ("github fragment extended", f"export GH_TOKEN={GH}", "GITHUB_TOKEN", GH),
    ("jwt with signature", f"Authorization: Bearer {JWT}.", "JWT", JWT),
    ("slack", f"token {SLACK}", "SLACK_TOKEN", SLACK),
    ("stripe", STRIPE, "STRIPE_KEY", STRIPE),
    ("openai", f"OPENAI_API_KEY={OPENAI}", "OPENAI_API_KEY", OPENAI),
    ("npm, trailing words trimmed", f"//registry.npmjs.org/:_authToken={NPM} is mine", "NPM_TOKEN", NPM),
    ("basic auth", "url https://deploy:s3cretpass@example.com/x", "BASIC_AUTH_CREDENTIALS", "s3cretpass"),
    ("password keyword", PASSWORD, "PASSWORD", "hunter2isgreat"),
    (
        "allowlist pragma does not hide",
        f"{PASSWORD}  # pragma: allowlist secret",
        "PASSWORD",
        "hunter2isgreat",
    ),
    ("private key block", f"deploy key:\n{PEM}\nthanks", "PRIVATE_KEY", PEM),
    ("private key without end", f"{PEM_NO_END}\n\nbye", "PRIVATE_KEY", PEM_NO_END),
]

NEGATIVES = [
    ("aws docs example", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
    ("aws docs secret", "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'"),
    ("prose", "The quick brown fox jumps over the lazy dog, twice."),
    ("long words", "Supercalifragilisticexpialidocious antidisestablishmentarianism"),
    ("uuid", "request 123e4567-e89b-12d3-a456-426614174000 failed"),
    ("not a github token", "deploy to ghpages from ghp_short"),
    ("templated password", 'password = "<your-password>"'),
    ("env reference", 'password = "${DB_PASSWORD}"'),
    ("indirect reference", "password = get_secret('db')"),
]


@pytest.mark.parametrize(("case", "text", "entity", "value"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_secrets_with_exact_spans(case: str, text: str, entity: str, value: str) -> None:
    found = spans(DETECTOR, text, prefix="earlier line\n")
    assert (entity, value) in found, found


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    assert [d for d in detections(DETECTOR, text) if d.score >= 0.5] == []


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ],
)
def test_random_hex_is_not_a_key(text: str) -> None:
    hits = detections(DETECTOR, text)
    assert {d.entity for d in hits} <= {"HIGH_ENTROPY_STRING"}
    assert all(d.score < 0.5 for d in hits)


def test_high_entropy_after_a_secret_word_scores_above_threshold() -> None:
    (hit,) = detections(DETECTOR, "api key 3f786850e387550fdab836ed7e6dc881de23001b")
    assert (hit.entity, hit.score) == ("HIGH_ENTROPY_STRING", pytest.approx(0.7))


def test_entropy_limit_is_applied_to_ad_hoc_candidates() -> None:
    # In ad-hoc mode detect-secrets returns every word as a candidate; the limit must drop them.
    assert detections(DETECTOR, "token abcdefgh and more plain words here") == []
    (hit,) = detections(DETECTOR, "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=")
    assert hit.entity == "HIGH_ENTROPY_STRING"


def test_every_configured_plugin_exists_and_is_mapped() -> None:
    available = {cls.__name__: cls for cls in get_mapping_from_secret_type_to_class().values()}
    for name in PLUGIN_NAMES:
        assert name in available, name
        assert getattr(available[name], "secret_type", None) in SECRET_TYPES, name
    plugins = {p["name"]: p for p in settings_config()["plugins_used"]}
    assert plugins["Base64HighEntropyString"]["limit"] == 4.5
    assert plugins["HexHighEntropyString"]["limit"] == 3.0
    paths = [f["path"] for f in settings_config()["filters_used"]]
    assert not any("allowlist" in p or "verification" in p for p in paths)


def test_process_global_settings_are_restored_after_a_scan() -> None:
    before = get_settings().json()
    assert detections(DETECTOR, "AKIAZ7QX4MNB2VRT6KLP")
    assert get_settings().json() == before
    # Someone else's transient settings in the same process do not break the next scan.
    with transient_settings({"plugins_used": [{"name": "StripeDetector"}]}):
        pass
    assert detections(DETECTOR, "AKIAZ7QX4MNB2VRT6KLP")


def test_concurrent_scans_give_the_sequential_results() -> None:
    texts = [f"key AKIAZ7QX4MNB2VRT6KL{c} and {GH}" for c in "PQRSTUVW"]
    expected = [sorted(spans(DETECTOR, t)) for t in texts]
    results: dict[int, list[tuple[str, str]]] = {}

    def work(i: int) -> None:
        results[i] = sorted(spans(DETECTOR, texts[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [results.get(i) for i in range(len(texts))] == expected


def test_a_token_in_a_very_long_line_is_found_at_its_offset() -> None:
    filler = "lorem ipsum dolor sit amet " * (3 * MAX_LINE_CHARS // 27)
    text = filler + GH + " " + filler
    found = spans(DETECTOR, text)
    assert ("GITHUB_TOKEN", GH) in found


def test_offsets_are_into_the_block() -> None:
    segment_prefix = "x" * 50 + "\n"
    found = spans(DETECTOR, "AKIAZ7QX4MNB2VRT6KLP", prefix=segment_prefix)
    assert found == [("AWS_ACCESS_KEY", "AKIAZ7QX4MNB2VRT6KLP")]
