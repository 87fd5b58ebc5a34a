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
URL = "https://deploy:s3cretpass@example.com/x"
AZURE = (
    "AccountKey="
    + "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OWFiY2RlZmc0aGk="
)

POSITIVES = [
    # (case, text, entity, the exact value its span must cover)
    ("basic auth", f"url {URL}", "BASIC_AUTH_CREDENTIALS", "s3cretpass"),
    ("private key block", f"deploy key:\n{PEM}\nthanks", "PRIVATE_KEY", PEM),
    ("private key without end", f"{PEM_NO_END}\n\nbye", "PRIVATE_KEY", PEM_NO_END),
]

NEGATIVES = [
    ("prose", "The quick brown fox jumps over the lazy dog, twice."),
    ("long words", "Supercalifragilisticexpialidocious antidisestablishmentarianism"),
    ("uuid", "request 123e4567-e89b-12d3-a456-426614174000 failed"),
    # Formats now owned by ``secret_rules``: the adapter no longer reports them (changed in issue 4).
    ("aws key id", "aws_access_key_id = AKIAZ7QX4MNB2VRT6KLP"),
    ("github placeholder", "ghp_" + "x" * 36),
    ("password keyword", "password = 'hunter2isgreat'"),
    ("random hex", "api key 3f786850e387550fdab836ed7e6dc881de23001b"),
    ("base64 blob", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A="),
    ("empty key block", "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----"),
    ("key markers only", "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----"),
]


@pytest.mark.parametrize(("case", "text", "entity", "value"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_secrets_with_exact_spans(case: str, text: str, entity: str, value: str) -> None:
    found = spans(DETECTOR, text, prefix="earlier line\n")
    assert (entity, value) in found, found


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    assert [d for d in detections(DETECTOR, text) if d.score >= 0.5] == []


def test_every_configured_plugin_exists_and_is_mapped() -> None:
    available = {cls.__name__: cls for cls in get_mapping_from_secret_type_to_class().values()}
    for name in PLUGIN_NAMES:
        assert name in available, name
        assert getattr(available[name], "secret_type", None) in SECRET_TYPES, name
    plugins = {p["name"] for p in settings_config()["plugins_used"]}
    assert "PrivateKeyDetector" in plugins
    # Owned by secret_rules (fewer false positives) or too noisy in chats: not configured.
    assert not plugins & {"AWSKeyDetector", "KeywordDetector", "Base64HighEntropyString", "SlackDetector"}
    paths = [f["path"] for f in settings_config()["filters_used"]]
    assert not any("allowlist" in p or "verification" in p for p in paths)


def test_process_global_settings_are_restored_after_a_scan() -> None:
    before = get_settings().json()
    assert detections(DETECTOR, URL)
    assert get_settings().json() == before
    # Someone else's transient settings in the same process do not break the next scan.
    with transient_settings({"plugins_used": [{"name": "StripeDetector"}]}):
        pass
    assert detections(DETECTOR, URL)


def test_concurrent_scans_give_the_sequential_results() -> None:
    texts = [f"url https://u{c}:s3cret{c}pass@example.com and\n{PEM}" for c in "PQRSTUVW"]
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
    text = filler + URL + " " + filler
    found = spans(DETECTOR, text)
    assert ("BASIC_AUTH_CREDENTIALS", "s3cretpass") in found


def test_offsets_are_into_the_block() -> None:
    segment_prefix = "x" * 50 + "\n"
    found = spans(DETECTOR, URL, prefix=segment_prefix)
    assert found == [("BASIC_AUTH_CREDENTIALS", "s3cretpass")]


def test_lines_no_plugin_regex_matches_are_not_scanned() -> None:
    # The shortcut needs every configured plugin to find secrets only through its regexes.
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import get_plugins

    from classifier.detectors.detect_secrets_adapter import plugin_regexes

    lines = [
        "plain words, numbers 12 and 345, a url https://example.com/a",
        "db = 'postgres://admin:s3cr3tP4ssw0rd@db.internal:5432/app'",
        "-----BEGIN RSA PRIVATE KEY-----",
        "token 1234567890:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789a",
    ]
    with transient_settings(settings_config()):
        regexes = plugin_regexes(get_plugins())
        assert regexes is not None
        for line in lines:
            reported = list(scan_line(line))
            if not any(pattern.search(line) for pattern in regexes):
                assert reported == [], line
        assert any(list(scan_line(line)) for line in lines)


def test_a_plugin_with_its_own_line_analysis_turns_the_shortcut_off() -> None:
    from detect_secrets.plugins.keyword import KeywordDetector

    from classifier.detectors.detect_secrets_adapter import plugin_regexes

    assert plugin_regexes([KeywordDetector()]) is None
    assert plugin_regexes([object()]) is None
