"""The classifier: registry checks, failures recorded as partial, findings, ids, ruleset."""

from __future__ import annotations

import json
import re

import pytest

from classifier import Classifier, ClassifierConfigError, build_classifier
from classifier.detectors import AnthropicKeyDetector, CardDetector
from classifier.types import SEGMENT_KINDS, ChatText, Detection, Segment, SegmentKind
from tests.classifier.helpers import KEY, block, chat

AWS = "AKIAZ7QX4MNB2VRT6KLP"
CANARY = "cnryClassifierDetail77"


class Raises:
    """A detector that always fails, with text in its exception message."""

    id = "test.raises"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def detect(self, segment: Segment) -> list[Detection]:
        raise ValueError(f"could not parse {segment.text} {CANARY}")


class BadSpan:
    """A detector that reports a span outside its segment."""

    id = "test.bad_span"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def detect(self, segment: Segment) -> list[Detection]:
        return [Detection("PASSWORD", "secrets", self.id, segment.end, segment.end + 5, 0.9)]


class Records:
    """A detector that finds nothing and remembers which segment kinds it was shown."""

    id = "test.records"

    def __init__(self, kinds: frozenset[SegmentKind]) -> None:
        self.segment_kinds = kinds
        self.seen: list[SegmentKind] = []

    def detect(self, segment: Segment) -> list[Detection]:
        self.seen.append(segment.kind)
        return []


def test_zero_detectors_is_a_configuration_error() -> None:
    with pytest.raises(ClassifierConfigError, match="no detectors"):
        Classifier([], hmac_key=KEY)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hmac_key": b"short"}, "at least 32 bytes"),
        ({"hmac_key": KEY, "min_score": 1.5}, "min_score"),
        ({"hmac_key": KEY, "context_chars": -1}, "context_chars"),
        ({"hmac_key": KEY, "max_segment_chars": 3}, "max_segment_chars"),
    ],
)
def test_bad_settings_are_configuration_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ClassifierConfigError, match=message):
        Classifier([CardDetector()], **kwargs)


def test_duplicate_detector_ids_are_a_configuration_error() -> None:
    with pytest.raises(ClassifierConfigError, match=r"duplicate detector ids: payment\.card"):
        Classifier([CardDetector(), CardDetector()], hmac_key=KEY)


def test_unknown_ner_mode_is_a_configuration_error() -> None:
    with pytest.raises(ClassifierConfigError, match="CHATSIFT_NER"):
        build_classifier(ner="sometimes", hmac_key=KEY)  # type: ignore[arg-type]


def test_a_detector_that_raises_makes_the_chat_partial_not_clean() -> None:
    classifier = Classifier([Raises(), CardDetector()], hmac_key=KEY)
    result = classifier.classify(chat(block("card 4111 1111 1111 1111", message_id="msg_9", index=2)))
    assert result.status == "partial"
    assert [f.entity for f in result.findings] == ["CREDIT_CARD"]
    (error,) = result.errors
    assert (error.code, error.detail, error.message_id, error.block) == (
        "detector_failed",
        "test.raises raised ValueError",
        "msg_9",
        2,
    )
    assert CANARY not in repr(result)


def test_when_every_run_fails_the_chat_is_an_error() -> None:
    result = Classifier([Raises()], hmac_key=KEY).classify(chat(block("a"), block("b", index=1)))
    assert result.status == "error"
    assert result.findings == ()
    assert len(result.errors) == 2


def test_one_error_per_detector_and_block_even_over_many_segments() -> None:
    text = "prose\n```\ncode\n```\nmore prose"
    result = Classifier([Raises(), CardDetector()], hmac_key=KEY).classify(chat(block(text)))
    assert len(result.errors) == 1


def test_a_span_outside_the_segment_is_a_detector_failure() -> None:
    result = Classifier([BadSpan(), CardDetector()], hmac_key=KEY).classify(chat(block("hello there")))
    assert result.status == "partial"
    assert result.errors[0].detail == "test.bad_span returned an invalid span"
    assert result.findings == ()


def test_detectors_only_see_the_segment_kinds_they_declare() -> None:
    recorder = Records(frozenset({"code", "name"}))
    text = "prose\n```\ncode\n```\nprose"
    Classifier([recorder], hmac_key=KEY).classify(
        chat(block(text), block("name", kind="name", message_id=None), block('{"a": 1}', kind="tool_use"))
    )
    assert sorted(recorder.seen) == ["code", "name"]


