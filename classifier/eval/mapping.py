"""How each data set's labels map to our entity names and categories.

A label whose ``ours`` is ``None`` names something no detector finds yet: every expected span of
it counts as a miss (false negative), so the gap stays visible. Presence sets (gitleaks) are
scored by category: a case counts as detected when any finding of that category is present.
In span sets, a prediction of a mapped entity that matches no expected span is a false positive,
also where WNUT-17 marks a group or a corporation there; other entities are not scored.

=============================  ==========================  =================  ===========
data set                       label                       ours               category
=============================  ==========================  =================  ===========
payment_test_numbers           card                        CREDIT_CARD        payment
presidio_recognizer_cases      credit_card                 CREDIT_CARD        payment
                               iban                        IBAN_CODE          payment
                               email                       EMAIL_ADDRESS      pii
                               phone                       PHONE_NUMBER       pii
                               ip                          IP_ADDRESS         pii
                               us_ssn                      US_SSN             pii
                               ner_person (spacy/stanza/   PERSON             pii
                               transformers tests)
                               aba_routing, us_bank,       (none)             payment
                               crypto
                               health ids (us_npi, us_mbi, (none)             regulated
                               uk_nhs, au_medicare, de_
                               health_insurance, de_lanr,
                               de_bsnr)
                               every other recognizer      (none)             pii
                               (national ids, dates, ...)
gitleaks_rule_cases            every rule id               any secrets find.  secrets
wnut17_emerging_entities       person                      PERSON             pii
                               location                    LOCATION           pii
                               group, corporation,         not scored (not personal data)
                               product, creative-work
clinical_dialogues_aci_mts     (text label)                regulated          regulated
banking77                      (text: nothing expected)    any label = flag   -
=============================  ==========================  =================  ===========
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.types import Category


@dataclass(frozen=True, slots=True)
class LabelMap:
    """One data-set label: our entity name (``None``: not detected yet) and its category."""

    ours: str | None
    category: Category


_PRESIDIO_OURS: dict[str, str] = {
    "credit_card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "ip": "IP_ADDRESS",
    "us_ssn": "US_SSN",
    "ner_person": "PERSON",
}
_PAYMENT_LABELS = frozenset({"credit_card", "iban", "aba_routing", "us_bank", "crypto"})
_HEALTH_LABELS = frozenset(
    {"us_npi", "us_mbi", "uk_nhs", "au_medicare", "de_health_insurance", "de_lanr", "de_bsnr"}
)

PAYMENT: dict[str, LabelMap] = {"card": LabelMap("CREDIT_CARD", "payment")}
WNUT17: dict[str, LabelMap] = {"person": LabelMap("PERSON", "pii"), "location": LabelMap("LOCATION", "pii")}


def presidio_label(recognizer: str) -> LabelMap:
    """The mapping of one presidio recognizer's test cases."""
    category: Category = "pii"
    if recognizer in _PAYMENT_LABELS:
        category = "payment"
    elif recognizer in _HEALTH_LABELS:
        category = "regulated"
    return LabelMap(_PRESIDIO_OURS.get(recognizer), category)


def gitleaks_label(rule_id: str) -> LabelMap:
    """Every gitleaks rule is a secret; detected means any ``secrets`` finding in the case."""
    return LabelMap(None, "secrets")


def label_map(dataset: str, label: str) -> LabelMap:
    """The mapping for ``label`` of ``dataset``."""
    if dataset == "payment_test_numbers":
        return PAYMENT[label]
    if dataset == "wnut17_emerging_entities":
        return WNUT17[label]
    if dataset == "presidio_recognizer_cases":
        return presidio_label(label)
    if dataset == "gitleaks_rule_cases":
        return gitleaks_label(label)
    raise KeyError(dataset)
