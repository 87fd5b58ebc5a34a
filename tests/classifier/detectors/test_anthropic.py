"""``secrets.anthropic`` and the shared placeholder rules."""

from __future__ import annotations

import pytest

from classifier.detectors.anthropic import AnthropicKeyDetector
from classifier.detectors.placeholders import is_placeholder
from tests.classifier.helpers import detections, spans

DETECTOR = AnthropicKeyDetector()
BODY = "Xq7Lm2Vb9Nc4Kd8Rf3Tg6Hy1Ju5Zw0Pe_-AbAA"
# api03/admin01 keys: 93 key characters then "AA" (changed in issue 4: was "at least 20").
KEY93 = (
    "Xq7Lm2Vb9Nc4Kd8Rf3Tg6Hy1Ju5Zw0Pe_-Ab" + "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8" + "Vb1Nm3Qa5Ws7Ed9Rf2Tg4Yh6Uj8Ik0"
)

POSITIVES = [
    ("api03", f"key: sk-ant-api03-{KEY93}AA", f"sk-ant-api03-{KEY93}AA"),
    ("admin01", f"ANTHROPIC_ADMIN_KEY=sk-ant-admin01-{KEY93}AA", f"sk-ant-admin01-{KEY93}AA"),
    ("oat01", f"'sk-ant-oat01-{BODY}'", f"sk-ant-oat01-{BODY}"),
    ("api01 exactly 20", "sk-ant-api01-" + "a1B2c3D4e5F6g7H8i9J0", "sk-ant-api01-" + "a1B2c3D4e5F6g7H8i9J0"),
    ("json escape", rf'"x\nsk-ant-api03-{KEY93}AA"', f"sk-ant-api03-{KEY93}AA"),
]

NEGATIVES = [
    ("19 characters", "sk-ant-api03-" + "a1B2c3D4e5F6g7H8i9J"),
    ("the simulator key", "sk-ant-api01-chatsift-simulator"),
    ("x placeholder", "sk-ant-api03-" + "x" * 40),
    ("template", "sk-ant-api03-<your-key-goes-here-12345678>"),
    ("example", "sk-ant-api03-EXAMPLEKEY0123456789abcdefghij"),
    ("glued prefix", f"xsk-ant-api03-{BODY}"),
    ("unknown family", f"sk-ant-foo03-{BODY}"),
    ("api03 too short", f"sk-ant-api03-{BODY}"),
    ("api03 without AA", f"sk-ant-api03-{KEY93}BB"),
    ("admin01 one short", f"sk-ant-admin01-{KEY93[1:]}AA"),
    ("openai key", "sk-proj-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst"),
]


@pytest.mark.parametrize(("case", "text", "key"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_anthropic_keys(case: str, text: str, key: str) -> None:
    assert spans(DETECTOR, text, prefix="a\n") == [("ANTHROPIC_API_KEY", key)]


@pytest.mark.parametrize(("case", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_rejects_hard_negatives(case: str, text: str) -> None:
    assert spans(DETECTOR, text) == []


def test_scores_high() -> None:
    (hit,) = detections(DETECTOR, f"sk-ant-api03-{KEY93}AA")
    assert (hit.score, hit.category, hit.detector) == (0.99, "secrets", "secrets.anthropic")


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
        ("sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXX", True),
        ("<your-key>", True),
        ("${API_TOKEN}", True),
        ("your_api_key", True),
        ("********", True),
        ("AKIAZ7QX4MNB2VRT6KLP", False),
        ("ghp_R8fK2mQ9xL4vT7nB3cW6yH1jD5sA0eZp2uG8", False),
        ("hunter2isgreat", False),
        ("ADD_YOUR_HUGGING_FACE_TOKEN_HERE", True),
        ("xoxp-5723-####################", True),
    ],
)
def test_placeholders(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder
