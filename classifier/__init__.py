"""chatsift's classifier: sensitive-content findings for one chat at a time, with no raw text kept.

Public API::

    build_classifier(*, spacy_model, ner, hmac_key, min_score) -> Classifier
    Classifier(detectors, *, hmac_key, min_score, context_chars).classify(ChatText) -> ChatResult
    load_or_create_key(path) -> bytes
    fingerprint(key, entity, value) / normalise(entity, value)
    build_evidence(text, span, entity, others, *, context) -> str
    segment_block(block) -> list[Segment]
    load_pipeline(name_or_path, *, ner) -> spacy.Language

Types (``classifier.types``) and errors (``classifier.errors``) are re-exported here. This package
imports neither ``fetch`` nor ``labels``.
"""

from __future__ import annotations

from classifier.classifier import RULESET_VERSION, Classifier, build_classifier, finding_id
from classifier.detectors import default_detectors
from classifier.errors import ClassifierConfigError, ClassifierError, DetectorError, KeyFileError
from classifier.evidence import build_evidence, mask_label
from classifier.fingerprint import fingerprint, load_or_create_key, normalise
from classifier.merge import Candidate, merge
from classifier.nlp import DEFAULT_SPACY_MODEL, blank_pipeline, load_pipeline
from classifier.segment import DEFAULT_MAX_SEGMENT_CHARS, segment_block
from classifier.types import (
    CATEGORIES,
    SEGMENT_KINDS,
    SEVERITIES,
    BlockText,
    ChatResult,
    ChatText,
    ClassifyError,
    Detection,
    Detector,
    Finding,
    Segment,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_MAX_SEGMENT_CHARS",
    "DEFAULT_SPACY_MODEL",
    "RULESET_VERSION",
    "SEGMENT_KINDS",
    "SEVERITIES",
    "BlockText",
    "Candidate",
    "ChatResult",
    "ChatText",
    "Classifier",
    "ClassifierConfigError",
    "ClassifierError",
    "ClassifyError",
    "Detection",
    "Detector",
    "DetectorError",
    "Finding",
    "KeyFileError",
    "Segment",
    "blank_pipeline",
    "build_classifier",
    "build_evidence",
    "default_detectors",
    "finding_id",
    "fingerprint",
    "load_or_create_key",
    "load_pipeline",
    "mask_label",
    "merge",
    "normalise",
    "segment_block",
]
