"""``pii.presidio``: a presidio-analyzer adapter for personal data (categories ``pii``, ``regulated``).

Entities: EMAIL_ADDRESS, PHONE_NUMBER, US_SSN, IP_ADDRESS, MAC_ADDRESS and the national/country ids in
``COUNTRY_RECOGNIZERS`` from pattern recognisers (PERSON and LOCATION are ``ner``'s). presidio's
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

What runs when. Each segment is one ``AnalyzerEngine.analyze`` call, with three shortcuts that leave
its results exactly as a plain call over every pattern entity would:

* ``entities=`` names only the recognisers that can match the text (``_entities_for``): without a
  digit only email, URL and MAC addresses; with digits, only recognisers whose every pattern fits
  in the text's longest digit run (``entities_by_digit_run``, bounds computed from the patterns
  themselves by ``base.min_digit_run``); URL only when the text has a dotted name with a two-letter
  top-level domain (``_DOTTED_NAME``). A recogniser that cannot match adds no result, and presidio
  combines results, never recognisers.
* Tokens (presidio's NLP artifacts, for its context-word enhancement) are built on first use
  (``_LazyArtifacts``), from the doc's arrays rather than a ``Token`` object per token: most
  texts have no result to enhance and are never tokenised.
* Context enhancement is skipped when every result is a country id ``_detections`` drops by span
  (``_not_an_id``): nothing of such a text survives whatever the scores (``PatternAnalyzer``).

Scores are presidio's, with the context rules above and one more change: a phone number written
like one (a leading ``+``, an ``(area code)``, or separated digit groups of three or more) scores at
least 0.6 (presidio gives every phone 0.4 without a context word, and "call" is a spaCy stop word,
so "call me at (415) 555-0132" would never count). Bare digit runs and other groupings
(``078-05-1120`` is an SSN shape) keep 0.4: they are usually ids. "Claude" and "Anthropic" are never
a PERSON/LOCATION finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import regex
from spacy.attrs import IDX, LEMMA, LENGTH
from spacy.language import Language

from classifier.detectors.base import compile_context_words, longest_digit_run, min_digit_run
from classifier.nlp import pipeline_id
from classifier.offline import configure_offline
from classifier.types import SEGMENT_KINDS, Category, Detection, Segment, SegmentKind

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine, SpacyNlpEngine
    from spacy.tokens import Doc

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
NO_DIGIT_ENTITIES: tuple[str, ...] = ("EMAIL_ADDRESS", "URL", "MAC_ADDRESS")
# Recognisers whose weak patterns can never be reported (score + presidio's 0.35 context boost stays
# under 0.5) yet cost the most: IN_PAN's lowest pattern has look-aheads that rescan the rest of the
# text at every position, 85% of all pattern time on long messages. Only their strong patterns run.
STRONG_PATTERNS_ONLY = frozenset({"IN_PAN"})
STRONG_PATTERN_SCORE = 0.5
_HAS_DIGIT = re.compile(r"\d")
_US_PHONE_SHAPE = re.compile(r"^\(?\d{3}\)?[-.]\d{3}[-.]\d{4}$")
_NHS_CONTEXT = compile_context_words(("nhs", "health", "patient", "hospital", "gp", "nhs number"))

_AREA_CODE = re.compile(r"^\(\d{2,5}\)")
_PHONE_SEPARATORS = re.compile(r"[-. ]")
_CONTEXT = {entity: compile_context_words(words) for entity, words in CONTEXT_WORDS.items()}
_DIGIT_CONTEXT = {entity: compile_context_words(words) for entity, words in DIGIT_IDS.items()}
# A 12-digit Aadhaar written in groups (1234 5678 9012) is specific enough without context.
_GROUPED_AADHAAR = re.compile(r"^\d{4}[ :-]\d{4}[ :-]\d{4}$")


class PresidioDetector:
    """Emails, phones, SSNs, IPs, national and health ids, in every kind of segment."""

    id = "pii.presidio"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __init__(self, *, patterns_nlp: Language) -> None:
        configure_offline()
        self._patterns = build_analyzer(patterns_nlp)
        self._by_digit_run = entities_by_digit_run(self._patterns)
        self._url_gate = url_needs_dotted_name(self._patterns)

    def __repr__(self) -> str:
        return f"PresidioDetector(id={self.id!r})"

    def detect(self, segment: Segment) -> list[Detection]:
        """Personal data in the segment (pattern recognisers only)."""
        return self._patterns_in(segment)

    def _patterns_in(self, segment: Segment) -> list[Detection]:
        text = segment.text
        entities = self._entities_for(text)
        if not entities:
            return []
        # Tokens are built only if a result needs context enhancement (``_LazyArtifacts``).
        results = self._patterns.analyze(
            text=text,
            language="en",
            entities=list(entities),
            allow_list=list(ALLOW_LIST),
            nlp_artifacts=cast("NlpArtifacts", _LazyArtifacts(self._patterns.nlp_engine, text)),
        )
        return self._detections(segment, text, entities, results)

    def _entities_for(self, text: str) -> tuple[str, ...]:
        """The entities presidio is asked for: only those whose recognisers can match ``text``."""
        # Every pattern entity but these needs a digit: without one, presidio runs only these.
        if not _HAS_DIGIT.search(text):
            entities = NO_DIGIT_ENTITIES
        else:  # with digits, those whose every pattern fits in the text's longest digit run
            entities = self._by_digit_run[min(longest_digit_run(text), len(self._by_digit_run) - 1)]
        if self._url_gate and not _DOTTED_NAME.search(text):
            entities = tuple(e for e in entities if e != "URL")
        return entities

    def _detections(
        self, segment: Segment, text: str, entities: tuple[str, ...], results: list[RecognizerResult]
    ) -> list[Detection]:
        """presidio's results as detections, with our context rules and scores."""
        emails = [(r.start, r.end) for r in results if r.entity_type == "EMAIL_ADDRESS"]
        found: list[Detection] = []
        for r in results:
            if r.entity_type not in entities or r.end <= r.start:
                continue
            if r.entity_type == "URL" and any(a < r.end and r.start < b for a, b in emails):
                continue  # the domain of an email address is not a URL of its own
            if _not_an_id(text, r.entity_type, r.start, r.end):
                continue  # part of a longer token or a longer number (see ``_not_an_id``)
            score = _score(r.entity_type, text, r.start, r.end, float(r.score), segment.kind)
            category: Category = "regulated" if r.entity_type in REGULATED_ENTITIES else "pii"
            found.append(
                Detection(
                    r.entity_type, category, self.id, segment.start + r.start, segment.start + r.end, score
                )
            )
        return found


