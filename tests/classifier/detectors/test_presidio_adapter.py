"""``pii.presidio`` without NER (blank pipeline): pattern entities, scores, no network, quiet logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from spacy.language import Language

from classifier.detectors.presidio_adapter import PresidioDetector, is_formatted_phone
from classifier.types import SegmentKind
from tests.classifier.helpers import detections, spans

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def detector(blank_nlp: Language) -> PresidioDetector:
    return PresidioDetector(patterns_nlp=blank_nlp)


EMAIL = "dana.whitfield@northwind-example.com"
POSITIVES = [
    ("email", f"Send the invoice to {EMAIL} today", "EMAIL_ADDRESS", EMAIL),
    ("phone formatted", "Call me at (415) 555-0132 if it breaks.", "PHONE_NUMBER", "(415) 555-0132"),
    ("phone international", "reach me on +44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),
    ("ssn with context", "Her SSN is 536-22-4187 per HR.", "US_SSN", "536-22-4187"),
    ("ipv4", "server 10.20.30.40 is down", "IP_ADDRESS", "10.20.30.40"),
    ("ipv6", "bind to 2001:db8::1 now", "IP_ADDRESS", "2001:db8::1"),
]


@pytest.mark.parametrize(("case", "text", "entity", "value"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_finds_pattern_entities(
    detector: PresidioDetector, case: str, text: str, entity: str, value: str
) -> None:
    hits = [d for d in detections(detector, text) if d.score >= 0.5]
    assert [(d.entity, text[d.start : d.end]) for d in hits] == [(entity, value)]
    assert all(d.category == "pii" and d.detector == "pii.presidio" for d in hits)


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("bare digits are ids, not phones", "ticket 4155550132 closed"),
        ("known invalid ssn", "SSN 078-05-1120 is the famous sample"),
        ("ssn area 9xx is never issued", "For the background check use SSN 902-07-7406."),
        ("ssn area 666", "SSN 666-12-3456"),
        ("ssn group 00", "SSN 212-00-3456"),
        ("not an email", "user at example dot com"),
        ("order number", "Order number 1234 5678 9012 3456 shipped."),
        ("a person without ner", "Margaret Okonkwo met us in Berlin."),
    ],
)
def test_rejects_hard_negatives(detector: PresidioDetector, case: str, text: str) -> None:
    assert [d for d in detections(detector, text) if d.score >= 0.5] == []


def test_pattern_entities_run_on_code_and_tool_segments(detector: PresidioDetector) -> None:
    kinds: tuple[SegmentKind, ...] = ("code", "tool_input", "tool_result", "name")
    for kind in kinds:
        assert spans(detector, "mail ops@corp-example.com", kind) == [
            ("EMAIL_ADDRESS", "ops@corp-example.com")
        ]


def test_offsets_are_into_the_block(detector: PresidioDetector) -> None:
    assert spans(detector, "mail ops@corp-example.com", prefix="```\ncode\n```\n") == [
        ("EMAIL_ADDRESS", "ops@corp-example.com")
    ]


def test_no_names_or_places_from_the_pattern_stage(detector: PresidioDetector) -> None:
    # PERSON and LOCATION are pii.ner's (spaCy NER); presidio runs pattern recognisers only.
    assert spans(detector, "I met Margaret Okonkwo in Berlin.") == []


def test_presidio_logs_no_text_even_at_debug(
    detector: PresidioDetector, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "cnryPresidioLog42"
    with caplog.at_level(logging.DEBUG):
        detections(detector, f"phone number {canary} 415-555-0132 and {canary}@corp-example.com")
    assert logging.getLogger("presidio-analyzer").level >= logging.WARNING
    assert canary not in caplog.text


_GUARD = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(str(args[1:2]))
        raise OSError("network is off in this test")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    """
)
_SCAN = _GUARD + textwrap.dedent(
    """
    from classifier.detectors.presidio_adapter import PresidioDetector
    from classifier.nlp import blank_pipeline
    from classifier.types import BlockText, Segment
    text = "mail dana@northwind-example.co.uk now"
    source = BlockText("m", "user", 0, "text", text)
    hits = PresidioDetector(patterns_nlp=blank_pipeline()).detect(Segment(source, "prose", 0, len(text)))
    print(json.dumps({"attempts": attempts, "found": [text[h.start:h.end] for h in hits]}))
    """
)
_CONTROL = _GUARD + textwrap.dedent(
    """
    import tldextract
    tldextract.TLDExtract(cache_dir=sys.argv[1])("dana@northwind-example.co.uk")
    print(json.dumps({"attempts": attempts}))
    """
)


