"""The detectors, one per module, and the default registry in priority order.

Priority (ties in ``merge`` go to the earlier detector): secrets, then payment, then pii.

=========================  ==================  ==========================================
id                         module              entities
=========================  ==================  ==========================================
``secrets.anthropic``      ``anthropic``       ANTHROPIC_API_KEY
``secrets.detect_secrets`` ``detect_secrets_adapter``  AWS keys, tokens, PRIVATE_KEY, PASSWORD, …
``payment.card``           ``card``            CREDIT_CARD
``payment.iban``           ``iban``            IBAN_CODE
``pii.presidio``           ``presidio_adapter``  EMAIL_ADDRESS, PHONE_NUMBER, US_SSN,
                                               IP_ADDRESS, PERSON, LOCATION
=========================  ==================  ==========================================
"""

from __future__ import annotations

from spacy.language import Language

from classifier.detectors.anthropic import AnthropicKeyDetector
from classifier.detectors.base import RegexDetector
from classifier.detectors.card import CardDetector
from classifier.detectors.detect_secrets_adapter import DetectSecretsDetector
from classifier.detectors.iban import IbanDetector
from classifier.detectors.presidio_adapter import PresidioDetector
from classifier.types import Detector

__all__ = [
    "AnthropicKeyDetector",
    "CardDetector",
    "DetectSecretsDetector",
    "IbanDetector",
    "PresidioDetector",
    "RegexDetector",
    "default_detectors",
]


def default_detectors(*, patterns_nlp: Language, ner_nlp: Language | None) -> list[Detector]:
    """The default registry, in priority order; ``ner_nlp=None`` runs presidio without NER."""
    return [
        AnthropicKeyDetector(),
        DetectSecretsDetector(),
        CardDetector(),
        IbanDetector(),
        PresidioDetector(patterns_nlp=patterns_nlp, ner_nlp=ner_nlp),
    ]
