"""The detection policy: loading and validation, and its effect on a real classifier."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from classifier import Classifier, default_detectors, fingerprint
from classifier.errors import ClassifierConfigError
from classifier.policy import DEFAULT_POLICY, load_policy
from tests.classifier.helpers import KEY, block, chat

CARD = "4539148803436467"
AWS = "AKIAZ7VRSQ5TQNWLQK6Q"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _classifier(blank_nlp: Language, policy_path: Path | None = None) -> Classifier:
    detectors = default_detectors(patterns_nlp=blank_nlp, ner_nlp=None)
    return Classifier(detectors, hmac_key=KEY, policy=load_policy(policy_path))


def _entities(c: Classifier, text: str) -> list[tuple[str, str, float]]:
    return [(f.entity, f.category, f.score) for f in c.classify(chat(block(text))).findings]


def test_the_shipped_policy_loads_and_documents_every_section() -> None:
    policy = load_policy()
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    for section in ("[scores]", "[context]", "[severity]", "[entities]", "[allow]", "[[detectors]]"):
        assert section in text
    assert policy.threshold("PERSON", "pii", 0.5) == 0.6
    assert policy.threshold("EMAIL_ADDRESS", "pii", 0.5) == 0.5
    assert policy.threshold("BULK_PERSONAL_DATA", "customer_data", 0.5) == 0.6


@pytest.mark.parametrize(
    ("case", "toml", "message"),
    [
        ("unknown key", "colour = 1", "unknown key 'colour'"),
        ("unknown nested key", "[scores]\nmin = 1", "unknown key 'scores.min'"),
        ("bad toml", "[scores", "not valid TOML"),
        ("threshold out of range", "[scores.category]\npii = 2", "between 0 and 1"),
        ("unknown category", "[scores.category]\nmedical = 0.5", "must be one of"),
        ("bad tier", '[entities.PERSON]\ntier = "huge"', "must be one of"),
        ("lower-case entity", "[scores.entity]\nperson = 0.5", "UPPER_SNAKE_CASE"),
        ("bad regex", "[allow]\npatterns = ['(']", "not a valid regular expression"),
        ("bad fingerprint", "[allow]\nfingerprints = ['abc']", "hmac-sha256"),
        (
            "detector without pattern",
            '[[detectors]]\nid = "custom.x"\nentity = "X"\ncategory = "pii"',
            "'pattern'",
        ),
        (
            "detector bad id",
            '[[detectors]]\nid = "X"\nentity = "X"\ncategory = "pii"\npattern = "x"',
            "'custom.name'",
        ),
        (
            "detector bad segment",
            '[[detectors]]\nid = "custom.x"\nentity = "X"\ncategory = "pii"\npattern = "x"\n'
            'segments = ["poem"]',
            "segment kinds",
        ),
    ],
)
def test_invalid_policies_are_config_errors(tmp_path: Path, case: str, toml: str, message: str) -> None:
    with pytest.raises(ClassifierConfigError, match=message) as raised:
        load_policy(_write(tmp_path, toml))
    assert "policy.toml" in str(raised.value), case


def test_a_missing_policy_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ClassifierConfigError, match="CHATSIFT_POLICY"):
        load_policy(tmp_path / "nope.toml")


def test_user_policy_merges_over_the_default(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, "[scores.category]\npii = 0.9\n"))
    assert policy.threshold("EMAIL_ADDRESS", "pii", 0.5) == 0.9
    assert policy.threshold("BULK_PERSONAL_DATA", "customer_data", 0.5) == 0.6  # default kept
    assert policy.threshold("PERSON", "pii", 0.5) == 0.6  # the entity threshold still wins
    assert policy.digest != load_policy().digest


def test_allow_list_by_value_pattern_and_fingerprint(tmp_path: Path, blank_nlp: Language) -> None:
    text = f"card {CARD} and key {AWS}"
    default = _classifier(blank_nlp)
    assert {e for e, _, _ in _entities(default, text)} == {"CREDIT_CARD", "AWS_ACCESS_KEY"}
    by_value = _classifier(blank_nlp, _write(tmp_path, f"[allow]\nvalues = ['{CARD}']\n"))
    assert {e for e, _, _ in _entities(by_value, text)} == {"AWS_ACCESS_KEY"}
    by_pattern = _classifier(blank_nlp, _write(tmp_path, "[allow]\npatterns = ['AKIA[A-Z0-9]{16}']\n"))
    assert {e for e, _, _ in _entities(by_pattern, text)} == {"CREDIT_CARD"}
    fp = fingerprint(KEY, "AWS_ACCESS_KEY", AWS)
    by_fingerprint = _classifier(blank_nlp, _write(tmp_path, f"[allow]\nfingerprints = ['{fp}']\n"))
    assert {e for e, _, _ in _entities(by_fingerprint, text)} == {"CREDIT_CARD"}


def test_an_allowed_value_is_still_masked_in_evidence(tmp_path: Path, blank_nlp: Language) -> None:
    c = _classifier(blank_nlp, _write(tmp_path, f"[allow]\nvalues = ['{CARD}']\n"))
    result = c.classify(chat(block(f"{CARD} with key {AWS}")))
    assert [f.entity for f in result.findings] == ["AWS_ACCESS_KEY"]
    assert CARD not in result.findings[0].evidence


def test_context_words_lower_and_raise_scores(blank_nlp: Language) -> None:
    c = _classifier(blank_nlp)
    plain = _entities(c, f"please charge {CARD} today")
    example = _entities(c, f"for example {CARD} is shaped like a card")
    assert plain and plain[0][0] == "CREDIT_CARD"
    assert not example or example[0][2] <= plain[0][2] - 0.29  # lowered (or dropped below threshold)
    policy = c.policy
    assert policy.context_delta("financial", "CONFIDENTIAL: ", "") == pytest.approx(0.1)
    assert (
        policy.context_delta("secrets", "for example ", "") == 0.0
    )  # secrets keep their own placeholder rules


def test_entity_overrides_change_category_and_severity(tmp_path: Path, blank_nlp: Language) -> None:
    toml = '[entities.EMAIL_ADDRESS]\ncategory = "customer_data"\ntier = "high"\n'
    c = _classifier(blank_nlp, _write(tmp_path, toml))
    result = c.classify(chat(block("write to ops@example.org")))
    assert [(f.entity, f.category) for f in result.findings] == [("EMAIL_ADDRESS", "customer_data")]
    assert result.severity == "high"
    assert result.labels == ("customer_data",)


def test_custom_regex_detector(tmp_path: Path, blank_nlp: Language) -> None:
    toml = (
        "[[detectors]]\n"
        'id = "custom.employee_id"\nentity = "EMPLOYEE_ID"\ncategory = "customer_data"\n'
        'pattern = \'\\bEMP-(?P<value>\\d{6})\\b\'\nscore = 0.7\ntier = "medium"\ncontext = ["employee"]\n'
    )
    c = _classifier(blank_nlp, _write(tmp_path, toml))
    assert "custom.employee_id" in [d.id for d in c.detectors]
    found = c.classify(chat(block("employee EMP-123456 and EMP-12345")))
    assert [(f.entity, f.detector, f.score, f.start, f.end) for f in found.findings] == [
        ("EMPLOYEE_ID", "custom.employee_id", 0.8, 13, 19)
    ]
    assert found.severity == "medium"
    assert c.ruleset != _classifier(blank_nlp).ruleset


def test_custom_detector_ids_must_not_clash(tmp_path: Path, blank_nlp: Language) -> None:
    toml = '[[detectors]]\nid = "payment.card"\nentity = "X"\ncategory = "payment"\npattern = "x"\n'
    with pytest.raises(ClassifierConfigError, match="duplicate detector ids"):
        _classifier(blank_nlp, _write(tmp_path, toml))
