"""``pii.presidio``: a presidio-analyzer adapter for personal data (categories ``pii``, ``regulated``).

Entities: EMAIL_ADDRESS, PHONE_NUMBER, US_SSN, IP_ADDRESS, MAC_ADDRESS and the national/country ids in
``COUNTRY_RECOGNIZERS`` from pattern recognisers, and PERSON, LOCATION from spaCy NER. presidio's
defaults are noisy on chat text (thousands of driver licence and date hits), so the registry holds
only these recognisers and every call passes ``entities=`` explicitly. Its card, IBAN, ABA, bank,
crypto and date recognisers are not used (``payment.*`` detectors own payment ids; a date alone is
not personal data). Recognisers whose test cases are non-English are built with
``supported_language="en"``. Health ids (US_NPI, US_MBI, UK_NHS, AU_MEDICARE, DE_HEALTH_INSURANCE,
DE_LANR, DE_BSNR) come out with category ``regulated``; everything else is ``pii``.

Which recognisers emit on their own, and which need context (measured on banking77, WNUT-17, clinical
dialogues and 10 MB of Python source, where every listed recogniser at presidio's own score fired):

* On their own (a checksum or a structure that ordinary text rarely has): AU ABN/ACN/TFN/Medicare,
  CA SIN, DE ids (passport, tax id, VAT, social security, health insurance, LANR, BSNR), ES NIF/NIE,
  FI personal code, IN GSTIN/PAN, IT fiscal/VAT code, KR RRN/FRN/BRN/driver licence, PL PESEL,
  SE personnummer/organisationsnummer, SG NRIC/FIN and UEN, TH TNIN, TR national id, UK NINO, NHS
  and driving licence, US ITIN, MBI, NPI, ZA id, MAC addresses.
* Digit-only checksummed ids (``DIGIT_IDS``) pass a checksum by chance in one number of ten to a
  hundred, and code is full of numbers: in ``code``, ``tool_input`` and ``tool_result`` segments they
  need a context word as well (in the Python sample they fired about 150 times with no context).
* Context required (``CONTEXT_WORDS``): URL (every link in a chat would count), US driver licence,
  UK postcode, vehicle registrations (UK, IN, NG, TR: WNUT and clinical notes gave dozens of
  hits), passports (US, UK, IN, IT, ES: a few letters and digits), IT identity card and driving
  licence, IN voter id, bare 12-digit Aadhaar, PH TIN. Without a context word within
  ``CONTEXT_BEFORE`` characters before or ``CONTEXT_AFTER`` after the value their score is capped
  at ``NO_CONTEXT_SCORE`` (below the classifier's 0.5); with one it is ``CONTEXT_SCORE``. Our own
  lists of words are used, not presidio's lemma-based context (which only works with a tagger and
  has loose words such as "us" or "car"), so both NER modes score alike.

Korean passports, Philippine and Turkish mobile numbers have no usable presidio recogniser here:
``pii_ids`` has our own detectors for them.

Nothing is loaded or downloaded here: ``AnalyzerEngine()`` would build its own spaCy engine and
download a model, so the adapter builds a ``SpacyNlpEngine`` over the blank tokenizer the caller
passes (``nlp.blank_pipeline``); presidio runs the pattern recognisers only. tldextract (the email
recogniser's domain check) is pointed at its bundled suffix list and presidio's loggers are kept
above DEBUG before presidio is imported (``offline``); decision-process logging stays off. Both
would otherwise leak text or touch the net.

Where NER runs: prose and name segments only, straight through spaCy (``tok2vec`` and ``ner``, see
``nlp.load_pipeline``), not through presidio: ``detect_many`` sends every prose segment of a chat
through one batched ``nlp.pipe`` call. spaCy's PERSON/PER become PERSON, GPE/LOC become LOCATION,
at presidio's NER score (0.85). Code, tool input and tool result segments get the pattern entities
only. With ``ner_nlp=None`` no NER runs at all.

Scores are presidio's, with the context rules above and one more change: a phone number written
like one (a leading ``+``, an ``(area code)``, or separated digit groups of three or more) scores at
least 0.6 (presidio gives every phone 0.4 without a context word, and "call" is a spaCy stop word,
so "call me at (415) 555-0132" would never count). Bare digit runs and other groupings
(``078-05-1120`` is an SSN shape) keep 0.4: they are usually ids. "Claude" and "Anthropic" are never
a PERSON/LOCATION finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc

from classifier.detectors.base import compile_context_words
from classifier.nlp import pipeline_id
from classifier.offline import configure_offline
from classifier.types import SEGMENT_KINDS, Category, Detection, Segment, SegmentKind

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer

# entity -> presidio recogniser class (``predefined_recognizers``), for the country and device ids.
COUNTRY_RECOGNIZERS: dict[str, str] = {
    "MAC_ADDRESS": "MacAddressRecognizer",
    "URL": "UrlRecognizer",
    "US_ITIN": "UsItinRecognizer",
    "US_PASSPORT": "UsPassportRecognizer",
    "US_DRIVER_LICENSE": "UsLicenseRecognizer",
    "US_NPI": "UsNpiRecognizer",
    "US_MBI": "UsMbiRecognizer",
    "UK_NHS": "NhsRecognizer",
    "UK_NINO": "UkNinoRecognizer",
    "UK_PASSPORT": "UkPassportRecognizer",
    "UK_DRIVING_LICENCE": "UkDrivingLicenceRecognizer",
    "UK_POSTCODE": "UkPostcodeRecognizer",
    "UK_VEHICLE_REGISTRATION": "UkVehicleRegistrationRecognizer",
    "CA_SIN": "CaSinRecognizer",
    "AU_ABN": "AuAbnRecognizer",
    "AU_ACN": "AuAcnRecognizer",
    "AU_TFN": "AuTfnRecognizer",
    "AU_MEDICARE": "AuMedicareRecognizer",
    "SG_NRIC_FIN": "SgFinRecognizer",
    "SG_UEN": "SgUenRecognizer",
    "IN_AADHAAR": "InAadhaarRecognizer",
    "IN_PAN": "InPanRecognizer",
    "IN_PASSPORT": "InPassportRecognizer",
    "IN_VOTER": "InVoterRecognizer",
    "IN_GSTIN": "InGstinRecognizer",
    "IN_VEHICLE_REGISTRATION": "InVehicleRegistrationRecognizer",
    "ES_NIF": "EsNifRecognizer",
    "ES_NIE": "EsNieRecognizer",
    "ES_PASSPORT": "EsPassportRecognizer",
    "IT_FISCAL_CODE": "ItFiscalCodeRecognizer",
    "IT_DRIVER_LICENSE": "ItDriverLicenseRecognizer",
    "IT_IDENTITY_CARD": "ItIdentityCardRecognizer",
    "IT_PASSPORT": "ItPassportRecognizer",
    "IT_VAT_CODE": "ItVatCodeRecognizer",
    "DE_PASSPORT": "DePassportRecognizer",
    "DE_TAX_ID": "DeTaxIdRecognizer",
    "DE_VAT_ID": "DeVatIdRecognizer",
    "DE_SOCIAL_SECURITY": "DeSocialSecurityRecognizer",
    "DE_HEALTH_INSURANCE": "DeHealthInsuranceRecognizer",
    "DE_LANR": "DeLanrRecognizer",
    "DE_BSNR": "DeBsnrRecognizer",
    "FI_PERSONAL_IDENTITY_CODE": "FiPersonalIdentityCodeRecognizer",
    "PL_PESEL": "PlPeselRecognizer",
    "SE_PERSONNUMMER": "SePersonnummerRecognizer",
    "SE_ORGANISATIONSNUMMER": "SeOrganisationsnummerRecognizer",
    "KR_RRN": "KrRrnRecognizer",
    "KR_FRN": "KrFrnRecognizer",
    "KR_BRN": "KrBrnRecognizer",
    "KR_DRIVER_LICENSE": "KrDriverLicenseRecognizer",
    "TH_TNIN": "ThTninRecognizer",
    "TR_NATIONAL_ID": "TrNationalIdRecognizer",
    "TR_LICENSE_PLATE": "TrLicensePlateRecognizer",
    "NG_VEHICLE_REGISTRATION": "NgVehicleRegistrationRecognizer",
    "PH_TIN": "PhTinRecognizer",
    "ZA_ID_NUMBER": "ZaIdNumberRecognizer",
}
BASE_ENTITIES: tuple[str, ...] = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "IP_ADDRESS")
PATTERN_ENTITIES: tuple[str, ...] = BASE_ENTITIES + tuple(COUNTRY_RECOGNIZERS)
NER_SEGMENT_KINDS: frozenset[SegmentKind] = frozenset({"prose", "name"})
ALLOW_LIST: tuple[str, ...] = ("Claude", "Claude Code", "Anthropic")
FORMATTED_PHONE_SCORE = 0.6
REGULATED_ENTITIES = frozenset(
    {"US_NPI", "US_MBI", "UK_NHS", "AU_MEDICARE", "DE_HEALTH_INSURANCE", "DE_LANR", "DE_BSNR"}
)

_PASSPORT = ("passport", "passports", "passport no", "travel document")
_VEHICLE = ("vehicle", "vehicles", "registration", "reg", "number plate", "licence plate", "license plate")
_ID_NUMBER = ("id", "id number", "identity", "national id")
# Words that make a context-gated value count; our own lists, searched around the value.
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "URL": ("url", "urls", "link", "links", "website", "websites", "site", "homepage", "domain", "domains"),
    "US_DRIVER_LICENSE": ("driver", "drivers", "driver's", "driving", "license", "licence", "dl", "lic"),
    "UK_POSTCODE": ("postcode", "postcodes", "post code", "postal code", "address", "zip"),
    "UK_VEHICLE_REGISTRATION": (*_VEHICLE, "car", "vrn", "dvla", "plate", "plates"),
    "IN_VEHICLE_REGISTRATION": (*_VEHICLE, "rto", "plate", "plates", "bike", "car"),
    "NG_VEHICLE_REGISTRATION": (*_VEHICLE, "plate", "plates", "plate number"),
    "TR_LICENSE_PLATE": (*_VEHICLE, "plaka", "plakası", "plate", "plates", "araç"),
    "US_PASSPORT": _PASSPORT,
    "UK_PASSPORT": _PASSPORT,
    "IN_PASSPORT": _PASSPORT,
    "IT_PASSPORT": ("passaporto", "passaporti"),  # Italian words only: the shape is also a UK passport's
    "ES_PASSPORT": (*_PASSPORT, "pasaporte"),
    "IT_IDENTITY_CARD": ("identity card", "id card", "carta d'identità", "carta di identità", "cie"),
    "IT_DRIVER_LICENSE": (
        "patente",
        "driving licence",
        "driving license",
        "driver's license",
        "license",
        "licence",
    ),
    "IN_VOTER": ("voter", "voters", "vote", "epic", "electoral"),
    "IN_AADHAAR": ("aadhaar", "aadhar", "uidai", "uid"),
    "PH_TIN": ("tin", "tax id", "taxpayer", "bir"),
    "KR_DRIVER_LICENSE": (
        "driver",
        "drivers",
        "driver's",
        "driving",
        "license",
        "licence",
        "운전면허",
        "면허",
    ),
}
# Digit-only ids whose checksum passes by chance too often for code: they need context there.
DIGIT_IDS: dict[str, tuple[str, ...]] = {
    "AU_ABN": ("abn", "business number"),
    "AU_ACN": ("acn", "company number"),
    "AU_TFN": ("tfn", "tax file"),
    "AU_MEDICARE": ("medicare",),
    "CA_SIN": ("sin", "nas", "social insurance"),
    "DE_LANR": ("lanr", "arztnummer"),
    "DE_BSNR": ("bsnr", "betriebsstättennummer"),
    "DE_TAX_ID": ("steuer-id", "steuerid", "steueridentifikationsnummer", "idnr", "tax id"),
    "UK_NHS": ("nhs",),
    "US_NPI": ("npi", "provider"),
    "SE_PERSONNUMMER": ("personnummer", "personal number", *_ID_NUMBER),
    "SE_ORGANISATIONSNUMMER": ("organisationsnummer", "org nr", "orgnr", "organisation number"),
    "IT_VAT_CODE": ("partita iva", "p.iva", "piva", "vat"),
    "KR_BRN": ("brn", "business registration", "사업자등록번호", "사업자"),
    "KR_RRN": ("rrn", "resident registration", "주민등록번호", "주민번호"),
    "KR_FRN": ("frn", "foreigner registration", "외국인등록번호"),
    "PL_PESEL": ("pesel",),
    "TH_TNIN": ("tnin", "เลขประจำตัวประชาชน", *_ID_NUMBER),
    "TR_NATIONAL_ID": ("tc kimlik", "kimlik", "tckn", *_ID_NUMBER),
    "ZA_ID_NUMBER": (*_ID_NUMBER,),
    "IN_AADHAAR": CONTEXT_WORDS["IN_AADHAAR"],
}
# A single check digit passes one number in ten: without context, bare digits need context and
# formatted ones score just above the threshold, below an overlapping phone number's shape (``pii_ids``).
WEAK_DIGIT_IDS = frozenset({"SE_ORGANISATIONSNUMMER", "IT_VAT_CODE", "PL_PESEL"})
WEAK_DIGIT_SCORE = 0.55
# presidio scores these below 1.0 when the checksum fails: only a passed checksum counts.
CHECKSUM_ONLY = frozenset({"DE_VAT_ID"})
CODE_SEGMENT_KINDS: frozenset[SegmentKind] = frozenset({"code", "tool_input", "tool_result"})
CONTEXT_BEFORE = 50
CONTEXT_AFTER = 40
CONTEXT_SCORE = 0.6
NO_CONTEXT_SCORE = 0.4
# Country ids score at most this: a validated card (0.95) or vendor key that overlaps one wins.
ID_SCORE_CAP = 0.9
NER_SCORE = 0.85  # what presidio's SpacyRecognizer gives every entity
NER_BATCH = 32
NO_DIGIT_ENTITIES: tuple[str, ...] = ("EMAIL_ADDRESS", "URL", "MAC_ADDRESS")
# Recognisers whose weak patterns can never be reported (score + presidio's 0.35 context boost stays
# under 0.5) yet cost the most: IN_PAN's lowest pattern has look-aheads that rescan the rest of the
# text at every position, 85% of all pattern time on long messages. Only their strong patterns run.
STRONG_PATTERNS_ONLY = frozenset({"IN_PAN"})
STRONG_PATTERN_SCORE = 0.5
_HAS_DIGIT = re.compile(r"\d")
_US_PHONE_SHAPE = re.compile(r"^\(?\d{3}\)?[-.]\d{3}[-.]\d{4}$")
_NHS_CONTEXT = compile_context_words(("nhs", "health", "patient", "hospital", "gp", "nhs number"))

# spaCy labels mapped to presidio entities; everything else (NORP, ORG, DATE, …) is dropped.
_NER_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"}
_AREA_CODE = re.compile(r"^\(\d{2,5}\)")
_PHONE_SEPARATORS = re.compile(r"[-. ]")
_CONTEXT = {entity: compile_context_words(words) for entity, words in CONTEXT_WORDS.items()}
_DIGIT_CONTEXT = {entity: compile_context_words(words) for entity, words in DIGIT_IDS.items()}
# A 12-digit Aadhaar written in groups (1234 5678 9012) is specific enough without context.
_GROUPED_AADHAAR = re.compile(r"^\d{4}[ :-]\d{4}[ :-]\d{4}$")


class PresidioDetector:
    """Emails, phones, SSNs, IPs everywhere; names and places in prose (with a NER pipeline)."""

    id = "pii.presidio"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __init__(self, *, patterns_nlp: Language, ner_nlp: Language | None = None) -> None:
        configure_offline()
        self._patterns = build_analyzer(patterns_nlp)
        self._nlp = ner_nlp
        ner_key = pipeline_id(ner_nlp) if ner_nlp is not None else "off"
        # Part of the ruleset id: results change with the NER pipeline, so must the ruleset.
        self.ruleset_key = f"{self.id}[ner={ner_key}]"

    def __repr__(self) -> str:
        return f"PresidioDetector(id={self.id!r}, ner={self._nlp is not None})"

    def detect(self, segment: Segment) -> list[Detection]:
        """Personal data in the segment; NER entities only in prose and names."""
        return self.detect_many([segment])[0]

    def detect_many(self, segments: list[Segment]) -> list[list[Detection]]:
        """``detect`` for several segments, with one batched spaCy NER pass over their prose."""
        found = [self._patterns_in(segment) for segment in segments]
        if self._nlp is not None:
            prose = [i for i, segment in enumerate(segments) if segment.kind in NER_SEGMENT_KINDS]
            docs = self._nlp.pipe((segments[i].text for i in prose), batch_size=NER_BATCH)
            for i, doc in zip(prose, docs, strict=True):
                found[i].extend(_ner_detections(self.id, segments[i], doc))
        return found

    def _patterns_in(self, segment: Segment) -> list[Detection]:
        text = segment.text
        # Every pattern entity but these needs a digit: without one, presidio runs only these.
        entities = PATTERN_ENTITIES if _HAS_DIGIT.search(text) else NO_DIGIT_ENTITIES
        if not entities:
            return []
        results = self._patterns.analyze(
            text=text, language="en", entities=list(entities), allow_list=list(ALLOW_LIST)
        )
        emails = [(r.start, r.end) for r in results if r.entity_type == "EMAIL_ADDRESS"]
        found: list[Detection] = []
        for r in results:
            if r.entity_type not in entities or r.end <= r.start:
                continue
            if r.entity_type == "URL" and any(a < r.end and r.start < b for a, b in emails):
                continue  # the domain of an email address is not a URL of its own
            if r.entity_type in COUNTRY_RECOGNIZERS and _glued(text, r.start, r.end):
                continue  # digits inside a token (a key, a card, an id) are not an id of their own
            if r.entity_type in COUNTRY_RECOGNIZERS and _in_longer_number(text, r.start, r.end):
                continue  # "4539 1488 0343" of a 16-digit grouped number is not a 12-digit id
            score = _score(r.entity_type, text, r.start, r.end, float(r.score), segment.kind)
            category: Category = "regulated" if r.entity_type in REGULATED_ENTITIES else "pii"
            found.append(
                Detection(
                    r.entity_type, category, self.id, segment.start + r.start, segment.start + r.end, score
                )
            )
        return found


def _ner_detections(detector: str, segment: Segment, doc: Doc) -> list[Detection]:
    """PERSON and LOCATION from spaCy's entities, at presidio's NER score; "Claude" never counts."""
    out = []
    for ent in doc.ents:
        entity = _NER_LABELS.get(ent.label_)
        if entity is None or ent.text in ALLOW_LIST or ent.end_char <= ent.start_char:
            continue
        start, end = segment.start + ent.start_char, segment.start + ent.end_char
        out.append(Detection(entity, "pii", detector, start, end, NER_SCORE))
    return out


def _glued(text: str, start: int, end: int) -> bool:
    """True when the span continues a longer token: a word character or ``-``/``_`` joins it."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return any(c.isalnum() or c in "_-" for c in (before, after)) and not (
        before in "-" and (start < 2 or not text[start - 2].isalnum())
    )


