"""The classifier: segment every block, run the detectors, merge, redact, fingerprint, roll up.

``Classifier`` receives its detectors (an explicit registry, in priority order: secrets, then
payment, then pii) and never builds them; ``build_classifier`` wires the default registry.

A detector that raises on a segment is recorded as a ``detector_failed`` error naming the detector
and the exception class (never its message: it may quote the text); the chat's status becomes
``partial``, or ``error`` when no detector run succeeded at all. A failure is never "no findings".

Each detector sees every segment of the chat in one call when it offers ``detect_many`` (spaCy NER
batches a chat's prose through ``nlp.pipe``); if that call fails, the detector is run again one
segment at a time, so a failure is pinned on its own block and every other block keeps its results.

A detector marked ``gated`` (NER in ``--ner auto``) runs after all the others, in rounds over
chunks of its segments, and only on chunks whose findings could still change the chat's labels
or severity (``classifier.gate`` has the exact test). Each round reads the next chunk of
the first 1, 2, 4, ... messages (in chat order) that still matter, in one batch: a name found
early settles most chats after a round or two, and a chat with no name at all takes a few rounds.

The policy (``classifier.policy``: thresholds, context words, allow-lists, entity overrides,
custom regex detectors, severity rules) is applied to every detection before the overlap merge.
Values, content findings (health or financial content) and region findings (``customer_data``: a
whole table of records) are merged in three groups apart, so none hides another (``classifier.merge``).

A ``Classifier`` is not thread-safe (spaCy and presidio keep per-call state): use one per thread.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Literal, cast

from classifier.detectors import default_detectors
from classifier.detectors.ner import DEFAULT_NER_MODE, NER_MODES, NerMode
from classifier.errors import ClassifierConfigError
from classifier.evidence import DEFAULT_CONTEXT, build_evidence
from classifier.fingerprint import KEY_BYTES, fingerprint
from classifier.gate import BlockState, GatedDetector, Span, could_change
from classifier.merge import Candidate, digit_in, merge_all, merge_group
from classifier.nlp import DEFAULT_SPACY_MODEL, blank_pipeline, load_pipeline
from classifier.policy import Policy, load_policy
from classifier.rollup import labels_of, scores_of, severity_of
from classifier.segment import DEFAULT_MAX_SEGMENT_CHARS, MIN_SEGMENT_CHARS, chunk_bounds, segment_block
from classifier.types import (
    BlockText,
    Category,
    ChatResult,
    ChatText,
    ClassifyError,
    Detection,
    Detector,
    Finding,
    Segment,
    Severity,
)

# Bump when any rule changes results (patterns, scores, merge, evidence, severity): part of every record id.
RULESET_VERSION = "2"
DETECTOR_FAILED = "detector_failed"
SEGMENT_FAILED = "segment_failed"


@dataclass
class _BlockOutcome:
    errors: list[ClassifyError] = field(default_factory=list)
    runs_ok: int = 0
    runs_failed: int = 0
    failed: bool = False  # segmentation failed: the block has no findings


class Classifier:
    """Classifies one chat at a time with the detectors it is given."""

    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        hmac_key: bytes,
        min_score: float = 0.5,
        context_chars: int = DEFAULT_CONTEXT,
        max_segment_chars: int = DEFAULT_MAX_SEGMENT_CHARS,
        policy: Policy | None = None,
    ) -> None:
        self._policy = policy if policy is not None else load_policy()
        all_detectors = (*detectors, *self._policy.detectors)
        _check_config(all_detectors, hmac_key, min_score, context_chars, max_segment_chars)
        self._detectors = tuple(all_detectors)
        self._key = bytes(hmac_key)
        self._min_score = min_score
        self._context = context_chars
        self._max_segment_chars = max_segment_chars
        self._ruleset = _ruleset(
            self._detectors, min_score, context_chars, max_segment_chars, self._policy.digest
        )

    def __repr__(self) -> str:
        ids = ", ".join(d.id for d in self._detectors)
        return f"Classifier(detectors=[{ids}], min_score={self._min_score}, ruleset={self._ruleset!r})"

    @property
    def detectors(self) -> tuple[Detector, ...]:
        """The registry, in priority order."""
        return self._detectors

    @property
    def policy(self) -> Policy:
        """The policy applied to every detection and to the roll-up."""
        return self._policy

    def rollup(self, findings: Sequence[Finding]) -> tuple[tuple[Category, ...], dict[str, float], Severity]:
        """Labels, per-category scores and severity of ``findings`` under this classifier's policy."""
        return labels_of(findings), scores_of(findings), severity_of(findings, self._policy)

    @property
    def ruleset(self) -> str:
        """A stable id of the rules (``v1-<hash>``): changes when rules change, not per run."""
        return self._ruleset

    def classify(self, chat: ChatText) -> ChatResult:
        """Classify every block of ``chat``; raw text is not kept in the result."""
        outcomes = [_BlockOutcome() for _ in chat.blocks]
        segmented: list[list[Segment]] = []
        for block, outcome in zip(chat.blocks, outcomes, strict=True):
            try:
                segmented.append(segment_block(block, max_chars=self._max_segment_chars))
            except Exception as exc:  # a bug, but one block must not sink the chat
                detail = f"segmentation raised {type(exc).__name__}"
                outcome.errors.append(_error(SEGMENT_FAILED, detail, block))
                outcome.runs_failed += 1
                outcome.failed = True
                segmented.append([])
        candidates: list[list[Candidate]] = [[] for _ in chat.blocks]
        gated: list[tuple[int, Detector]] = []
        works: dict[frozenset[str], list[tuple[int, Segment]]] = {}  # one work list per set of kinds
        for rank, detector in enumerate(self._detectors):
            if getattr(detector, "gated", False):
                gated.append((rank, detector))
                continue
            kinds = frozenset(detector.segment_kinds)
            if kinds not in works:
                works[kinds] = [
                    (i, seg) for i, segs in enumerate(segmented) for seg in segs if seg.kind in kinds
                ]
            self._run_detector(rank, detector, chat.blocks, works[kinds], outcomes, candidates)
        for rank, detector in gated:
            self._run_gated(rank, detector, chat.blocks, segmented, outcomes, candidates)
        findings: list[Finding] = []
        errors: list[ClassifyError] = []
        for block, segments, outcome, found in zip(chat.blocks, segmented, outcomes, candidates, strict=True):
            if not outcome.failed:
                view = segments[0].source.text if segments else block.text
                findings.extend(self._findings(chat.chat_id, block, view, found))
            errors.extend(outcome.errors)
        runs_ok = sum(o.runs_ok for o in outcomes)
        runs_failed = sum(o.runs_failed for o in outcomes)
        status: Literal["ok", "partial", "error"] = "ok"
        if runs_failed:
            status = "partial" if runs_ok else "error"
        return ChatResult(
            chat_id=chat.chat_id,
            findings=tuple(findings),
            labels=labels_of(findings),
            scores=scores_of(findings),
            severity=severity_of(findings, self._policy),
            messages_scanned=chat.messages,
            status=status,
            errors=tuple(errors),
        )

    def _run_gated(
        self,
        rank: int,
        detector: Detector,
        blocks: Sequence[BlockText],
        segmented: list[list[Segment]],
        outcomes: list[_BlockOutcome],
        candidates: list[list[Candidate]],
    ) -> None:
        """A gated detector, round by round, on the chunks whose findings could change the outcome."""
        gate = cast(GatedDetector, detector)
        size = int(getattr(detector, "chunk_chars", self._max_segment_chars))
        unread: dict[int, list[Segment]] = {}
        for i, segments in enumerate(segmented):
            chunks = [
                replace(segment, start=start, end=end)
                for segment in segments
                if segment.kind in detector.segment_kinds
                for start, end in chunk_bounds(segment.source.text, segment.start, segment.end, size)
            ]
            if chunks and not outcomes[i].failed:
                unread[i] = chunks
        states = [
            self._state(block, segments, found)
            for block, segments, found in zip(blocks, segmented, candidates, strict=True)
        ]

        def matters(which: list[int]) -> bool:
            spans: dict[int, list[Span]] = {i: [(c.start, c.end) for c in unread[i]] for i in which}
            return could_change(gate, states, spans, self._policy, self._min_score)

        batch = 1  # chunks read this round: 1, 2, 4, ... (an early name settles most chats)
        while unread and matters(list(unread)):
            picks = list(islice((i for i in unread if matters([i])), batch)) or list(unread)  # or together
            batch *= 2
            work = [(i, unread[i].pop(0)) for i in picks]
            self._run_detector(rank, detector, blocks, work, outcomes, candidates)
            for i in picks:
                states[i] = self._state(blocks[i], segmented[i], candidates[i])
                if not unread[i]:
                    del unread[i]

    def _state(self, block: BlockText, segments: list[Segment], found: list[Candidate]) -> BlockState:
        """The block's candidates after the policy, and the merge winners among them."""
        view = segments[0].source.text if segments else block.text
        scored = self._scored(view, found)
        at_figure = digit_in(view)
        figures = {
            k
            for k, c in enumerate(scored)
            if merge_group(c.detection) == "content" and at_figure(c.detection)
        }
        return BlockState(block.message_id, scored, merge_all(scored, at_figure), figures)

    def _run_detector(
        self,
        rank: int,
        detector: Detector,
        blocks: Sequence[BlockText],
        work: list[tuple[int, Segment]],
        outcomes: list[_BlockOutcome],
        candidates: list[list[Candidate]],
    ) -> None:
        """One detector over ``work`` (block index, segment): batched (``detect_many``) when it can be."""
        if not work:
            return
        batched = None
        detect_many = getattr(detector, "detect_many", None)
        if detect_many is not None and len(work) > 1:
            try:
                batched = detect_many([segment for _, segment in work])
                for (_, segment), detections in zip(work, batched, strict=True):
                    _check_spans(detections, segment.start, segment.end)
            except Exception:  # retry one segment at a time to pin the failure on its block
                batched = None
        failures: dict[int, str] = {}
        for n, (i, segment) in enumerate(work):
            try:
                detections = batched[n] if batched is not None else detector.detect(segment)
                if batched is None:
                    _check_spans(detections, segment.start, segment.end)
            except _BadSpan:
                failures[i] = f"{detector.id} returned an invalid span"
            except Exception as exc:  # any detector failure is recorded, never "no findings"
                failures[i] = f"{detector.id} raised {type(exc).__name__}"
            else:
                outcomes[i].runs_ok += 1
                candidates[i].extend(Candidate(d, segment.kind, rank) for d in detections)
                continue
            outcomes[i].runs_failed += 1
        for i, failure in failures.items():
            outcomes[i].errors.append(_error(DETECTOR_FAILED, failure, blocks[i]))

    def _findings(
        self, chat_id: str, block: BlockText, view: str, candidates: list[Candidate]
    ) -> list[Finding]:
        """Merged, thresholded findings of one block; every detection is masked in evidence."""
        masks = _MaskIndex([c.detection for c in candidates])
        kept = merge_all(self._scored(view, candidates), digit_in(view))
        return [self._finding(chat_id, block, view, c, masks) for c in kept]

    def _scored(self, view: str, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates that pass the policy, with its score and category changes."""
        return [c for c in (self._apply_policy(view, c) for c in candidates) if c is not None]

    def _apply_policy(self, view: str, candidate: Candidate) -> Candidate | None:
        """The candidate after allow-lists, category overrides, context words and thresholds."""
        policy, d = self._policy, candidate.detection
        value = view[d.start : d.end]
        if policy.allows(value):
            return None
        if policy.allow_fingerprints and fingerprint(self._key, d.entity, value) in policy.allow_fingerprints:
            return None
        category = policy.category_of(d.entity, d.category)
        window = policy.context_window
        delta = policy.context_delta(
            category, view[max(0, d.start - window) : d.start], view[d.end : d.end + window]
        )
        score = round(min(1.0, max(0.0, d.score + delta)), 4)
        if score < policy.threshold(d.entity, category, self._min_score):
            return None
        if category == d.category and score == d.score:
            return candidate
        return replace(candidate, detection=replace(d, category=category, score=score))

    def _finding(
        self, chat_id: str, block: BlockText, view: str, candidate: Candidate, masks: _MaskIndex
    ) -> Finding:
        d = candidate.detection
        lo, hi = d.start - self._context, d.end + self._context
        others = masks.overlapping(lo, hi)
        evidence = build_evidence(block.text, (d.start, d.end), d.entity, others, context=self._context)
        return Finding(
            finding_id=finding_id(chat_id, block, d),
            category=d.category,
            entity=d.entity,
            detector=d.detector,
            score=round(d.score, 4),
            message_id=block.message_id,
            role=block.role,
            block=block.block,
            segment=candidate.segment,
            start=d.start,
            end=d.end,
            evidence=evidence,
            # The decoded view: the same secret matches whether it came JSON-escaped or not.
            fingerprint=fingerprint(self._key, d.entity, view[d.start : d.end]),
            attachment=block.attachment,
        )


class _BadSpan(Exception):
    """A detector returned a span outside its segment."""


def _check_spans(detections: list[Detection], start: int, end: int) -> None:
    if not isinstance(detections, list):
        raise _BadSpan
    for d in detections:
        if not (start <= d.start < d.end <= end):
            raise _BadSpan


class _MaskIndex:
    """Every detection of a block, searchable by window, for masking evidence."""

    def __init__(self, detections: list[Detection]) -> None:
        ordered = sorted(detections, key=lambda d: d.start)
        self._starts = [d.start for d in ordered]
        self._spans = [(d.start, d.end, d.entity) for d in ordered]
        self._longest = max((d.end - d.start for d in ordered), default=0)

    def overlapping(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Spans that overlap ``[lo, hi)``."""
        first = bisect_left(self._starts, lo - self._longest)
        last = bisect_left(self._starts, hi)
        return [span for span in self._spans[first:last] if span[1] > lo]


def finding_id(chat_id: str, block: BlockText, d: Detection) -> str:
    """Deterministic id: sha256 of chat|message|block|start|end|entity(|attachment), first 24 hex digits."""
    key = f"{chat_id}|{block.message_id or ''}|{block.block}|{d.start}|{d.end}|{d.entity}"
    if block.attachment is not None:  # an attachment's offsets must not collide with a content block's
        key += f"|{block.attachment}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _error(code: str, detail: str, block: BlockText) -> ClassifyError:
    return ClassifyError(code=code, detail=detail, message_id=block.message_id, block=block.block)


def _check_config(
    detectors: Sequence[Detector], key: bytes, min_score: float, context: int, max_segment: int
) -> None:
    if not detectors:
        raise ClassifierConfigError(
            "no detectors configured: a classifier without detectors would call every chat clean"
        )
    ids = [d.id for d in detectors]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ClassifierConfigError(f"duplicate detector ids: {', '.join(duplicates)}")
    if len(key) < KEY_BYTES:
        raise ClassifierConfigError(f"the fingerprint key must be at least {KEY_BYTES} bytes")
    if not 0.0 <= min_score <= 1.0:
        raise ClassifierConfigError("min_score must be between 0 and 1")
    if context < 0:
        raise ClassifierConfigError("context_chars must not be negative")
    if max_segment < MIN_SEGMENT_CHARS:
        raise ClassifierConfigError(f"max_segment_chars must be at least {MIN_SEGMENT_CHARS}")


def _ruleset(
    detectors: Sequence[Detector], min_score: float, context: int, max_segment: int, policy: str
) -> str:
    parts = {
        "policy": policy,
        "version": RULESET_VERSION,
        # A detector may expose ``ruleset_key`` when its results depend on more than its id.
        "detectors": [str(getattr(d, "ruleset_key", d.id)) for d in detectors],
        "min_score": min_score,
        "context": context,
        "max_segment_chars": max_segment,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()
    return f"v{RULESET_VERSION}-{digest[:12]}"


def build_classifier(
    *,
    spacy_model: str = DEFAULT_SPACY_MODEL,
    ner: NerMode = DEFAULT_NER_MODE,
    hmac_key: bytes,
    min_score: float = 0.5,
    context_chars: int = DEFAULT_CONTEXT,
    max_segment_chars: int = DEFAULT_MAX_SEGMENT_CHARS,
    policy_path: Path | None = None,
    models_dir: Path | None = None,
) -> Classifier:
    """The default classifier: every detector of the registry, the shipped policy (plus ``policy_path``)."""
    if ner not in NER_MODES:
        raise ClassifierConfigError("ner must be 'always', 'auto' or 'off' (setting CHATSIFT_NER)")
    policy = load_policy(policy_path)
    ner_nlp = load_pipeline(spacy_model, ner=True) if ner != "off" else None
    detectors = default_detectors(
        patterns_nlp=blank_pipeline(),
        ner_nlp=ner_nlp,
        models_dir=models_dir,
        ner_mode="auto" if ner == "auto" else "always",
    )
    return Classifier(
        detectors,
        hmac_key=hmac_key,
        min_score=min_score,
        context_chars=context_chars,
        max_segment_chars=max_segment_chars,
        policy=policy,
    )