def test_an_empty_chat_is_clean_and_ok(fast_classifier: Classifier) -> None:
    result = fast_classifier.classify(ChatText("claude_chat_E", (), 3))
    assert (result.status, result.severity, result.labels, result.scores, result.messages_scanned) == (
        "ok",
        "none",
        (),
        {},
        3,
    )


def test_findings_carry_ids_offsets_and_redacted_evidence(fast_classifier: Classifier) -> None:
    text = f"Hi! deploy with {AWS} and card 4539 1488 0343 6467, mail ops@corp-example.com."
    result = fast_classifier.classify(
        chat(block("Quick question."), block(text, message_id="msg_1", index=1))
    )
    by_entity = {f.entity: f for f in result.findings}
    assert set(by_entity) == {"AWS_ACCESS_KEY", "CREDIT_CARD", "EMAIL_ADDRESS"}
    aws = by_entity["AWS_ACCESS_KEY"]
    assert (aws.message_id, aws.role, aws.block, aws.segment) == ("msg_1", "user", 1, "prose")
    assert text[aws.start : aws.end] == AWS
    assert (aws.category, aws.detector) == ("secrets", "secrets.aws")
    assert aws.evidence == "Hi! deploy with [AWS_ACCESS_KEY:AKIA…LP] and card [CREDIT_CARD]…"
    assert re.fullmatch(r"[0-9a-f]{24}", aws.finding_id)
    assert re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", aws.fingerprint)
    assert result.labels == ("pii", "payment", "secrets")
    assert result.severity == "critical"
    assert result.scores["payment"] == pytest.approx(0.95)
    assert result.status == "ok"


def test_results_are_deterministic_and_fingerprints_match_across_chats(fast_classifier: Classifier) -> None:
    first = fast_classifier.classify(chat(block(f"key {AWS}"), chat_id="claude_chat_A"))
    again = fast_classifier.classify(chat(block(f"key {AWS}"), chat_id="claude_chat_A"))
    other = fast_classifier.classify(chat(block(f"the same {AWS} here"), chat_id="claude_chat_B"))
    assert first == again
    assert first.findings[0].fingerprint == other.findings[0].fingerprint
    assert first.findings[0].finding_id != other.findings[0].finding_id


def test_below_min_score_is_dropped_but_context_lifts_it(fast_classifier: Classifier) -> None:
    sha = "3f786850e387550fdab836ed7e6dc881de23001b"
    assert fast_classifier.classify(chat(block(f"commit {sha} fixed it"))).findings == ()
    (hit,) = fast_classifier.classify(chat(block(f'api_key = "{sha}"'))).findings
    assert hit.entity == "SECRET" and hit.score >= 0.5


def test_a_secret_behind_json_escapes_in_tool_input_is_found_at_raw_offsets(
    fast_classifier: Classifier,
) -> None:
    raw = json.dumps({"command": f"cat creds\n{AWS}", "note": 'password = "Tq7#vR2m!pLx9"'})
    result = fast_classifier.classify(chat(block(raw, kind="tool_use"), block(f"again {AWS}", index=1)))
    aws = [f for f in result.findings if f.entity == "AWS_ACCESS_KEY"]
    assert [raw[aws[0].start : aws[0].end]] == [AWS]
    assert aws[0].segment == "tool_input"
    assert aws[0].fingerprint == aws[1].fingerprint
    assert "PASSWORD" in {f.entity for f in result.findings}


def test_the_chat_name_is_scanned_with_no_message_id(fast_classifier: Classifier) -> None:
    result = fast_classifier.classify(chat(block(f"rotate {AWS}", kind="name", message_id=None)))
    (finding,) = result.findings
    assert (finding.message_id, finding.role, finding.segment) == (None, None, "name")


def test_values_near_chunk_boundaries_keep_absolute_offsets() -> None:
    classifier = Classifier([CardDetector(), AnthropicKeyDetector()], hmac_key=KEY, max_segment_chars=64)
    text = ("filler words here " * 10) + "card 4111111111111111 " + ("more words " * 10)
    (finding,) = classifier.classify(chat(block(text))).findings
    assert text[finding.start : finding.end] == "4111111111111111"


def test_messages_scanned_comes_from_the_chat(fast_classifier: Classifier) -> None:
    assert fast_classifier.classify(ChatText("c", (block("hi"),), 7)).messages_scanned == 7


