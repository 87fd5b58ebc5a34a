"""Labels, scores and severity rules."""

from __future__ import annotations

import pytest

from classifier.entities import ENTITIES, entity_info
from classifier.rollup import labels_of, scores_of, severity_of
from classifier.types import CATEGORIES, Finding


def f(entity: str, score: float = 0.9, message_id: str | None = "m1") -> Finding:
    return Finding(
        finding_id="x", category=entity_info(entity).category, entity=entity, detector="d", score=score,
        message_id=message_id, role="user", block=0, segment="prose", start=0, end=1, evidence="[X]",
        fingerprint="hmac-sha256:0",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("findings", "severity"),
    [
        ([], "none"),
        ([f("EMAIL_ADDRESS")], "low"),
        ([f("PHONE_NUMBER")], "low"),
        ([f("PERSON")], "low"),
        ([f("LOCATION"), f("IP_ADDRESS")], "low"),
        ([f("PERSON", message_id="m1"), f("EMAIL_ADDRESS", message_id="m2")], "low"),
        ([f("PERSON"), f("PHONE_NUMBER")], "medium"),
        ([f("PERSON", message_id=None), f("EMAIL_ADDRESS", message_id=None)], "medium"),
        ([f("EMAIL_ADDRESS"), f("LOCATION", message_id="m2"), f("IP_ADDRESS", message_id="m3")], "medium"),
        ([f("HIGH_ENTROPY_STRING")], "medium"),
        ([f("US_SSN")], "high"),
        ([f("CREDIT_CARD")], "high"),
        ([f("IBAN_CODE"), f("EMAIL_ADDRESS")], "high"),
        ([f("PASSWORD")], "high"),
        ([f("JWT")], "high"),
        ([f("AWS_ACCESS_KEY")], "critical"),
        ([f("PRIVATE_KEY"), f("EMAIL_ADDRESS")], "critical"),
        ([f("ANTHROPIC_API_KEY")], "critical"),
        ([f("SOME_FUTURE_ENTITY")], "high"),
        # a name alone is weak; next to an identifier (same message) it identifies someone
        ([f("PERSON"), f("POSTAL_ADDRESS")], "medium"),
        ([f("PERSON"), f("UK_NINO")], "high"),
        ([f("PERSON"), f("AU_ABN")], "low"),  # a business number identifies no person
        # health and financial content: medium alone, high in a chat that identifies someone
        ([f("HEALTH_INFORMATION")], "medium"),
        ([f("HEALTH_INFORMATION"), f("PERSON", message_id="m9")], "high"),
        ([f("HEALTH_INFORMATION"), f("LOCATION")], "medium"),
        ([f("MEDICAL_RECORD_NUMBER")], "high"),
        ([f("US_NPI")], "low"),  # a clinician's public id
        ([f("FINANCIAL_INFORMATION")], "medium"),
        ([f("FINANCIAL_INFORMATION"), f("EMAIL_ADDRESS", message_id="m2")], "high"),
        ([f("BULK_PERSONAL_DATA")], "high"),
        ([f("SWIFT_BIC")], "low"),
        ([f("CARD_CVV"), f("CREDIT_CARD")], "high"),
    ],
)
def test_severity_rules(findings: list[Finding], severity: str) -> None:
    assert severity_of(findings) == severity


def test_policy_severity_rules_and_tiers_apply(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from classifier.policy import load_policy

    path = tmp_path / "p.toml"
    path.write_text(
        '[severity]\nhealth_with_person = "critical"\nidentified_person = "low"\n'
        '[entities.PERSON]\ntier = "none"\n[entities.SWIFT_BIC]\ntier = "high"\n'
    )
    policy = load_policy(path)
    assert severity_of([f("HEALTH_INFORMATION"), f("PERSON")], policy) == "critical"
    assert severity_of([f("PERSON"), f("PHONE_NUMBER")], policy) == "low"
    assert severity_of([f("SWIFT_BIC")], policy) == "high"
    assert severity_of([f("PERSON")], policy) == "low"  # a finding is at least low


def test_a_tier_raised_by_the_policy_makes_an_identifier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from classifier.policy import load_policy

    path = tmp_path / "p.toml"
    path.write_text('[entities.AU_ABN]\ntier = "medium"\n')
    assert severity_of([f("PERSON"), f("AU_ABN")]) == "low"
    assert severity_of([f("PERSON"), f("AU_ABN")], load_policy(path)) == "medium"


def test_labels_follow_the_category_order_and_scores_take_the_max() -> None:
    findings = [f("AWS_ACCESS_KEY", 0.95), f("EMAIL_ADDRESS", 0.6), f("PERSON", 0.85), f("CREDIT_CARD", 0.9)]
    assert labels_of(findings) == ("pii", "payment", "secrets")
    assert scores_of(findings) == {"pii": 0.85, "payment": 0.9, "secrets": 0.95}
    assert list(scores_of(findings)) == ["pii", "payment", "secrets"]


def test_every_catalogued_entity_has_a_real_category_and_tier() -> None:
    assert {info.category for info in ENTITIES.values()} == set(CATEGORIES)
    assert {info.tier for info in ENTITIES.values()} <= {"low", "medium", "high", "critical"}