_DIGIT_GROUP_AFTER = re.compile(r"[ .-]\d")
_DIGIT_GROUP_BEFORE = re.compile(r"\d[ .-]$")


def _in_longer_number(text: str, start: int, end: int) -> bool:
    """True when a digit value continues into another digit group (a longer grouped number)."""
    value = text[start:end]
    if not value[-1:].isdigit() and not value[:1].isdigit():
        return False
    return bool(
        (value[-1:].isdigit() and _DIGIT_GROUP_AFTER.match(text, end))
        or (value[:1].isdigit() and _DIGIT_GROUP_BEFORE.search(text[max(0, start - 2) : start]))
    )


def _score(entity: str, text: str, start: int, end: int, score: float, kind: SegmentKind) -> float:
    return min(
        _raw_score(entity, text, start, end, score, kind),
        ID_SCORE_CAP if entity in COUNTRY_RECOGNIZERS else 1.0,
    )


def _raw_score(entity: str, text: str, start: int, end: int, score: float, kind: SegmentKind) -> float:
    value = text[start:end]
    if entity == "PHONE_NUMBER" and is_formatted_phone(value):
        return max(score, FORMATTED_PHONE_SCORE)
    if entity == "US_SSN" and not valid_ssn(value):
        return 0.0  # area 000, 666 or 9xx, group 00 or serial 0000: never issued
    if (
        entity == "UK_NHS"
        and _US_PHONE_SHAPE.match(value)
        and not has_context(_NHS_CONTEXT, text, start, end)
    ):
        return min(score, NO_CONTEXT_SCORE)  # 3-3-4 with dashes is a US phone; 1 in 11 passes mod 11
    if entity == "IN_AADHAAR" and _GROUPED_AADHAAR.match(value) and kind not in CODE_SEGMENT_KINDS:
        return max(score, CONTEXT_SCORE) if score > 0 else score
    if entity in CHECKSUM_ONLY and score < 1.0:
        return min(score, NO_CONTEXT_SCORE)
    gate = _CONTEXT.get(entity)
    if gate is None and kind in CODE_SEGMENT_KINDS:
        gate = _DIGIT_CONTEXT.get(entity)
    if gate is not None:
        return CONTEXT_SCORE if has_context(gate, text, start, end) else min(score, NO_CONTEXT_SCORE)
    if entity in WEAK_DIGIT_IDS and not has_context(_DIGIT_CONTEXT.get(entity), text, start, end):
        return min(score, NO_CONTEXT_SCORE if value.isdigit() else WEAK_DIGIT_SCORE)
    return min(score, 1.0)


