"""The label record: JSON shape, the ``schema`` alias, deterministic ids, timestamps, validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from labels import FindingRecord, LabelRecord, make_record_id, parse_rfc3339, rfc3339
from tests.labels.conftest import CANARY, RULESET, T0, error_record, finding, meta, record, result

CONTRACT_KEYS = [
    "schema", "record_id", "chat_id", "href", "user", "organization_uuid", "project_id", "model",
    "chat_created_at", "chat_updated_at", "deleted", "labels", "severity", "scores", "findings",
    "messages_scanned", "status", "errors", "ruleset", "scanned_at",
]  # fmt: skip
FINDING_KEYS = [
    "finding_id", "category", "entity", "detector", "score", "message_id", "role", "block", "segment",
    "start", "end", "evidence", "fingerprint",
]  # fmt: skip
# Extensions of the contract (issue 3): after the contract keys, never between them.
EXTENSION_KEYS = ["attachments"]
FINDING_EXTENSION_KEYS = ["attachment"]


def test_record_serialises_with_the_contract_keys_in_order() -> None:
    data = json.loads(record(findings=2).model_dump_json(by_alias=True))
    assert list(data) == CONTRACT_KEYS + EXTENSION_KEYS
    assert list(data["findings"][0]) == FINDING_KEYS + FINDING_EXTENSION_KEYS
    assert data["schema"] == "chatsift.label.v1"
    assert data["user"] == {"id": "user_1", "email_address": "user_1@example.com"}
    assert data["labels"] == ["secrets"] and data["scores"] == {"secrets": 0.99}


def test_schema_alias_is_used_even_without_by_alias() -> None:
    rec = record()
    assert '"schema":"chatsift.label.v1"' in rec.model_dump_json()
    assert "schema_" not in rec.model_dump_json()
    assert rec.model_dump()["schema"] == "chatsift.label.v1"


def test_json_round_trip_is_lossless() -> None:
    rec = record(findings=3)
    line = rec.model_dump_json(by_alias=True)
    again = LabelRecord.model_validate_json(line)
    assert again == rec
    assert again.model_dump_json(by_alias=True) == line


def test_from_result_copies_every_finding_field() -> None:
    f = finding(7, category="payment")
    rec = LabelRecord.from_result(result("claude_chat_9", (f,)), ruleset=RULESET, scanned_at=T0, **meta())
    assert rec.findings == [FindingRecord.from_finding(f)]
    assert rec.findings[0].model_dump() == {k: getattr(f, k) for k in FINDING_KEYS + FINDING_EXTENSION_KEYS}


def test_chat_without_user_has_null_user() -> None:
    assert record(user=None).user is None


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "2026-01-02T03:04:05.120000Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC), "2026-01-02T03:04:05.000001Z"),
        (datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"),  # naive: the API's UTC
    ],
)
def test_rfc3339_canonical_form(dt: datetime, expected: str) -> None:
    assert rfc3339(dt) == expected
    assert parse_rfc3339(expected) == dt.replace(tzinfo=dt.tzinfo or UTC)


@pytest.mark.parametrize("bad", ["", "yesterday", "2026-13-01T00:00:00Z", f"{CANARY}T00:00Z"])
def test_parse_rfc3339_rejects_garbage_without_echoing_it(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_rfc3339(bad)
    assert bad not in str(info.value) or not bad


def test_record_id_is_deterministic_and_canonicalises_the_timestamp() -> None:
    rid = make_record_id("claude_chat_1", "2026-03-01T12:00:00Z", RULESET)
    assert rid.startswith("lr_") and len(rid) == 35
    assert make_record_id("claude_chat_1", "2026-03-01T12:00:00Z", RULESET) == rid
    # The same instant written differently is the same version.
    assert make_record_id("claude_chat_1", "2026-03-01T14:00:00+02:00", RULESET) == rid
    assert make_record_id("claude_chat_1", "2026-03-01T12:00:00.000000Z", RULESET) == rid
    assert make_record_id("claude_chat_1", T0, RULESET) == rid
    assert record().record_id == rid


@pytest.mark.parametrize(
    "other",
    [
        ("claude_chat_2", "2026-03-01T12:00:00Z", RULESET, "ok", ()),
        ("claude_chat_1", "2026-03-01T12:00:00.000001Z", RULESET, "ok", ()),
        ("claude_chat_1", "2026-03-01T12:00:00Z", "v2-test", "ok", ()),
        ("claude_chat_1", "2026-03-01T12:00:00Z", RULESET, "error", ("http_500",)),
        ("claude_chat_1", "2026-03-01T12:00:00Z", RULESET, "partial", ("http_500",)),
        ("claude_chat_1", "2026-03-01T12:00:00Z", RULESET, "error", ("http_503",)),
        # A field boundary moved: JSON-encoding the parts keeps these apart.
        ("claude_chat_1|2026", "2026-03-01T12:00:00Z", RULESET, "ok", ()),
    ],
)
def test_record_id_changes_with_every_input(other: tuple) -> None:
    base = make_record_id("claude_chat_1", "2026-03-01T12:00:00Z", RULESET)
    assert make_record_id(*other) != base


def test_error_codes_are_hashed_as_a_sorted_set_and_ignored_for_ok() -> None:
    a = make_record_id("c", "2026-03-01T12:00:00Z", "r", "error", ["b", "a", "a"])
    assert a == make_record_id("c", "2026-03-01T12:00:00Z", "r", "error", ["a", "b"])
    assert make_record_id("c", "2026-03-01T12:00:00Z", "r", "ok", ["x"]) == make_record_id(
        "c", "2026-03-01T12:00:00Z", "r"
    )


def test_error_record_then_success_of_the_same_version_get_different_ids() -> None:
    failed, fixed = error_record(), record()
    assert failed.chat_updated_at == fixed.chat_updated_at
    assert failed.record_id != fixed.record_id
    assert failed.status == "error" and failed.labels == [] and failed.findings == []
    assert failed.severity == "none" and failed.scores == {} and failed.messages_scanned == 0
    assert [e.code for e in failed.errors] == ["http_500"]
    assert failed.record_id == make_record_id(
        failed.chat_id, failed.chat_updated_at, RULESET, "error", ["http_500"]
    )


def test_partial_result_keeps_findings_and_errors() -> None:
    rec = record(status="partial", findings=2)
    assert rec.status == "partial" and len(rec.findings) == 2
    assert [e.code for e in rec.errors] == ["detector_failed"]
    assert rec.record_id != record(findings=2).record_id


def test_error_record_needs_an_error() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        LabelRecord.error_record("c", errors=[], ruleset=RULESET, scanned_at=T0, **meta())


def _data(**changes: object) -> dict:
    data = json.loads(record().model_dump_json())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"schema": "chatsift.label.v2"},
        {"extra_field": 1},
        {"labels": ["secrets", "gossip"]},
        {"severity": "extreme"},
        {"status": "fine"},
        {"scores": {"secrets": 1.5}},
        {"scores": {"unknown": 0.5}},
        {"chat_updated_at": "2026-03-01 12:00:00"},
        {"chat_updated_at": "2026-03-01T12:00:00+00:00"},
        {"scanned_at": "2026-03-01T12:00:00.000Z"},
        {"record_id": "lr_" + "0" * 32},  # does not match the record's own fields
        {"record_id": "not-an-id"},
        {"messages_scanned": -1},
        {"errors": [{"code": "x", "detail": "y"}]},  # ok with errors
    ],
)
def test_invalid_records_are_rejected(changes: dict) -> None:
    with pytest.raises(ValidationError):
        LabelRecord.model_validate(_data(**changes))


def test_valid_data_is_accepted_hard_negative() -> None:
    # The same builder as above, unchanged: proves the rejections are about the changes.
    assert LabelRecord.model_validate(_data()) == record()


@pytest.mark.parametrize(
    "change",
    [{"start": 30, "end": 10}, {"start": -1}, {"segment": "poem"}, {"surprise": True}, {"score": -0.1}],
)
def test_invalid_findings_are_rejected(change: dict) -> None:
    data = FindingRecord.from_finding(finding()).model_dump() | change
    with pytest.raises(ValidationError):
        FindingRecord.model_validate(data)


def test_validation_errors_and_reprs_never_echo_content() -> None:
    rec = record(evidence=f"ctx {CANARY} [AWS_ACCESS_KEY:AKIA…6Q]")
    assert CANARY not in repr(rec)
    data = json.loads(rec.model_dump_json())
    data["findings"][0]["score"] = CANARY
    data["chat_updated_at"] = CANARY
    with pytest.raises(ValidationError) as info:
        LabelRecord.model_validate(data)
    assert CANARY not in str(info.value) and CANARY not in repr(info.value)


def test_records_are_immutable() -> None:
    rec = record()
    with pytest.raises(ValidationError):
        rec.chat_id = "other"
