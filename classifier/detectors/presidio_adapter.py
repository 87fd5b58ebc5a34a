"""``pii.presidio``: an adapter around presidio-analyzer for personal data (category ``pii``).

Entities (v1): EMAIL_ADDRESS, PHONE_NUMBER, US_SSN, IP_ADDRESS from pattern recognisers, and
PERSON, LOCATION from spaCy NER. presidio's defaults are noisy on chat text (thousands of driver
licence and date hits), so the registry holds only these recognisers and every call passes
``entities=`` explicitly. Its card and IBAN recognisers are not used: ``payment.card`` and
``payment.iban`` replace them.

Nothing is loaded or downloaded here: ``AnalyzerEngine()`` would build its own spaCy engine and
download a model, so the adapter builds a ``SpacyNlpEngine`` and hands it the pipeline the caller
already loaded (``nlp.load_pipeline``). tldextract (the email recogniser's domain check) is pointed
at its bundled suffix list and presidio's loggers are kept above DEBUG before presidio is imported
(``offline``); decision-process logging stays off. Both would otherwise leak text or touch the net.

Where NER runs: prose and name segments, through the NER pipeline. Code, tool input and tool
result segments get the pattern entities only, through a blank tokenizer (no PERSON/LOCATION, far
cheaper). With ``ner_nlp=None`` every segment takes the pattern path.

Scores are presidio's, with one change: a phone number written like one (a leading ``+``, an
``(area code)``, or separated digit groups of three or more) scores at least 0.6 (presidio gives
every phone 0.4 without a context word, and "call" is a spaCy stop word, so "call me at (415)
555-0132" would never count). Bare digit runs and other groupings (``078-05-1120`` is an SSN
shape) keep 0.4: they are usually ids. "Claude" and "Anthropic" are never a PERSON/LOCATION finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.language import Language

from classifier.nlp import pipeline_id
from classifier.offline import configure_offline
from classifier.types import SEGMENT_KINDS, Detection, Segment, SegmentKind

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer

PATTERN_ENTITIES: tuple[str, ...] = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "IP_ADDRESS")
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION")
NER_SEGMENT_KINDS: frozenset[SegmentKind] = frozenset({"prose", "name"})
ALLOW_LIST: tuple[str, ...] = ("Claude", "Claude Code", "Anthropic")
FORMATTED_PHONE_SCORE = 0.6

# spaCy labels mapped to presidio entities; everything else (NORP, ORG, DATE, …) is dropped.
_NER_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"}
_AREA_CODE = re.compile(r"^\(\d{2,5}\)")
_PHONE_SEPARATORS = re.compile(r"[-. ]")


class PresidioDetector:
    """Emails, phones, SSNs, IPs everywhere; names and places in prose (with a NER pipeline)."""

    id = "pii.presidio"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __init__(self, *, patterns_nlp: Language, ner_nlp: Language | None = None) -> None:
        configure_offline()
        self._patterns = build_analyzer(patterns_nlp, ner=False)
        self._ner = build_analyzer(ner_nlp, ner=True) if ner_nlp is not None else None
        ner_key = pipeline_id(ner_nlp) if ner_nlp is not None else "off"
        # Part of the ruleset id: results change with the NER pipeline, so must the ruleset.
        self.ruleset_key = f"{self.id}[ner={ner_key}]"

    def __repr__(self) -> str:
        return f"PresidioDetector(id={self.id!r}, ner={self._ner is not None})"

    def detect(self, segment: Segment) -> list[Detection]:
        """Personal data in the segment; NER entities only in prose and names."""
        if self._ner is not None and segment.kind in NER_SEGMENT_KINDS:
            engine, entities = self._ner, PATTERN_ENTITIES + NER_ENTITIES
        else:
            engine, entities = self._patterns, PATTERN_ENTITIES
        text = segment.text
        results = engine.analyze(
            text=text, language="en", entities=list(entities), allow_list=list(ALLOW_LIST)
        )
        return [
            Detection(
                r.entity_type,
                "pii",
                self.id,
                segment.start + r.start,
                segment.start + r.end,
                _score(r.entity_type, text[r.start : r.end], float(r.score)),
            )
            for r in results
            if r.entity_type in entities and r.end > r.start
        ]


def _score(entity: str, value: str, score: float) -> float:
    if entity == "PHONE_NUMBER" and is_formatted_phone(value):
        return max(score, FORMATTED_PHONE_SCORE)
    return min(score, 1.0)


def is_formatted_phone(value: str) -> bool:
    """Written like a phone number: ``+`` prefix, ``(area)``, or digit groups of three or more."""
    value = value.strip()
    if value.startswith("+") or _AREA_CODE.search(value):
        return True
    groups = _PHONE_SEPARATORS.split(value)
    return len(groups) > 1 and all(len(group) >= 3 and group.isdigit() for group in groups)


def build_analyzer(nlp: Language, *, ner: bool) -> AnalyzerEngine:
    """A presidio ``AnalyzerEngine`` over an already-loaded pipeline, with our recognisers only."""
    configure_offline()  # before presidio (and tldextract) are imported
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    mapping = _NER_LABELS if ner else {}
    config = NerModelConfiguration(
        model_to_presidio_entity_mapping=dict(mapping),
        labels_to_ignore=[label for label in _all_ner_labels(nlp) if label not in mapping],
    )
    # The model name is only a label here: ``.nlp`` is set directly, so nothing is loaded.
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": pipeline_id(nlp)}], ner_model_configuration=config
    )
    engine.nlp = {"en": nlp}  # type: ignore[assignment]  # presidio annotates it as None until load()
    registry = RecognizerRegistry(recognizers=_recognizers(ner), supported_languages=["en"])
    return AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=["en"], log_decision_process=False
    )


def _recognizers(ner: bool) -> list[EntityRecognizer]:
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UsSsnRecognizer,
    )

    recognizers: list[EntityRecognizer] = [
        EmailRecognizer(),
        PhoneRecognizer(),
        UsSsnRecognizer(),
        IpRecognizer(),
    ]
    if ner:
        recognizers.append(SpacyRecognizer(supported_entities=list(NER_ENTITIES)))
    return recognizers


def _all_ner_labels(nlp: Language) -> list[str]:
    """Every label the pipeline's NER can emit (none for a blank pipeline)."""
    if "ner" not in nlp.pipe_names:
        return []
    labels = getattr(nlp.get_pipe("ner"), "labels", ())
    return [str(label) for label in labels]