def _run(code: str, tmp_path: Path, *args: str) -> dict[str, list[str]]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT")}
    # An empty cache: tldextract would have to fetch the suffix list if it were allowed to.
    env.update(PYTHONPATH=str(REPO), TLDEXTRACT_CACHE=str(tmp_path / "tld-cache"), HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_email_recogniser_never_touches_the_network(tmp_path: Path) -> None:
    out = _run(_SCAN, tmp_path)
    assert out["found"] == ["dana@northwind-example.co.uk"]
    assert out["attempts"] == []


def test_the_network_guard_does_catch_a_default_tldextract(tmp_path: Path) -> None:
    # Control: without chatsift's configuration tldextract does try the network on first use.
    out = _run(_CONTROL, tmp_path, str(tmp_path / "control-cache"))
    assert out["attempts"], "the guard saw no attempt: the test above would prove nothing"


@pytest.mark.parametrize(
    ("value", "formatted"),
    [
        ("(415) 555-0132", True),
        ("+44 20 7946 0958", True),
        ("415-555-0132", True),
        ("030 1234567", True),
        ("415.555.0132", True),
        ("4155550132", False),
        ("078-05-1120", False),
        ("12 34 56 78", False),
    ],
)
def test_formatted_phone_rule(value: str, formatted: bool) -> None:
    assert is_formatted_phone(value) is formatted


# Country ids: (case, text, entity, value, category). Values are checksum-valid where the id has one.
COUNTRY_POSITIVES = [
    ("uk nino", "NI number AB 12 34 56 C on file", "UK_NINO", "AB 12 34 56 C", "pii"),
    ("sg nric", "NRIC S2740116C was processed", "SG_NRIC_FIN", "S2740116C", "pii"),
    ("mac", "device 00:1A:2B:3C:4D:5E joined", "MAC_ADDRESS", "00:1A:2B:3C:4D:5E", "pii"),
    ("es nif", "mi DNI es 12345678Z", "ES_NIF", "12345678Z", "pii"),
    ("fi code", "henkilötunnus 131052-308T", "FI_PERSONAL_IDENTITY_CODE", "131052-308T", "pii"),
    ("se personnummer", "pnr 19910924-2397 ok", "SE_PERSONNUMMER", "19910924-2397", "pii"),
    ("uk nhs is regulated", "NHS number 943 476 5919", "UK_NHS", "943 476 5919", "regulated"),
    (
        "de health insurance",
        "Versichertennummer A123456780",
        "DE_HEALTH_INSURANCE",
        "A123456780",
        "regulated",
    ),
    ("us npi is regulated", "provider NPI 1245319599", "US_NPI", "1245319599", "regulated"),
    ("url with context", "the website is example-shop.com now", "URL", "example-shop.com", "pii"),
    ("uk postcode with context", "my postcode is SW1A 1AA", "UK_POSTCODE", "SW1A 1AA", "pii"),
    ("uk passport with context", "My passport number is CD7654321", "UK_PASSPORT", "CD7654321", "pii"),
    ("grouped aadhaar", "3123 4567 8909", "IN_AADHAAR", "3123 4567 8909", "pii"),
    ("vehicle with context", "My car reg is AB51 ABC and", "UK_VEHICLE_REGISTRATION", "AB51 ABC", "pii"),
    ("ph tin with context", "My TIN is 000-123-456-000", "PH_TIN", "000-123-456-000", "pii"),
]


@pytest.mark.parametrize(
    ("case", "text", "entity", "value", "category"), COUNTRY_POSITIVES, ids=[p[0] for p in COUNTRY_POSITIVES]
)
def test_finds_country_ids(
    detector: PresidioDetector, case: str, text: str, entity: str, value: str, category: str
) -> None:
    hits = [d for d in detections(detector, text) if d.score >= 0.5 and d.entity == entity]
    start = text.index(value)
    assert [(d.start, d.end, d.category) for d in hits] == [(start, start + len(value), category)]


COUNTRY_NEGATIVES = [
    ("url without context", "see https://docs.example.org/api for details", "URL"),
    ("bare domain", "import example.com.utils", "URL"),
    ("postcode without context", "meet at SW1A 1AA", "UK_POSTCODE"),
    ("vehicle without context", "the AB51 ABC model", "UK_VEHICLE_REGISTRATION"),
    ("tr plate without context", "bought 34 ABC 1234 items", "TR_LICENSE_PLATE"),
    ("passport shape without context", "code AB1234567 sent", "UK_PASSPORT"),
    ("it passport needs italian", "My passport number is CD7654321", "IT_PASSPORT"),
    ("us licence without context", "ref H12234567 closed", "US_DRIVER_LICENSE"),
    ("bare aadhaar", "account 312345678909", "IN_AADHAAR"),
    ("bad nino prefix", "NI number QQ 12 34 56 C", "UK_NINO"),
    ("de vat bad checksum", "DE123456789", "DE_VAT_ID"),
    ("kr licence without context", "191005059801", "KR_DRIVER_LICENSE"),
    ("nhs bad checksum", "NHS number 943 476 5918", "UK_NHS"),
    ("bare luhn-valid ten digits", "ticket 4155550132 closed", "SE_ORGANISATIONSNUMMER"),
    # 303-555-0158 passes the NHS mod-11 check by chance; written 3-3-4 with dashes it is a US phone
    ("us phone passing mod 11", "Gabriel Chen,gc@example.org,303-555-0158", "UK_NHS"),
    ("id inside a key", "token xoxs-41684372915-1234 here", "DE_TAX_ID"),
    ("prefix of a grouped card", "Charge the card 4539 1488 0343 6468 for the renewal.", "IN_AADHAAR"),
]


@pytest.mark.parametrize(("case", "text", "entity"), COUNTRY_NEGATIVES, ids=[n[0] for n in COUNTRY_NEGATIVES])
def test_rejects_country_hard_negatives(
    detector: PresidioDetector, case: str, text: str, entity: str
) -> None:
    assert [d for d in detections(detector, text) if d.score >= 0.5 and d.entity == entity] == []


def test_digit_ids_need_context_in_code(detector: PresidioDetector) -> None:
    def nhs(text: str, kind: SegmentKind) -> list[str]:
        return [d.entity for d in detections(detector, text, kind) if d.score >= 0.5 and d.entity == "UK_NHS"]

    assert nhs("x = 9434765919", "code") == []
    assert nhs("nhs = 9434765919", "code") == ["UK_NHS"]
    assert nhs("x = 9434765919", "prose") == ["UK_NHS"]