class _LazyArtifacts:
    """presidio's NLP artifacts of one text (its tokens and lemmas), built on first use.

    ``AnalyzerEngine.analyze`` tokenises every text up front, yet only its context enhancement reads
    the tokens: the pattern recognisers (and the phone recogniser) never look at them, and the
    enhancer reads them only for a result of a recogniser with context words. Passed as
    ``nlp_artifacts=``, this object builds the artifacts the first time an attribute is read, so a
    text without such results is never tokenised. It lives for one ``analyze`` call.

    The artifacts are those of ``SpacyNlpEngine.process_text`` (the same pipeline over the same
    text, the same lemmas, token offsets and keywords), read from the doc's arrays instead of one
    ``Token`` object per token, with two representation changes that presidio cannot observe:
    ``tokens`` is the list of token strings rather than the ``Doc`` (the enhancer only tests it for
    emptiness and reads each token's length while scanning for the match's token, once per
    result), and ``entities`` is empty (the engine maps no NER label to an entity, and no
    recogniser here reads them).
    """

    def __init__(self, engine: NlpEngine, text: str) -> None:
        self._engine = cast("SpacyNlpEngine", engine)  # ``build_analyzer``'s engine
        self._text = text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        from presidio_analyzer.nlp_engine import NlpArtifacts

        text = self._text
        doc = self._engine.nlp["en"](text)  # type: ignore[index]  # set by ``build_analyzer``
        starts: list[int] = []
        tokens: list[str] = []
        lemmas: list[str] = []
        if len(doc):
            strings = doc.vocab.strings
            for start, length, lemma in doc.to_array([IDX, LENGTH, LEMMA]).tolist():
                starts.append(start)
                tokens.append(text[start : start + length])
                lemmas.append(strings[lemma])
        artifacts = NlpArtifacts(
            entities=[],
            tokens=cast("Doc", tokens),
            tokens_indices=starts,
            lemmas=lemmas,
            nlp_engine=self._engine,
            language="en",
        )
        self.__dict__.update(vars(artifacts))  # later reads find the attributes directly
        return getattr(artifacts, name)


def _not_an_id(text: str, entity: str, start: int, end: int) -> bool:
    """True for a country id that is not one of its own, whatever its score.

    Digits inside a token (a key, a card, an id) are not an id of their own (``_glued``), nor is
    part of a longer grouped number: "4539 1488 0343" of a 16-digit card is not a 12-digit id.
    """
    return entity in COUNTRY_RECOGNIZERS and (_glued(text, start, end) or _in_longer_number(text, start, end))


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


