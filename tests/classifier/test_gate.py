"""``--ner auto``'s gate: a gated detector runs only where its findings could change the outcome.

The unit tests drive ``classifier.gate`` with hand-made candidates; the classifier tests use a fake
gated detector (no spaCy) that reports a PERSON wherever the text says "Ada Lovelace", and count
the chunks it was asked to read. ``test_auto_equals_always_on_simulator_chats`` checks the whole
claim with the real pipeline: the outcome of every chat is that of ``always``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from classifier import Classifier, build_classifier
from classifier.detectors.base import RegexDetector
from classifier.gate import BlockState, Item, best_items, could_change, outcome, touched
from classifier.merge import Candidate, merge
from classifier.policy import ContextRule, EntityOverride, Policy
from classifier.types import Category, Detection, Segment, SegmentKind
from tests.classifier.helpers import KEY, block, chat

NAME = "Ada Lovelace"


@dataclass
class FakeNer:
    """PERSON wherever NAME appears in prose; records the chunks it read."""

    gated: bool = True
    id: str = "pii.fake_ner"
    segment_kinds: frozenset[SegmentKind] = frozenset({"prose", "name"})
    entities: tuple[str, ...] = ("PERSON",)
    category: Category = "pii"
    max_score: float = 0.85
    chunk_chars: int = 200
    read: list[tuple[str | None, int, int]] = field(default_factory=list)

    def detect(self, segment: Segment) -> list[Detection]:
        self.read.append((segment.source.message_id, segment.start, segment.end))
        text, out, at = segment.source.text, [], segment.start
        while (at := text.find(NAME, at, segment.end)) >= 0:
            if at + len(NAME) <= segment.end:
                out.append(Detection("PERSON", "pii", self.id, at, at + len(NAME), self.max_score))
            at += len(NAME)
        return out


def regex(
    detector_id: str, entity_name: str, cat: Category, pattern: str, value_score: float
) -> RegexDetector:
    """A one-pattern regex detector for these tests."""
    attrs = {"id": detector_id, "entity": entity_name, "category": cat, "score": value_score}
    return type(entity_name.title(), (RegexDetector,), {**attrs, "patterns": (re.compile(pattern),)})()


def classifier(ner: FakeNer) -> Classifier:
    detectors = [
        regex("pii.test_email", "EMAIL_ADDRESS", "pii", r"\b[a-z]+@example\.org\b", 0.9),
        regex("pii.test_ssn", "US_SSN", "pii", r"\b\d{3}-\d{2}-\d{4}\b", 0.9),
        regex("regulated.test", "HEALTH_INFORMATION", "regulated", r"\bdiabetes\b", 0.7),
    ]
    return Classifier([*detectors, ner], hmac_key=KEY)


def outcome_of(result: object) -> tuple[object, ...]:
    return (result.labels, result.severity)  # type: ignore[attr-defined]


# --- the gate on hand-made candidates ---------------------------------------------------------


def cand(entity: str, category: Category, start: int, end: int, score: float) -> Candidate:
    return Candidate(Detection(entity, category, "t", start, end, score), "prose", 0)


def state(*candidates: Candidate, message_id: str = "m1") -> BlockState:
    scored = list(candidates)
    return BlockState(message_id, scored, merge(scored))


def test_touched_follows_chains_of_overlapping_spans() -> None:
    scored = [
        cand("A", "pii", 0, 10, 0.5),
        cand("B", "pii", 8, 20, 0.6),
        cand("C", "pii", 19, 30, 0.7),
        cand("D", "pii", 30, 40, 0.8),
        cand("E", "pii", 50, 60, 0.8),
    ]
    everything = {"value": 1.0}
    assert touched(scored, [(0, 2)], everything) == {0, 1, 2}  # D only touches C's end: no overlap
    assert touched(scored, [(35, 52)], everything) == {3, 4}
    assert touched(scored, [(41, 49)], everything) == set()


def test_only_what_a_new_detection_could_outscore_is_touched() -> None:
    scored = [
        cand("EMAIL_ADDRESS", "pii", 0, 10, 1.0),  # outscores any name: never suppressed
        cand("PHONE_NUMBER", "pii", 5, 15, 0.6),  # a name could hide it ...
        cand("FINANCIAL_INFORMATION", "financial", 12, 14, 0.9),  # ... and so uncover this
        cand("HEALTH_INFORMATION", "regulated", 16, 19, 0.7),  # no value of its cluster is in play
    ]
    assert touched(scored, [(0, 20)], {"value": 0.85}) == {1, 2}
    assert touched(scored, [(0, 20)], {"value": 0.5}) == set()
    # content marked at a figure: a name there would cover it, whatever its score
    assert touched(scored, [(0, 20)], {"value": 0.5}, figures={3}) == {3}
    assert touched(scored, [(0, 10)], {"value": 0.5}, figures={3}) == set()


def test_best_items_follow_the_policy() -> None:
    ner = FakeNer(entities=("PERSON", "LOCATION"))
    assert best_items(ner, "m", Policy(), 0.5) == [
        Item("pii", "PERSON", "m", 0.85),
        Item("pii", "LOCATION", "m", 0.85),
    ]
    # a threshold above the best score: the entity can never be reported
    assert [i.entity for i in best_items(ner, "m", Policy(entity_thresholds={"PERSON": 0.9}), 0.5)] == [
        "LOCATION"
    ]
    # moved to another category, where context words can raise it
    moved = Policy(
        entities={"PERSON": EntityOverride(category="customer_data")},
        raise_=ContextRule(None, 0.1, frozenset({"customer_data"})),
    )
    assert best_items(ner, "m", moved, 0.5)[0] == Item("customer_data", "PERSON", "m", 0.85)
    raised = Policy(
        entities={"PERSON": EntityOverride(category="customer_data")},
        raise_=ContextRule(re.compile("x"), 0.1, frozenset({"customer_data"})),
    )
    assert best_items(ner, "m", raised, 0.5)[0].score == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("blocks", "expected", "why"),
    [
        ([state()], True, "no findings: a name adds the pii label"),
        ([state(cand("EMAIL_ADDRESS", "pii", 0, 10, 0.9))], True, "a name next to contact details: medium"),
        (
            [state(cand("EMAIL_ADDRESS", "pii", 60, 70, 0.9), cand("PERSON", "pii", 80, 90, 0.85))],
            False,
            "already a named person next to contact details",
        ),
        (
            [state(cand("PHONE_NUMBER", "pii", 0, 10, 0.6), cand("PERSON", "pii", 80, 90, 0.85))],
            True,
            "the phone is in the unread chunk: a name there could outscore it",
        ),
        ([state(cand("US_SSN", "pii", 100, 111, 0.9))], False, "severity already high; pii already labelled"),
        ([state(cand("US_SSN", "pii", 0, 11, 0.9))], False, "the SSN outscores any name: it stays"),
        (
            [state(cand("CRYPTO_WALLET", "payment", 0, 34, 0.7), cand("US_SSN", "pii", 100, 111, 0.9))],
            True,
            "the only payment value is in the unread chunk, and a name could outscore it",
        ),
        (
            [state(cand("HEALTH_INFORMATION", "regulated", 120, 128, 0.7))],
            True,
            "health content: a person makes it high",
        ),
        (
            [
                state(
                    cand("US_SSN", "pii", 100, 111, 0.9),
                    cand("HEALTH_INFORMATION", "regulated", 120, 128, 0.7),
                )
            ],
            False,
            "health content of an identified person: high already",
        ),
    ],
)
def test_could_change(blocks: list[BlockState], expected: bool, why: str) -> None:
    assert could_change(FakeNer(), blocks, {0: [(0, 50)]}, Policy(), 0.5) is expected, why


def test_outcome_is_what_the_rollup_says() -> None:
    items = [Item("pii", "PERSON", "m", 0.85), Item("pii", "EMAIL_ADDRESS", "m", 1.0)]
    assert outcome(items, Policy()) == (("pii",), "medium")


# --- the classifier with a gated detector -----------------------------------------------------


def test_no_chunk_is_read_when_no_name_can_change_the_outcome() -> None:
    # The SSN (in code, which NER never reads) makes the chat pii, 0.9 and high: a name adds nothing.
    text = f"```\nssn = '078-05-1121'\n```\n{NAME} pasted this for you."
    ner = FakeNer()
    gated = classifier(ner).classify(chat(block(text)))
    always = classifier(FakeNer(gated=False)).classify(chat(block(text)))
    assert ner.read == []
    assert outcome_of(gated) == outcome_of(always) == (("pii",), "high")
    assert [f.entity for f in gated.findings] == ["US_SSN"]
    assert [f.entity for f in always.findings] == ["US_SSN", "PERSON"]


def test_reading_stops_once_the_outcome_is_settled() -> None:
    ner = FakeNer(chunk_chars=100)
    first = f"Contact {NAME} at ada@example.org about it.\n"
    rest = "".join(f"line {i} has nothing to report at all\n" for i in range(40))  # ~1,500 chars
    text = first + rest
    gated = classifier(ner).classify(chat(block(text)))
    always = classifier(FakeNer(gated=False, chunk_chars=100)).classify(chat(block(text)))
    assert outcome_of(gated) == outcome_of(always) == (("pii",), "medium")
    assert len(ner.read) == 1, "the first chunk settles it: a named person next to an email"
    assert [f.entity for f in gated.findings] == ["PERSON", "EMAIL_ADDRESS"]


def test_each_message_that_matters_is_read() -> None:
    ner = FakeNer()
    blocks = [
        block(f"{NAME} wrote to ada@example.org", message_id="m1"),
        block(f"{NAME} again, nothing else", message_id="m2"),
        block("nothing personal here", message_id="m3"),
    ]
    gated = classifier(ner).classify(chat(*blocks))
    always = classifier(FakeNer(gated=False)).classify(chat(*blocks))
    assert outcome_of(gated) == outcome_of(always) == (("pii",), "medium")
    # Only a name in m1, next to the email, raises the chat to medium; once it is found, a name
    # in m2 or m3 would change nothing.
    assert {m for m, _, _ in ner.read} == {"m1"}


def test_health_content_needs_a_person_anywhere_in_the_chat() -> None:
    ner = FakeNer()
    blocks = [block("my diabetes got worse", message_id="m1"), block(f"signed, {NAME}", message_id="m2")]
    result = classifier(ner).classify(chat(*blocks))
    assert result.severity == "high" and "PERSON" in {f.entity for f in result.findings}


def test_a_failing_gated_detector_is_an_error_not_no_findings() -> None:
    class Broken(FakeNer):
        def detect(self, segment: Segment) -> list[Detection]:
            raise RuntimeError("boom")

    result = classifier(Broken()).classify(chat(block("plain words")))
    assert result.status == "partial"
    assert [e.code for e in result.errors] == ["detector_failed"]
    assert "boom" not in result.errors[0].detail


@pytest.mark.spacy
def test_auto_equals_always_on_simulator_chats(spacy_nlp: object) -> None:
    from bench.corpus import simulator_chats

    auto = build_classifier(ner="auto", hmac_key=KEY)
    always = build_classifier(ner="always", hmac_key=KEY)
    chats = simulator_chats(11, 40)
    skipped = 0
    for c in chats:
        a, b = auto.classify(c), always.classify(c)
        assert outcome_of(a) == outcome_of(b), c.chat_id
        assert {f.finding_id for f in a.findings} <= {f.finding_id for f in b.findings}
        skipped += len(b.findings) - len(a.findings)
    assert skipped > 0, "auto read every chunk: the gate never closed"
    assert auto.ruleset != always.ruleset