def valid_ssn(value: str) -> bool:
    """False for numbers the SSA never issues: area 000, 666 or 900-999, group 00, serial 0000."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 9:
        return True  # not ours to judge: presidio's own checks apply
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def has_context(words: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    """True when one of ``words`` stands within the context window around ``text[start:end]``."""
    if words is None:
        return False
    before = text[max(0, start - CONTEXT_BEFORE) : start]
    after = text[end : end + CONTEXT_AFTER]
    return bool(words.search(before) or words.search(after))


def is_formatted_phone(value: str) -> bool:
    """Written like a phone number: ``+`` prefix, ``(area)``, or digit groups of three or more."""
    value = value.strip()
    if value.startswith("+") or _AREA_CODE.search(value):
        return True
    groups = _PHONE_SEPARATORS.split(value)
    return len(groups) > 1 and all(len(group) >= 3 and group.isdigit() for group in groups)


def build_analyzer(nlp: Language) -> AnalyzerEngine:
    """A presidio ``AnalyzerEngine`` for our pattern recognisers over a blank tokenizer pipeline."""
    configure_offline()  # before presidio (and tldextract) are imported
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    # NER is not presidio's job here (``detect_many`` runs spaCy itself): no label maps to an entity.
    config = NerModelConfiguration(model_to_presidio_entity_mapping={}, labels_to_ignore=[])
    # The model name is only a label here: ``.nlp`` is set directly, so nothing is loaded.
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": pipeline_id(nlp)}], ner_model_configuration=config
    )
    engine.nlp = {"en": nlp}  # type: ignore[assignment]  # presidio annotates it as None until load()
    registry = RecognizerRegistry(recognizers=_recognizers(), supported_languages=["en"])
    return AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=["en"], log_decision_process=False
    )


def _recognizers() -> list[EntityRecognizer]:
    from presidio_analyzer import predefined_recognizers as predefined
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    recognizers: list[EntityRecognizer] = [
        EmailRecognizer(),
        PhoneRecognizer(),
        UsSsnRecognizer(),
        IpRecognizer(),
    ]
    for entity, name in COUNTRY_RECOGNIZERS.items():
        recognizer = getattr(predefined, name)(supported_language="en")
        if entity not in recognizer.supported_entities:
            raise ValueError(f"presidio recogniser {name} does not emit {entity}")
        if entity in STRONG_PATTERNS_ONLY:
            strong = [p for p in recognizer.patterns if p.score >= STRONG_PATTERN_SCORE]
            recognizer = getattr(predefined, name)(patterns=strong, supported_language="en")
        recognizers.append(recognizer)
    return recognizers
