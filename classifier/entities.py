"""The entity catalogue: every entity name a detector may emit, its category and severity tier.

Entity names are a data contract read by SIEM rules (STYLE practice 2): add, never rename. The tier
is the severity one finding of that entity gives a chat on its own; ``rollup`` adds the rules for
combinations. Categories ``financial``, ``regulated`` and ``customer_data`` have no entities yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.types import Category, Severity


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What an entity is: its category and the severity it gives a chat on its own."""

    category: Category
    tier: Severity


def _secrets(tier: Severity, *names: str) -> dict[str, EntityInfo]:
    return {name: EntityInfo("secrets", tier) for name in names}


# Keys that open a cloud account or an API on their own: critical.
CRITICAL_SECRETS = (
    "PRIVATE_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "SLACK_TOKEN",
    "STRIPE_KEY",
    "AZURE_STORAGE_KEY",
    "SENDGRID_API_KEY",
    "NPM_TOKEN",
    "PYPI_TOKEN",
    "TWILIO_API_KEY",
    "DISCORD_BOT_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "MAILCHIMP_API_KEY",
    "SQUARE_OAUTH_SECRET",
    "IBM_CLOUD_IAM_KEY",
    "ARTIFACTORY_TOKEN",
    "CLOUDANT_CREDENTIALS",
    "SOFTLAYER_CREDENTIALS",
)
# Credentials without a vendor prefix: high.
HIGH_SECRETS = ("PASSWORD", "BASIC_AUTH_CREDENTIALS", "JWT", "SECRET")

ENTITIES: dict[str, EntityInfo] = {
    **_secrets("critical", *CRITICAL_SECRETS),
    **_secrets("high", *HIGH_SECRETS),
    # Entropy alone is a weak signal (hashes, ids, base64 blobs): medium, never high.
    "HIGH_ENTROPY_STRING": EntityInfo("secrets", "medium"),
    "CREDIT_CARD": EntityInfo("payment", "high"),
    "IBAN_CODE": EntityInfo("payment", "high"),
    "US_SSN": EntityInfo("pii", "high"),
    "EMAIL_ADDRESS": EntityInfo("pii", "low"),
    "PHONE_NUMBER": EntityInfo("pii", "low"),
    "PERSON": EntityInfo("pii", "low"),
    "LOCATION": EntityInfo("pii", "low"),
    "IP_ADDRESS": EntityInfo("pii", "low"),
}

CONTACT_ENTITIES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER"})
GOVERNMENT_ID_ENTITIES = frozenset({"US_SSN"})


def entity_info(entity: str) -> EntityInfo:
    """The catalogue entry for ``entity``; unknown names count as high-tier secrets."""
    # An unknown name means a detector outran the catalogue; treat it as a secret so it is seen.
    return ENTITIES.get(entity, EntityInfo("secrets", "high"))


def is_secret(entity: str) -> bool:
    """True for entities in the ``secrets`` category."""
    return entity_info(entity).category == "secrets"
