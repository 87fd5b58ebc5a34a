"""Classify-and-score with the real classifier (NER off) on hand-made cases of each kind."""

from __future__ import annotations

import pytest

from classifier import Classifier, build_classifier
from classifier.eval.cases import Case, DataSet, GoldSpan
from classifier.eval.run import evaluate
from classifier.eval.scoring import Counts


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    """The default registry without NER (no spaCy model needed)."""
    return build_classifier(ner="off", hmac_key=b"k" * 32)


def _cases(kind: str, name: str, cases: list[Case]) -> DataSet:
    return DataSet(name, kind, cases, total=len(cases))  # type: ignore[arg-type]


def test_span_scoring_counts_hits_misses_and_false_alarms(classifier: Classifier) -> None:
    card = "card: 4242424242424242"
    cases = [
        Case("hit", card, (GoldSpan(6, 22, "card"),), frozenset({"card"}), group="positive"),
        Case("alarm", card, (), frozenset({"card"}), group="luhn_broken"),  # labelled negative, yet detected
        Case("miss", "no card here", (GoldSpan(0, 2, "card"),), frozenset({"card"}), group="positive"),
        Case("quiet", "card: 4242424242424243", (), frozenset({"card"}), group="luhn_broken"),
    ]
    score = evaluate(classifier, _cases("span", "payment_test_numbers", cases), progress=False)
    assert score.by_label["card"] == Counts(tp=1, fp=1, fn=1)
    assert score.exact_by_label["card"] == Counts(tp=1, fp=1, fn=1)
    assert score.by_group["luhn_broken"] == Counts(fp=1)
    assert score.by_category["payment"] == Counts(tp=1, fp=1, fn=1)


def test_unmapped_entities_count_as_misses(classifier: Classifier) -> None:
    # A date alone is not personal data: DATE_TIME is never emitted, so presidio's date cases are misses.
    cases = [Case("date", "due on 2024-01-15 at noon", (GoldSpan(7, 17, "date"),), frozenset({"date"}))]
    score = evaluate(classifier, _cases("span", "presidio_recognizer_cases", cases), progress=False)
    assert score.by_category["pii"] == Counts(fn=1)


def test_presence_scoring(classifier: Classifier) -> None:
    body = "\n".join(["MIIEowIBAAKCAQEAw7Zdfmece8iaB0kiTY8pCtiBtzbptJmP28nSWwtdjRu0f2GF"] * 4)
    key = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    cases = [
        Case("tp", key, scope=frozenset({"private-key"}), expected=frozenset({"private-key"}), group="tp"),
        Case("fp", "key = placeholder", scope=frozenset({"private-key"}), group="fp"),
    ]
    score = evaluate(classifier, _cases("presence", "gitleaks_rule_cases", cases), progress=False)
    assert score.by_label["private-key"] == Counts(tp=1, tn=1)
