"""Evidence: the masked value, at most 20 raw characters each side, other detections masked too."""

from __future__ import annotations

import random
import string

import pytest

from classifier.evidence import build_evidence, mask_label
from tests.classifier.helpers import raw_runs


def around(text: str, value: str, entity: str, others: list[tuple[int, int, str]] | None = None) -> str:
    start = text.index(value)
    return build_evidence(text, (start, start + len(value)), entity, others or [])


@pytest.mark.parametrize(
    ("entity", "value", "label"),
    [
        ("CREDIT_CARD", "4111 1111 1111 1234", "[CREDIT_CARD:…1234]"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "[IBAN_CODE:DE…3000]"),
        ("AWS_ACCESS_KEY", "AKIAZ7QX4MNB2VRT6K6Q", "[AWS_ACCESS_KEY:AKIA…6Q]"),
        ("GITHUB_TOKEN", "ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8", "[GITHUB_TOKEN:ghp_…G8]"),
        ("ANTHROPIC_API_KEY", "sk-ant-api03-" + "a" * 30 + "Zz", "[ANTHROPIC_API_KEY:sk-a…Zz]"),
        ("STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[STRIPE_KEY:sk_l…dc]"),
        ("SLACK_TOKEN", "xoxb-short", "[SLACK_TOKEN]"),  # too short for any hint
        ("PASSWORD", "hunter2isgreat-and-long", "[PASSWORD]"),
        ("AWS_SECRET_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKEYzzKEY1", "[AWS_SECRET_KEY]"),
        (
            "PRIVATE_KEY",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "[PRIVATE_KEY]",
        ),
        ("EMAIL_ADDRESS", "dana@example.com", "[EMAIL_ADDRESS]"),
        ("US_SSN", "536-22-4187", "[US_SSN]"),
        ("CREDIT_CARD", "12345", "[CREDIT_CARD]"),
        ("JWT", "eyJhbGciOiJIUzI1NiJ9.e30.x-", "[JWT:eyJ…]"),  # a non-alphanumeric tail is not shown
    ],
)
def test_mask_labels_show_only_the_documented_hint(entity: str, value: str, label: str) -> None:
    assert mask_label(entity, value) == label


def test_the_documented_example() -> None:
    text = "So the prod config has AKIAZ7QX4MNB2VRT6K6Q in it, please rotate"
    assert around(text, "AKIAZ7QX4MNB2VRT6K6Q", "AWS_ACCESS_KEY") == (
        "…the prod config has [AWS_ACCESS_KEY:AKIA…6Q] in it, please rotat…"
    )


def test_a_card_keeps_only_its_last_four_digits() -> None:
    evidence = around(
        "Charge the card 4539 1488 0343 6467 for the renewal.", "4539 1488 0343 6467", "CREDIT_CARD"
    )
    assert evidence == "Charge the card [CREDIT_CARD:…6467] for the renewal."
    for digits in ("4539", "1488", "0343"):
        assert digits not in evidence


def test_no_ellipsis_when_nothing_was_cut() -> None:
    assert around("key AKIAZ7QX4MNB2VRT6K6Q", "AKIAZ7QX4MNB2VRT6K6Q", "AWS_ACCESS_KEY") == (
        "key [AWS_ACCESS_KEY:AKIA…6Q]"
    )


def test_other_detections_in_the_window_are_masked_whole() -> None:
    text = "write to dana@example.com or call 415-555-0132 today, ok?"
    email = (text.index("dana"), text.index(" or"), "EMAIL_ADDRESS")
    evidence = around(text, "415-555-0132", "PHONE_NUMBER", [email])
    assert evidence == "…[EMAIL_ADDRESS] or call [PHONE_NUMBER] today, ok?"
    assert "dana" not in evidence and "example" not in evidence


def test_a_detection_straddling_the_window_edge_is_masked_whole() -> None:
    secret = "ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8"
    text = f"{secret} then a@b.co"
    other = (0, len(secret), "GITHUB_TOKEN")
    evidence = around(text, "a@b.co", "EMAIL_ADDRESS", [other])
    assert evidence == "[GITHUB_TOKEN] then [EMAIL_ADDRESS]"


def test_detections_outside_the_window_leave_no_mark() -> None:
    text = "x" * 60 + " value " + "y" * 60
    far = (0, 10, "PERSON")
    evidence = around(text, "value", "PASSWORD", [far])
    assert "[PERSON]" not in evidence


def test_an_overlapping_detection_is_folded_into_the_value_mask() -> None:
    text = "export GH_TOKEN=ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8 now"
    start = text.index("ghp_")
    wider = (text.index("GH_TOKEN"), len(text) - 4, "HIGH_ENTROPY_STRING")
    evidence = build_evidence(text, (start, len(text) - 4), "GITHUB_TOKEN", [wider])
    assert evidence == "export [GITHUB_TOKEN:ghp_…G8] now"


def test_newlines_and_control_characters_become_spaces() -> None:
    evidence = around(
        "line one\nkey:\tAKIAZ7QX4MNB2VRT6K6Q\r\n\x00end\u2028", "AKIAZ7QX4MNB2VRT6K6Q", "AWS_ACCESS_KEY"
    )
    assert evidence == "line one key: [AWS_ACCESS_KEY:AKIA…6Q]   end "


def test_a_bad_span_is_refused() -> None:
    with pytest.raises(ValueError, match="span"):
        build_evidence("abc", (2, 9), "PERSON")


def test_context_width_is_a_parameter() -> None:
    text = "0123456789 secret 0123456789"
    start = text.index("secret")
    assert build_evidence(text, (start, start + 6), "PASSWORD", context=3) == "…89 [PASSWORD] 01…"
    assert build_evidence(text, (start, start + 6), "PASSWORD", context=0) == "…[PASSWORD]…"


_ALPHABET = string.ascii_letters + string.digits + " .,:;-_@/\n\t"


def test_no_raw_run_longer_than_the_context_ever_appears() -> None:
    """A seeded random table: values and every other span stay masked, raw runs stay short."""
    rng = random.Random(20260301)
    for _ in range(500):
        context = rng.choice([0, 5, 20])
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 200)))
        spans = []
        for _ in range(rng.randint(1, 6)):
            start = rng.randrange(len(text))
            spans.append((start, min(len(text), start + rng.randint(1, 40))))
        main, others = spans[0], [(s, e, "OTHER") for s, e in spans[1:]]
        entity = rng.choice(["PASSWORD", "CREDIT_CARD", "AWS_ACCESS_KEY", "EMAIL_ADDRESS"])
        evidence = build_evidence(text, main, entity, others, context=context)
        runs = raw_runs(evidence)
        assert all(len(run) <= context for run in runs), (evidence, context)
        printable = "".join(ch if ch.isprintable() else " " for ch in text)
        assert all(run in printable for run in runs)
        value = text[main[0] : main[1]]
        if len(value) > 4:
            assert value not in evidence
        for s, e, _ in others:
            if e - s > 4 and s < main[1] + context and e > main[0] - context:
                assert text[s:e] not in evidence.replace("…", "")
