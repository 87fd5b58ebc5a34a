"""``pii.ner``: people and places (PERSON, LOCATION) by spaCy's named-entity recogniser.

NER reads prose and name segments only, straight through spaCy (the pipeline's ``ner`` component
and whatever it listens to, see ``nlp.load_pipeline``), never through presidio. spaCy's PERSON/PER
become PERSON and GPE/LOC become LOCATION, at presidio's NER score (0.85); every other spaCy label
(ORG, NORP, DATE, …) is dropped. "Claude" and "Anthropic" are never a finding.

Long segments are cut into chunks of at most ``NER_CHUNK_CHARS`` characters at a line break (else a
space; ``segment.chunk_bounds``), and all chunks of a chat go through one batched ``nlp.pipe`` call.
The recogniser reads a few tokens either side of each word, so a cut at a line break changes
nothing but the first and last words of a chunk; chunks keep memory flat on a 100,000-character
paste and let the ``auto`` mode stop early.

Modes (setting ``CHATSIFT_NER``, option ``--ner``):

* ``always``: every prose chunk of every message.
* ``auto``: the detector is **gated** (``gated = True``): the classifier runs it last, in rounds
  of chunks, and only on chunks where a PERSON or LOCATION finding could still change the chat's
  labels or severity (``classifier.gate`` has the test, which is exact). A chat whose outcome a
  name cannot change gets no NER at all; a chat with a name found early skips the rest. Labels
  and severity are those of ``always``; the findings list may hold fewer PERSON/LOCATION findings,
  so the ``pii`` score may be lower (a name scores 0.85).
* ``off``: the detector is not in the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc

from classifier.detectors.presidio_adapter import ALLOW_LIST
from classifier.nlp import pipeline_id
from classifier.segment import chunk_bounds
from classifier.types import Category, Detection, Segment, SegmentKind

NerMode = Literal["always", "auto", "off"]
NER_MODES: tuple[NerMode, ...] = ("always", "auto", "off")
DEFAULT_NER_MODE: NerMode = "auto"
NER_SEGMENT_KINDS: frozenset[SegmentKind] = frozenset({"prose", "name"})
NER_SCORE = 0.85  # what presidio's SpacyRecognizer gives every entity
NER_BATCH = 32
NER_CHUNK_CHARS = 2_000
# spaCy labels mapped to our entities; everything else (NORP, ORG, DATE, …) is dropped.
NER_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION"}
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION")


class NerDetector:
    """PERSON and LOCATION in prose and names, batched per chat; ``gated`` in ``auto`` mode."""

    id = "pii.ner"
    segment_kinds: frozenset[SegmentKind] = NER_SEGMENT_KINDS
    # What the classifier's gate needs to know: the entities, their category and best score.
    entities: tuple[str, ...] = NER_ENTITIES
    category: Category = "pii"
    max_score: float = NER_SCORE
    chunk_chars: int = NER_CHUNK_CHARS

    def __init__(self, nlp: Language, *, mode: Literal["always", "auto"] = "always") -> None:
        if mode not in ("always", "auto"):
            raise ValueError("NerDetector mode must be 'always' or 'auto'")
        self._nlp = nlp
        self.mode = mode
        self.gated = mode == "auto"
        # Part of the ruleset id: the pipeline and the mode change what is reported.
        self.ruleset_key = f"{self.id}[{pipeline_id(nlp)}|{mode}|chunk={self.chunk_chars}]"

    def __repr__(self) -> str:
        return f"NerDetector(id={self.id!r}, mode={self.mode!r})"

    def detect(self, segment: Segment) -> list[Detection]:
        """PERSON and LOCATION in one segment."""
        return self.detect_many([segment])[0]

    def detect_many(self, segments: list[Segment]) -> list[list[Detection]]:
        """``detect`` for several segments: every chunk of every segment in one ``nlp.pipe`` call."""
        found: list[list[Detection]] = [[] for _ in segments]
        pieces = [(i, start, end) for i, segment in enumerate(segments) for start, end in chunks(segment)]
        texts = (segments[i].source.text[start:end] for i, start, end in pieces)
        for (i, start, _), doc in zip(pieces, self._nlp.pipe(texts, batch_size=NER_BATCH), strict=True):
            found[i].extend(ner_detections(self.id, start, doc))
        return found


def chunks(segment: Segment, max_chars: int = NER_CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """``[start, end)`` pieces of an NER segment (none for other kinds), at most ``max_chars`` long."""
    if segment.kind not in NER_SEGMENT_KINDS:
        return iter(())
    return chunk_bounds(segment.source.text, segment.start, segment.end, max_chars)


def ner_detections(detector: str, offset: int, doc: Doc) -> list[Detection]:
    """PERSON and LOCATION of a spaCy doc whose text starts at ``offset`` of the block."""
    out = []
    for ent in doc.ents:
        entity = NER_LABELS.get(ent.label_)
        if entity is None or ent.text in ALLOW_LIST or ent.end_char <= ent.start_char:
            continue
        out.append(
            Detection(entity, "pii", detector, offset + ent.start_char, offset + ent.end_char, NER_SCORE)
        )
    return out
