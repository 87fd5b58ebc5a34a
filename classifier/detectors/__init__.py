"""The detectors, one family per module, and the default registry in priority order.

Priority (ties in ``merge`` go to the earlier detector): secrets, then payment, then pii, then the
content detectors (regulated, financial, customer_data).

===============================  ======================  ===========================================
ids                              module                  entities
===============================  ======================  ===========================================
``secrets.anthropic``            ``anthropic``           ANTHROPIC_API_KEY
``secrets.<vendor>`` (66)        ``secret_rules``        AWS_ACCESS_KEY, GITHUB_TOKEN, SLACK_TOKEN,
                                                         JWT, PRIVATE_KEY, PASSWORD, SECRET, …
``secrets.detect_secrets``       ``detect_secrets_       formats the rule table does not cover
                                 adapter``               (Azure storage, IBM, Discord, …)
``payment.card``                 ``card``                CREDIT_CARD
``payment.iban``                 ``iban``                IBAN_CODE
``payment.aba``, ``.swift``,     ``payment_ids``         ABA_ROUTING_NUMBER, US_BANK_NUMBER,
``.crypto``, ``.card_details``                           SWIFT_BIC, CRYPTO_WALLET, CARD_CVV,
                                                         CARD_EXPIRY
``pii.presidio``                 ``presidio_adapter``    EMAIL_ADDRESS, PHONE_NUMBER, IP_ADDRESS,
                                                         national ids; health ids (US_NPI,
                                                         UK_NHS, …) as ``regulated``
``pii.ner``                      ``ner``                 PERSON, LOCATION (spaCy NER, prose only)
``pii.ph_mobile``, ``.tr_phone``,  ``pii_ids``           PHONE_NUMBER, KR_PASSPORT
``pii.kr_passport``
``pii.date_of_birth``,           ``pii_personal``        DATE_OF_BIRTH, POSTAL_ADDRESS
``pii.address``
``regulated.*``, ``financial.*``, ``content``            HEALTH_INFORMATION, MEDICAL_RECORD_NUMBER,
``customer_data.bulk``                                   HEALTH_INSURANCE_ID, FINANCIAL_INFORMATION,
                                                         BULK_PERSONAL_DATA
===============================  ======================  ===========================================

Custom regex detectors from the policy (``[[detectors]]``) run after these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from spacy.language import Language

from classifier.detectors.anthropic import AnthropicKeyDetector
from classifier.detectors.base import RegexDetector
from classifier.detectors.card import CardDetector
from classifier.detectors.content import content_detectors
from classifier.detectors.detect_secrets_adapter import DetectSecretsDetector
from classifier.detectors.iban import IbanDetector
from classifier.detectors.ner import NerDetector
from classifier.detectors.payment_ids import payment_id_detectors
from classifier.detectors.pii_ids import pii_id_detectors
from classifier.detectors.pii_personal import personal_detectors
from classifier.detectors.presidio_adapter import PresidioDetector
from classifier.detectors.secret_rules import secret_rule_detectors
from classifier.types import Detector

__all__ = [
    "AnthropicKeyDetector",
    "CardDetector",
    "DetectSecretsDetector",
    "IbanDetector",
    "NerDetector",
    "PresidioDetector",
    "RegexDetector",
    "default_detectors",
]


def default_detectors(
    *,
    patterns_nlp: Language,
    ner_nlp: Language | None,
    models_dir: Path | None = None,
    ner_mode: Literal["always", "auto"] = "always",
) -> list[Detector]:
    """The default registry, in priority order; ``ner_nlp=None`` leaves NER out (``--ner off``).

    ``models_dir`` holds the weighted lexicons (default: the repository's ``models/``).
    """
    return [
        AnthropicKeyDetector(),
        *secret_rule_detectors(),
        DetectSecretsDetector(),
        CardDetector(),
        IbanDetector(),
        *payment_id_detectors(),
        PresidioDetector(patterns_nlp=patterns_nlp),
        *([NerDetector(ner_nlp, mode=ner_mode)] if ner_nlp is not None else []),
        *pii_id_detectors(),
        *personal_detectors(),
        *content_detectors(models_dir),
    ]