def test_ruleset_is_stable_and_changes_with_the_rules(fast_classifier: Classifier) -> None:
    same = build_classifier(ner="off", hmac_key=bytes(32))
    assert fast_classifier.ruleset == same.ruleset
    assert re.fullmatch(r"v2-[0-9a-f]{12}", fast_classifier.ruleset)
    stricter = Classifier(fast_classifier.detectors, hmac_key=KEY, min_score=0.7)
    fewer = Classifier(fast_classifier.detectors[:-1], hmac_key=KEY)
    wider = Classifier(fast_classifier.detectors, hmac_key=KEY, context_chars=10)
    assert len({fast_classifier.ruleset, stricter.ruleset, fewer.ruleset, wider.ruleset}) == 4


def test_the_default_registry_order_is_secrets_payment_pii_then_content(fast_classifier: Classifier) -> None:
    ids = [d.id for d in fast_classifier.detectors]
    rank = {"secrets": 0, "payment": 1, "pii": 2, "regulated": 3, "financial": 3, "customer_data": 3}
    ranks = [rank[i.split(".", 1)[0]] for i in ids]
    assert ranks == sorted(ranks)
    assert ids[0] == "secrets.anthropic" and ids[-1] == "customer_data.bulk"
    for expected in (
        "secrets.detect_secrets",
        "payment.card",
        "payment.iban",
        "pii.presidio",
        "regulated.health",
    ):
        assert expected in ids
    assert set(rank) - {"pii"} <= {i.split(".", 1)[0] for i in ids} | {"pii"}


def test_repr_shows_no_key(fast_classifier: Classifier) -> None:
    assert KEY.hex() not in repr(fast_classifier)
    assert "secrets.anthropic" in repr(fast_classifier)


def test_a_region_finding_keeps_the_values_inside_it(fast_classifier: Classifier) -> None:
    rows = "\n".join(f"Person {i},person{i}@mail-test.org,+1 415 555 01{i:02d}" for i in range(8))
    result = fast_classifier.classify(chat(block("name,email,phone\n" + rows)))
    entities = [f.entity for f in result.findings]
    assert entities.count("BULK_PERSONAL_DATA") == 1
    assert entities.count("EMAIL_ADDRESS") == 8
    assert result.labels == ("pii", "customer_data")
    assert result.severity == "high"


def test_content_findings_come_with_their_categories(fast_classifier: Classifier) -> None:
    text = (
        "Doctor: any allergies? Patient: penicillin, and I take metformin for my type 2 diabetes; "
        "my MRN: 00482913."
    )
    money = "Q3 revenue came in at $4.2M against a forecast of $3.8M; EBITDA margin 18%. Board only."
    result = fast_classifier.classify(chat(block(text), block(money, index=1)))
    by_entity = {f.entity: f for f in result.findings}
    assert by_entity["HEALTH_INFORMATION"].category == "regulated"
    assert (
        text[by_entity["MEDICAL_RECORD_NUMBER"].start : by_entity["MEDICAL_RECORD_NUMBER"].end] == "00482913"
    )
    assert by_entity["FINANCIAL_INFORMATION"].category == "financial"
    assert {"regulated", "financial"} <= set(result.labels)
    assert result.severity == "high"  # a medical record number on its own is high


class Batched:
    """Finds "hit" words; its batch call fails when any segment says "boom", as does that segment alone."""

    id = "test.batched"
    segment_kinds: frozenset[SegmentKind] = frozenset(SEGMENT_KINDS)

    def __init__(self) -> None:
        self.batches: list[int] = []

    def detect(self, segment: Segment) -> list[Detection]:
        if "boom" in segment.text:
            raise ValueError(f"cannot read {segment.text}")
        at = segment.text.find("hit")
        if at < 0:
            return []
        start = segment.start + at
        return [Detection("EMAIL_ADDRESS", "pii", self.id, start, start + 3, 0.9)]

    def detect_many(self, segments: list[Segment]) -> list[list[Detection]]:
        self.batches.append(len(segments))
        return [self.detect(segment) for segment in segments]


def test_batched_detectors_see_the_whole_chat_and_failures_stay_on_their_block() -> None:
    detector = Batched()
    c = Classifier([detector], hmac_key=KEY)
    ok = c.classify(chat(block("a hit"), block("no", index=1), block("hit again", index=2)))
    assert detector.batches == [3]
    assert [(f.block, f.start) for f in ok.findings] == [(0, 2), (2, 0)]
    assert ok.status == "ok"
    failing = c.classify(chat(block("a hit"), block("boom", index=1), block("hit again", index=2)))
    assert [(f.block, f.start) for f in failing.findings] == [(0, 2), (2, 0)]  # retried one by one
    assert [(e.code, e.block) for e in failing.errors] == [("detector_failed", 1)]
    assert failing.status == "partial" and "boom" not in repr(failing)
