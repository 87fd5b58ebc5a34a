"""How each data set's labels map to our entity names and categories.

A label whose ``ours`` is ``None`` names something no detector finds: every expected span of it
counts as a miss (false negative), so the gap stays visible. Presence sets (gitleaks) are scored
by category: a case counts as detected when any finding of that category is present. In span sets
only the mapped entity counts in a case (a case of presidio's UK NINO recogniser scores UK_NINO
findings); a prediction that matches no expected span is a false positive, also where WNUT-17
marks a group or a corporation there; other entities are not scored.

=============================  ==========================  =================  ===========
data set                       label                       ours               category
=============================  ==========================  =================  ===========
payment_test_numbers           card                        CREDIT_CARD        payment
presidio_recognizer_cases      credit_card, iban,          CREDIT_CARD,       payment
                               aba_routing, us_bank,       IBAN_CODE, ...
                               crypto
                               health ids (us_npi, us_mbi, presidio's names   regulated
                               uk_nhs, au_medicare, de_    (US_NPI, ...)
                               health_insurance, de_lanr,
                               de_bsnr)
                               date, ner_date              DATE_TIME (never   pii
                                                           emitted: misses)
                               every other recognizer      presidio's names   pii
                               (email, phone, national     (``_PRESIDIO_OURS``)
                               ids, mac, url, person, ...)
gitleaks_rule_cases            every rule id               any secrets find.  secrets
wnut17_emerging_entities       person                      PERSON             pii
                               location                    LOCATION           pii
                               group, corporation,         not scored (not personal data)
                               product, creative-work
clinical_dialogues_aci_mts     (text label, held out)      regulated          regulated
financial_dialogues (team)     (text label, test split)    financial          financial
banking77, ordinary_chats      (text: nothing expected)    any label = flag   -
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


# presidio recognizer (test-file name) -> our entity name. Country ids keep presidio's entity names.
_PRESIDIO_OURS: dict[str, str] = {
    "credit_card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "aba_routing": "ABA_ROUTING_NUMBER",
    "us_bank": "US_BANK_NUMBER",
    "crypto": "CRYPTO_WALLET",
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "ph_mobile_number": "PHONE_NUMBER",
    "tr_phone_number": "PHONE_NUMBER",
    "ip": "IP_ADDRESS",
    "mac": "MAC_ADDRESS",
    "url": "URL",
    "ner_person": "PERSON",
    "date": "DATE_TIME",
    "ner_date": "DATE_TIME",
    "us_ssn": "US_SSN",
    "us_itin": "US_ITIN",
    "us_passport": "US_PASSPORT",
    "us_driver_license": "US_DRIVER_LICENSE",
    "us_npi": "US_NPI",
    "us_mbi": "US_MBI",
    "uk_nhs": "UK_NHS",
    "uk_nino": "UK_NINO",
    "uk_passport": "UK_PASSPORT",
    "uk_driving_licence": "UK_DRIVING_LICENCE",
    "uk_postcode": "UK_POSTCODE",
    "uk_vehicle_registration": "UK_VEHICLE_REGISTRATION",
    "ca_sin": "CA_SIN",
    "au_abn": "AU_ABN",
    "au_acn": "AU_ACN",
    "au_tfn": "AU_TFN",
    "au_medicare": "AU_MEDICARE",
    "sg_fin": "SG_NRIC_FIN",
    "sg_uen": "SG_UEN",
    "in_aadhaar": "IN_AADHAAR",
    "in_pan": "IN_PAN",
    "in_passport": "IN_PASSPORT",
    "in_voter": "IN_VOTER",
    "in_gstin": "IN_GSTIN",
    "in_vehicle_registration": "IN_VEHICLE_REGISTRATION",
    "es_nif": "ES_NIF",
    "es_nie": "ES_NIE",
    "es_passport": "ES_PASSPORT",
    "it_fiscal_code": "IT_FISCAL_CODE",
    "it_driver_license": "IT_DRIVER_LICENSE",
    "it_identity_card": "IT_IDENTITY_CARD",
    "it_passport": "IT_PASSPORT",
    "it_vat_code": "IT_VAT_CODE",
    "de_passport": "DE_PASSPORT",
    "de_id_card": "DE_ID_CARD",
    "de_tax_id": "DE_TAX_ID",
    "de_tax_number": "DE_TAX_NUMBER",
    "de_vat_id": "DE_VAT_ID",
    "de_social_security": "DE_SOCIAL_SECURITY",
    "de_fuehrerschein": "DE_FUEHRERSCHEIN",
    "de_handelsregister": "DE_HANDELSREGISTER",
    "de_kfz": "DE_KFZ",
    "de_plz": "DE_PLZ",
    "de_health_insurance": "DE_HEALTH_INSURANCE",
    "de_lanr": "DE_LANR",
    "de_bsnr": "DE_BSNR",
    "fi_personal_identity_code": "FI_PERSONAL_IDENTITY_CODE",
    "pl_pesel": "PL_PESEL",
    "se_personnummer": "SE_PERSONNUMMER",
    "se_organisationsnummer": "SE_ORGANISATIONSNUMMER",
    "kr_rrn": "KR_RRN",
    "kr_frn": "KR_FRN",
    "kr_brn": "KR_BRN",
    "kr_passport": "KR_PASSPORT",
    "kr_driver_license": "KR_DRIVER_LICENSE",
    "th_tnin": "TH_TNIN",
    "tr_national_id": "TR_NATIONAL_ID",
    "tr_license_plate": "TR_LICENSE_PLATE",
    "ng_nin": "NG_NIN",
    "ng_vehicle_registration": "NG_VEHICLE_REGISTRATION",
    "ph_tin": "PH_TIN",
    "za_id_number": "ZA_ID_NUMBER",
    "certificate_number": "CERTIFICATE_NUMBER",
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
