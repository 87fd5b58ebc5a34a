"""The entity catalogue: every entity name a detector may emit, its category and severity tier.

Entity names are a data contract read by SIEM rules (STYLE practice 2): add, never rename. The tier
is the severity one finding of that entity gives a chat on its own; ``rollup`` adds the rules for
combinations. The policy (``[entities.NAME]``) may change an entity's category or tier.

Tiers follow one rule: ``high`` for a value that identifies a person or opens money or an account on
its own (government ids, cards, bank accounts, credentials); ``medium`` for content that is sensitive
but not an identifier (health, finances, a date of birth, an unconfirmed secret); ``low`` for what is
often public or says little alone (names, contact details, places, network ids, business
registration numbers, a bank's BIC).
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


def _of(category: Category, tier: Severity, *names: str) -> dict[str, EntityInfo]:
    return {name: EntityInfo(category, tier) for name in names}


# National and personal identifiers (presidio's entity names where presidio has a recogniser).
PERSONAL_IDS = (
    "US_SSN", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE",
    "UK_NINO", "UK_PASSPORT", "UK_DRIVING_LICENCE", "CA_SIN", "AU_TFN", "SG_NRIC_FIN",
    "IN_AADHAAR", "IN_PAN", "IN_PASSPORT", "IN_VOTER",
    "ES_NIF", "ES_NIE", "ES_PASSPORT",
    "IT_FISCAL_CODE", "IT_DRIVER_LICENSE", "IT_IDENTITY_CARD", "IT_PASSPORT",
    "DE_PASSPORT", "DE_ID_CARD", "DE_TAX_ID", "DE_SOCIAL_SECURITY", "DE_FUEHRERSCHEIN",
    "FI_PERSONAL_IDENTITY_CODE", "PL_PESEL", "SE_PERSONNUMMER",
    "KR_RRN", "KR_FRN", "KR_PASSPORT", "KR_DRIVER_LICENSE", "TH_TNIN", "TR_NATIONAL_ID", "NG_NIN",
    "PH_TIN", "ZA_ID_NUMBER",
)  # fmt: skip
# Registration numbers of businesses and vehicles, postal codes, network ids: low on their own.
WEAK_IDS = (
    "AU_ABN", "AU_ACN", "SG_UEN", "IN_GSTIN", "IN_VEHICLE_REGISTRATION", "IT_VAT_CODE", "DE_VAT_ID",
    "DE_TAX_NUMBER", "DE_HANDELSREGISTER", "DE_KFZ", "DE_PLZ", "SE_ORGANISATIONSNUMMER", "KR_BRN",
    "TR_LICENSE_PLATE", "NG_VEHICLE_REGISTRATION", "UK_POSTCODE", "UK_VEHICLE_REGISTRATION",
    "MAC_ADDRESS", "URL", "CERTIFICATE_NUMBER",
)  # fmt: skip
# Patient identifiers (high) and provider/practice identifiers (low: they name a clinician).
PATIENT_IDS = (
    "MEDICAL_RECORD_NUMBER",
    "HEALTH_INSURANCE_ID",
    "US_MBI",
    "UK_NHS",
    "AU_MEDICARE",
    "DE_HEALTH_INSURANCE",
)
PROVIDER_IDS = ("US_NPI", "DE_LANR", "DE_BSNR", "MEDICAL_LICENSE")


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
    "AWS_BEDROCK_API_KEY",
    "AZURE_CLIENT_SECRET",
    "GCP_SERVICE_ACCOUNT_KEY",
    "DIGITALOCEAN_TOKEN",
    "HEROKU_API_KEY",
    "FLYIO_TOKEN",
    "CLOUDFLARE_ORIGIN_CA_KEY",
    "DATABRICKS_TOKEN",
    "CLICKHOUSE_API_SECRET",
    "VAULT_TOKEN",
    "TERRAFORM_API_TOKEN",
    "PULUMI_ACCESS_TOKEN",
    "DOPPLER_TOKEN",
    "OPENSHIFT_TOKEN",
    "SCALINGO_API_TOKEN",
    "ONEPASSWORD_SECRET_KEY",
    "AGE_SECRET_KEY",
    "HUGGINGFACE_TOKEN",
    "SOURCEGRAPH_TOKEN",
    "SONAR_TOKEN",
    "SNYK_TOKEN",
    "ATLASSIAN_API_TOKEN",
    "OCTOPUS_API_KEY",
    "INFRACOST_API_TOKEN",
    "README_API_TOKEN",
    "PREFECT_API_TOKEN",
    "SENTRY_TOKEN",
    "GRAFANA_TOKEN",
    "PERPLEXITY_API_KEY",
    "NOTION_TOKEN",
    "MAILGUN_API_KEY",
    "POSTMAN_API_KEY",
    "SHOPIFY_TOKEN",
    "SQUARE_TOKEN",
    "FACEBOOK_TOKEN",
    "OKTA_TOKEN",
    "HUBSPOT_API_KEY",
    "MESSAGEBIRD_API_KEY",
    "SUMOLOGIC_KEY",
    "MAXMIND_LICENSE_KEY",
    "INTRA42_CLIENT_SECRET",
    "CONNECTION_STRING",
)
# Credentials without a vendor prefix: high.
HIGH_SECRETS = (
    "PASSWORD",
    "BASIC_AUTH_CREDENTIALS",
    "JWT",
    "SECRET",
    "BUNDLER_CREDENTIALS",
    "SLACK_WEBHOOK_URL",
)

ENTITIES: dict[str, EntityInfo] = {
    **_secrets("critical", *CRITICAL_SECRETS),
    **_secrets("high", *HIGH_SECRETS),
    # Entropy alone is a weak signal (hashes, ids, base64 blobs): medium, never high.
    "HIGH_ENTROPY_STRING": EntityInfo("secrets", "medium"),
    # Browser, Maps and Firebase keys are public by design; reported with key context only.
    "GOOGLE_API_KEY": EntityInfo("secrets", "medium"),
    "CREDIT_CARD": EntityInfo("payment", "high"),
    "IBAN_CODE": EntityInfo("payment", "high"),
    **_of("payment", "high", "US_BANK_NUMBER", "CARD_CVV"),
    **_of("payment", "medium", "ABA_ROUTING_NUMBER", "CRYPTO_WALLET", "CARD_EXPIRY"),
    "SWIFT_BIC": EntityInfo("payment", "low"),
    **_of("pii", "high", *PERSONAL_IDS),
    **_of("pii", "low", *WEAK_IDS),
    "DATE_OF_BIRTH": EntityInfo("pii", "medium"),
    "POSTAL_ADDRESS": EntityInfo("pii", "medium"),
    **_of("regulated", "high", *PATIENT_IDS),
    **_of("regulated", "low", *PROVIDER_IDS),
    "HEALTH_INFORMATION": EntityInfo("regulated", "medium"),
    "FINANCIAL_INFORMATION": EntityInfo("financial", "medium"),
    "BULK_PERSONAL_DATA": EntityInfo("customer_data", "high"),
    "EMAIL_ADDRESS": EntityInfo("pii", "low"),
    "PHONE_NUMBER": EntityInfo("pii", "low"),
    "PERSON": EntityInfo("pii", "low"),
    "LOCATION": EntityInfo("pii", "low"),
    "IP_ADDRESS": EntityInfo("pii", "low"),
}

CONTACT_ENTITIES = frozenset({"EMAIL_ADDRESS", "PHONE_NUMBER"})
# Content findings: a topic (health, finances) marked at its strongest word, not a value
# (``classifier.merge`` gives them their own rule).
CONTENT_ENTITIES = frozenset({"HEALTH_INFORMATION", "FINANCIAL_INFORMATION"})
# Names and places (NER): a value, but a name on a word does not make the word any less medical.
NAME_ENTITIES = frozenset({"PERSON", "LOCATION"})
GOVERNMENT_ID_ENTITIES = frozenset(PERSONAL_IDS)


def entity_info(entity: str) -> EntityInfo:
    """The catalogue entry for ``entity``; unknown names count as high-tier secrets."""
    # An unknown name means a detector outran the catalogue; treat it as a secret so it is seen.
    return ENTITIES.get(entity, EntityInfo("secrets", "high"))


def is_secret(entity: str) -> bool:
    """True for entities in the ``secrets`` category."""
    return entity_info(entity).category == "secrets"
