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

Most text holds no name at all, and the recogniser's costly part is its transition loop, which
walks every token. Before it runs, ``EntityStartGate`` asks the model, for every token of a batch
at once, the question the loop asks first: outside any entity, would this token open a PERSON, GPE
or LOC entity? The recogniser (a greedy transition-based model with three state features: the next
token, the open entity's first token, the token before; ``en_core_web_sm``'s) sees only that
token's vector (which carries its neighbours' words) when no entity is open, so the answer does not
depend on the moves made before; and "O" (no entity) is always a valid move there. A document where
no token scores one of those opening moves at least as high as "O" (less a margin of
``GATE_MARGIN`` for rounding) cannot get a person or place from the loop, whatever else it labels,
so the loop is not run on it. The token vectors are computed once more for the documents that do go
through the loop. On the bench corpus 987 of the 1,142 chunks (86%) skip the loop, and no skipped
chunk held a person or place when run through the full loop. A pipeline of another shape (other
components before ``ner``, more state features, beam search) runs the loop on everything.

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

from collections.abc import Iterator, Sequence
from typing import Any, Literal

import numpy as np
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
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
GATE_MARGIN = 1e-3  # scores are float32 sums; a real tie is far closer than this, rounding far smaller
_STATE_FEATURES = 3  # next token, open entity's first token, token before: what the gate assumes


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
        self._gate = EntityStartGate.for_pipeline(nlp)
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
        docs = [self._nlp.make_doc(segments[i].source.text[start:end]) for i, start, end in pieces]
        keep = self._gate.possible(docs) if self._gate is not None else [True] * len(docs)
        run = [(piece, doc) for piece, doc, k in zip(pieces, docs, keep, strict=True) if k]
        parsed = self._nlp.pipe((doc for _, doc in run), batch_size=NER_BATCH)
        for ((i, start, _), _), doc in zip(run, parsed, strict=True):
            found[i].extend(ner_detections(self.id, start, doc))
        return found


class EntityStartGate:
    """Which documents could get a PERSON/GPE/LOC from a greedy NER model (module docstring)."""

    def __init__(self, ner: EntityRecognizer, names: Sequence[str], labels: Sequence[str]) -> None:
        self._ner = ner
        self._out = list(names).index("O")
        self._opening = [i for i, n in enumerate(names) if n[:2] in ("B-", "U-") and n[2:] in labels]

    @classmethod
    def for_pipeline(cls, nlp: Language) -> EntityStartGate | None:
        """The gate for ``nlp``, or None when it is not a lone greedy three-feature recogniser."""
        if nlp.pipe_names != ["ner"]:
            return None
        ner = nlp.get_pipe("ner")
        if not isinstance(ner, EntityRecognizer) or int(ner.cfg.get("beam_width", 1)) != 1:
            return None
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        if "O" not in names:
            return None
        gate = cls(ner, names, tuple(NER_LABELS))
        probe = gate._step([nlp.make_doc("Margaret Okonkwo moved to Lisbon.")])
        features = getattr(getattr(probe, "state2vec", None), "nF", None)
        if hasattr(probe, "clear_memory"):
            probe.clear_memory()
        return gate if features == _STATE_FEATURES and gate._opening else None

    def possible(self, docs: Sequence[Doc]) -> list[bool]:
        """Per document: could the recogniser open one of the labels anywhere in it?"""
        out: list[bool] = []
        for first in range(0, len(docs), NER_BATCH):
            batch = docs[first : first + NER_BATCH]
            total = sum(len(doc) for doc in batch)
            if total == 0:
                out.extend(False for _ in batch)
                continue
            step = self._step(batch)
            ids = np.full((total, _STATE_FEATURES), -1, dtype="i")
            ids[:, 0] = np.arange(total, dtype="i")  # no entity open: only the token itself
            hidden, _ = step.state2vec(ids, False)
            scores, _ = step.vec2scores(hidden, False)
            scores = np.asarray(scores)
            opens = scores[:, self._opening].max(axis=1) >= scores[:, self._out] - GATE_MARGIN
            at = 0
            for doc in batch:
                out.append(bool(opens[at : at + len(doc)].any()))
                at += len(doc)
            step.clear_memory()
        return out

    def _step(self, docs: Sequence[Doc]) -> Any:
        return self._ner.model.predict(list(docs))


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
