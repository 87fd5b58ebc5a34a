"""Content detectors: health ids, bulk personal data, and the lexicon detectors on the shipped models."""

from __future__ import annotations

import pytest

from classifier.detectors.content import (
    BulkPersonalDataDetector,
    HealthInsuranceIdDetector,
    LexiconDetector,
    MedicalRecordNumberDetector,
    content_detectors,
    default_models_dir,
)
from classifier.errors import ClassifierConfigError
from tests.classifier.helpers import spans, whole

MRN = MedicalRecordNumberDetector()
INSURANCE = HealthInsuranceIdDetector()
BULK = BulkPersonalDataDetector()


@pytest.mark.parametrize(
    ("case", "text", "value"),
    [
        ("mrn colon", "Patient MRN: 00482913, admitted Tuesday", "00482913"),
        ("mrn hash", "mrn #A-7731920 for the follow-up", "A-7731920"),
        ("medical record number", "her medical record number is 55-2231-09", "55-2231-09"),
        ("chart number", "Chart no. 8812034 needs the lab result", "8812034"),
        ("patient id", "patient ID 4471902 (bed 4)", "4471902"),
    ],
)
def test_medical_record_numbers(case: str, text: str, value: str) -> None:
    assert spans(MRN, text) == [("MEDICAL_RECORD_NUMBER", value)], case


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("no label", "the number 00482913 is on the form"),
        ("label without digits", "MRN: pending, ask the front desk"),
        ("a word after the label", "the medical record shows improvement since March"),
        ("too short", "MRN: 123"),
        ("inside a word", "XMRN: 00482913"),
    ],
)
def test_medical_record_number_negatives(case: str, text: str) -> None:
    assert spans(MRN, text) == [], case


@pytest.mark.parametrize(
    ("case", "text", "value"),
    [
        ("member id", "Member ID: XJH482910233 on the card", "XJH482910233"),
        ("insurance id", "insurance ID W1234-56789", "W1234-56789"),
        ("medicaid", "medicaid number 99231457", "99231457"),
        ("policy number with health context", "health policy no. HP-2291-7781", "HP-2291-7781"),
    ],
)
def test_health_insurance_ids(case: str, text: str, value: str) -> None:
    assert spans(INSURANCE, text) == [("HEALTH_INSURANCE_ID", value)], case


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("member without id", "every member gets a welcome pack"),
        ("plan id of letters only", "plan ID: GOLD-PLUS"),
        ("membership count", "member number 12 of the club"),
    ],
)
def test_health_insurance_negatives(case: str, text: str) -> None:
    assert spans(INSURANCE, text) == [], case


CSV_PEOPLE = "\n".join(
    ["name,email,city"] + [f"Person {i},person{i}@mail.test,Springfield" for i in range(8)]
)
CSV_THREE = "name,email,phone\n" + "\n".join(f"P {i},p{i}@shop.test,555-01{i:02d}" for i in range(3))
TSV_CONTACTS = "\n".join(f"row{i}\t+1 415 555 01{i:02d}\tnote" for i in range(6))
MARKDOWN = "\n".join(
    ["| first_name | last_name | dob |", "|---|---|---|"]
    + [f"| A{i} | B{i} | 1990-01-0{i} |" for i in range(1, 7)]
)
JSON_RECORDS = (
    "[\n"
    + ",\n".join(f'  {{"id": {i}, "full_name": "Name {i}", "email": "n{i}@corp.test"}}' for i in range(7))
    + "\n]"
)
YAML_RECORDS = "\n".join(f"- name: Person {i}\n  phone: 555-01{i:02d}" for i in range(6))


@pytest.mark.parametrize(
    ("case", "text", "records"),
    [
        ("csv with a personal header", CSV_PEOPLE, 8),
        ("three customers under name,email,phone", CSV_THREE, 3),
        ("tsv of phone numbers, no header", TSV_CONTACTS, 6),
        ("markdown table of people", MARKDOWN, 6),
        ("json array of people", JSON_RECORDS, 7),
        ("yaml list of people", YAML_RECORDS, 6),
    ],
)
def test_bulk_personal_data(case: str, text: str, records: int) -> None:
    found = BULK.detect(whole(text, "code", prefix="data:\n"))
    assert len(found) == 1, case
    d = found[0]
    assert (d.entity, d.category) == ("BULK_PERSONAL_DATA", "customer_data")
    assert d.start >= len("data:\n") and d.end <= len("data:\n") + len(text)
    assert d.score == pytest.approx(min(0.95, 0.6 + 0.02 * (records - 3)))


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("two records", "\n".join(["name,email"] + [f"P{i},p{i}@x.test" for i in range(2)])),
        ("four rows under a one-field header", "\n".join(["name,city"] + [f"P{i},Oslo" for i in range(4)])),
        ("csv of metrics", "\n".join(["host,cpu,mem"] + [f"web{i},0.{i},512" for i in range(9)])),
        (
            "json of products",
            "[\n" + ",\n".join(f'{{"sku": "A{i}", "price": {i}}}' for i in range(9)) + "\n]",
        ),
        ("prose with commas", "I went to the shop, bought bread, milk, eggs.\nThen home, then out.\n" * 3),
        ("one person's record", "name: Ada\nemail: ada@x.test\nphone: 555-0100\ncity: Paris\nrole: admin"),
    ],
)
def test_bulk_negatives(case: str, text: str) -> None:
    assert BULK.detect(whole(text, "code")) == [], case