def entities_by_digit_run(analyzer: AnalyzerEngine) -> list[tuple[str, ...]]:
    """``PATTERN_ENTITIES`` that can match a text whose longest digit run is n, at index n.

    A pattern recogniser's results come from its patterns alone, so one whose every pattern needs a
    longer digit run (``base.min_digit_run``: 9 for ``\\b\\d{9}\\b``) than the text has finds
    nothing there: leaving its entity out of ``entities=`` leaves presidio's results unchanged. The
    phone recogniser (phonenumbers, not regexes) and any recogniser with its own ``analyze`` always
    run. The last index stands for every longer run.
    """
    from presidio_analyzer import Pattern, PatternRecognizer

    need: dict[str, int] = {}
    for recognizer in analyzer.registry.recognizers:
        patterns = cast("list[Pattern]", getattr(recognizer, "patterns", None) or [])
        pure_patterns = (
            isinstance(recognizer, PatternRecognizer)
            and type(recognizer).analyze is PatternRecognizer.analyze
            and not recognizer.deny_list
        )
        run = 0
        if pure_patterns and patterns:
            flags = int(getattr(recognizer, "global_regex_flags", 0) or 0)
            run = min(min_digit_run(p.regex, flags) for p in patterns)
        for entity in recognizer.supported_entities:
            need[entity] = min(need.get(entity, run), run)
    longest = max(need.values(), default=0)
    return [tuple(e for e in PATTERN_ENTITIES if need.get(e, 0) <= run) for run in range(longest + 1)]


# Every URL pattern of presidio's (in ``url_needs_dotted_name``'s check) holds a host name, a dot and a
# top-level domain of two letters or more: a text without a name character, a dot and two letters
# cannot match (same engine and flags as presidio's, so ``(?i)`` letters agree).
_DOTTED_NAME = regex.compile(
    r"[a-z0-9.\-][.][a-z][a-z]", flags=regex.IGNORECASE | regex.MULTILINE | regex.DOTALL
)
_URL_HOST = r"[a-z0-9.\-]{1,253}[.](?:"
_URL_PREFIXES = frozenset(
    {
        r"(?i)(?:https?://)((www\d{0,3}[.])?",
        r"(?i)((www\d{0,3}[.])?",
        r'(?i)["\'](https?://((www\d{0,3}[.])?',
        r'(?i)["\'](((www\d{0,3}[.])?',
    }
)
_TLDS = re.compile(r"(?:\(\?:[a-z]{2,}\)\|)*\(\?:[a-z]{2,}\)\)")


def url_needs_dotted_name(analyzer: AnalyzerEngine) -> bool:
    """True when every URL pattern is ``<prefix>[a-z0-9.-]{1,253}[.](?:<tld>|…)…`` as in presidio 2.2.

    The prefix must be one of presidio's four (scheme, quote, optional ``www.``: nothing that could
    skip the host) and every top-level domain two letters or more; otherwise the ``_DOTTED_NAME``
    gate is off and the URL recogniser runs on every text.
    """
    from presidio_analyzer import Pattern, PatternRecognizer

    urls = [r for r in analyzer.registry.recognizers if "URL" in r.supported_entities]
    for recognizer in urls:
        if type(recognizer).analyze is not PatternRecognizer.analyze or getattr(
            recognizer, "deny_list", None
        ):
            return False
        for pattern in cast("list[Pattern]", getattr(recognizer, "patterns", None) or []):
            at = pattern.regex.find(_URL_HOST)
            if at < 0 or pattern.regex[:at] not in _URL_PREFIXES:
                return False
            if not _TLDS.match(pattern.regex, at + len(_URL_HOST)):
                return False
    return bool(urls)


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

    class PatternAnalyzer(AnalyzerEngine):
        """presidio's engine, minus context enhancement of results ``_patterns_in`` always drops.

        When every result of a text is a country id inside a longer token or number
        (``_not_an_id``), enhancing their scores (and tokenising the text to do so) changes nothing:
        dropping low scores, duplicates and allowed values only removes results, and whatever
        remains is dropped by span, not by score. Any other result gets presidio's enhancement.
        """

        def _enhance_using_context(
            self,
            text: str,
            raw_results: list[RecognizerResult],
            nlp_artifacts: NlpArtifacts,
            recognizers: list[EntityRecognizer],
            context: list[str] | None = None,
        ) -> list[RecognizerResult]:
            if all(_not_an_id(text, r.entity_type, r.start, r.end) for r in raw_results):
                return raw_results
            return super()._enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)

    return PatternAnalyzer(
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
