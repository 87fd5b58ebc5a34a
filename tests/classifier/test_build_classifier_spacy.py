"""The full default classifier on the real spaCy pipeline (marked: loads the model)."""

from __future__ import annotations

import pytest

from classifier import Classifier, build_classifier
from tests.classifier.helpers import KEY, block, chat

pytestmark = pytest.mark.spacy


def test_people_and_places_join_the_pattern_findings(spacy_classifier: Classifier) -> None:
    text = "I met with Margaret Okonkwo in Lisbon; her mail is margaret@northwind-example.com."
    result = spacy_classifier.classify(chat(block(text)))
    found = {(f.entity, text[f.start : f.end]) for f in result.findings}
    assert found == {
        ("PERSON", "Margaret Okonkwo"),
        ("LOCATION", "Lisbon"),
        ("EMAIL_ADDRESS", "margaret@northwind-example.com"),
    }
    assert result.severity == "medium"  # a person next to contact details
    assert "Margaret" not in repr(result)


def test_ner_does_not_run_on_code(spacy_classifier: Classifier) -> None:
    text = "```\nauthor = 'Margaret Okonkwo'\n```"
    assert spacy_classifier.classify(chat(block(text))).findings == ()


def test_build_classifier_with_ner_has_its_own_ruleset(spacy_classifier: Classifier) -> None:
    built = build_classifier(hmac_key=KEY, ner="always")
    assert built.ruleset == spacy_classifier.ruleset
    assert built.ruleset != build_classifier(hmac_key=KEY, ner="off").ruleset
    result = built.classify(chat(block("Contract with Margaret Okonkwo", kind="name", message_id=None)))
    assert [f.entity for f in result.findings] == ["PERSON"]