@pytest.fixture(scope="module")
def lexicons() -> dict[str, LexiconDetector]:
    detectors = content_detectors()
    return {d.id: d for d in detectors if isinstance(d, LexiconDetector)}


HEALTH_POSITIVES = [
    "Doctor: Any allergies to medications? Patient: Penicillin gives me hives, "
    "and I take metformin for my diabetes.",
    "my mom was diagnosed with stage 2 breast cancer and starts chemotherapy next week, "
    "can you help me plan meals",
    "Pt presents with chest pain radiating to the left arm, history of hypertension, "
    "on lisinopril 10 mg daily.",
    "I've had migraines and nausea for three weeks, the neurologist increased my topiramate dose",
]
HEALTH_NEGATIVES = [
    "How do I reset my card PIN in the app?",
    "Write a Python function that merges two sorted lists.",
    "The patient gamer waits for the sale before buying the new console.",
    "Our team offsite is in Lisbon next month, suggest three restaurants near the river.",
]


@pytest.mark.parametrize("text", HEALTH_POSITIVES)
def test_health_lexicon_positives(lexicons: dict[str, LexiconDetector], text: str) -> None:
    found = lexicons["regulated.health"].detect(whole(text))
    assert found and all(d.entity == "HEALTH_INFORMATION" and d.category == "regulated" for d in found)
    assert all(d.score >= 0.5 for d in found)


@pytest.mark.parametrize("text", HEALTH_NEGATIVES)
def test_health_lexicon_negatives(lexicons: dict[str, LexiconDetector], text: str) -> None:
    assert lexicons["regulated.health"].detect(whole(text)) == []


FINANCIAL_POSITIVES = [
    "Q3 revenue came in at $4.2M against a forecast of $3.8M; EBITDA margin 18%. "
    "Don't share before the board call.",
    "My offer: base salary $145,000, 15% bonus target and 20k RSUs vesting over four years. "
    "Should I counter?",
    pytest.param(
        "Term sheet: $30M Series B at a $120M pre-money valuation, "
        "1x non-participating liquidation preference.",
        marks=pytest.mark.xfail(
            strict=True, reason="known miss: deal vocabulary is thin in training (model card)"
        ),
    ),
    "Payroll for March: 42 employees, gross pay $318,400, employer taxes $24,350; bonus accrual 12%.",
    "Current balance on the operating account is $1,284,330.17 after payroll went out.",
]
FINANCIAL_NEGATIVES = [
    "How do I freeze my card if I lost it?",
    "What does EBITDA mean and how is it different from operating income?",
    "Bake at 180 degrees for 25 minutes, then let it cool for 10.",
    "The server handled 12,400 requests per second at 35% CPU.",
    "Server p99 latency went from 180 ms to 240 ms after the deploy; error rate 0.2%.",
]


@pytest.mark.parametrize("text", FINANCIAL_POSITIVES)
def test_financial_lexicon_positives(lexicons: dict[str, LexiconDetector], text: str) -> None:
    found = lexicons["financial.content"].detect(whole(text))
    assert found and all(d.entity == "FINANCIAL_INFORMATION" and d.category == "financial" for d in found)


@pytest.mark.parametrize("text", FINANCIAL_NEGATIVES)
def test_financial_lexicon_negatives(lexicons: dict[str, LexiconDetector], text: str) -> None:
    assert lexicons["financial.content"].detect(whole(text)) == []


def test_lexicons_do_not_read_code(lexicons: dict[str, LexiconDetector]) -> None:
    for detector in lexicons.values():
        assert "code" not in detector.segment_kinds


def test_a_missing_model_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClassifierConfigError, match="make models"):
        content_detectors(tmp_path)
    assert (default_models_dir() / "regulated_lexicon.json").is_file()


def test_lexicons_share_tokens_within_one_batch_and_keep_none_after() -> None:
    from classifier.detectors.content import LexiconDetector, TokenHandOff, content_detectors

    detectors = {d.id: d for d in content_detectors()}
    health, financial = detectors["regulated.health"], detectors["financial.content"]
    assert isinstance(health, LexiconDetector) and isinstance(financial, LexiconDetector)
    canary = "cnryword" + "q" * 12
    segments = [
        whole(f"The patient reports chest pain and takes metformin daily {canary}"),
        whole("Our Q3 revenue was $4.2M, up 12% on the forecast; payroll is $310,000."),
    ]
    got_health = health.detect_many(segments)
    hand_off = health._hand_off
    assert isinstance(hand_off, TokenHandOff) and hand_off is financial._hand_off
    assert canary in repr(hand_off._held)  # handed over for the next detector of this chat ...
    got_financial = financial.detect_many(segments)
    assert hand_off._held == [] and canary not in repr(vars(hand_off))  # ... and gone after it
    assert got_health == [health.detect(s) for s in segments]
    assert got_financial == [financial.detect(s) for s in segments]
    assert any(got_health) and any(got_financial)
    # Other segments (a new list, one at a time) are tokenised again, never given stale tokens.
    health.detect_many(segments)
    others = [whole("Revenue is $9M this quarter, margin 40%."), whole("nothing")]
    assert financial.detect_many(others) == [financial.detect(s) for s in others]
    assert hand_off._held == []
