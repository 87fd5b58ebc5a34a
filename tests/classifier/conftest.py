"""Shared fixtures: pipelines and classifiers are built once per session (spaCy is slow to load)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from classifier import Classifier, blank_pipeline, build_classifier, default_detectors, load_pipeline
from classifier.nlp import DEFAULT_SPACY_MODEL
from tests.classifier.helpers import KEY


@pytest.fixture(scope="session")
def blank_nlp() -> Language:
    """The blank tokenizer pipeline (no model package needed)."""
    return blank_pipeline()


@pytest.fixture(scope="session")
def fast_classifier() -> Classifier:
    """The default registry with NER off: what the fast suite runs."""
    return build_classifier(ner="off", hmac_key=KEY)


@pytest.fixture(scope="session")
def spacy_nlp() -> Language:
    """The real spaCy pipeline, loaded once; only tests marked ``spacy`` may use it."""
    return load_pipeline(DEFAULT_SPACY_MODEL, ner=True)


@pytest.fixture(scope="session")
def spacy_classifier(spacy_nlp: Language, blank_nlp: Language) -> Classifier:
    """The default registry with NER on the real pipeline."""
    return Classifier(default_detectors(patterns_nlp=blank_nlp, ner_nlp=spacy_nlp), hmac_key=KEY)
