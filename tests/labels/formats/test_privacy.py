"""Planted canaries: evidence text reaches only the formats documented to carry it, and error
details (ids only by contract, but free text all the same) reach no format at all."""

from __future__ import annotations

import pytest

from labels import LabelRecord, RecordError
from labels.formats import FORMAT_NAMES, RenderOptions, renderer
from tests.labels.formats.items import RULESET, SCANNED, T0, flagged

CANARY = "CANARY-fmt-91c2"


def _planted_evidence() -> LabelRecord:
    record = flagged()
    findings = [f.model_copy(update={"evidence": f"…[{f.entity}] {CANARY}…"}) for f in record.findings]
    return record.model_copy(update={"findings": findings})


def _planted_error() -> LabelRecord:
    return LabelRecord.error_record(
        "claude_chat_09Planted",
        errors=[RecordError(code="http_500", detail=f"GET /v1/x: 500 {CANARY}", message_id="m1", block=0)],
        ruleset=RULESET,
        scanned_at=SCANNED,
        href=None,
        user_id=None,
        user_email=None,
        organization_uuid=None,
        project_id=None,
        model=None,
        chat_created_at=T0,
        chat_updated_at=T0,
        deleted=False,
    )


@pytest.mark.parametrize("granularity", ["chat", "finding"])
@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_evidence_only_where_documented(fmt: str, granularity: str) -> None:
    for payload in ("ocsf", "ecs", "record", "cef"):
        options = RenderOptions(granularity=granularity, payload=payload)  # type: ignore[arg-type]
        texts = [e.text() for e in renderer(fmt, options)(_planted_evidence())]  # type: ignore[arg-type]
        carries = fmt in ("record", "ecs", "cef") or (fmt == "syslog" and payload != "ocsf")
        assert all((CANARY in t) == carries for t in texts), (fmt, payload)


@pytest.mark.parametrize("granularity", ["chat", "finding"])
@pytest.mark.parametrize("fmt", ["ocsf", "ecs", "cef", "syslog"])
def test_error_details_reach_no_event_format(fmt: str, granularity: str) -> None:
    for payload in ("ocsf", "ecs", "cef"):
        options = RenderOptions(granularity=granularity, payload=payload)  # type: ignore[arg-type]
        (event,) = renderer(fmt, options)(_planted_error())  # type: ignore[arg-type]
        assert CANARY not in event.text()
        assert "http_500" in event.text()


def test_record_without_user_renders_everywhere() -> None:
    for fmt in FORMAT_NAMES:
        (event,) = renderer(fmt)(_planted_error())
        assert "user_" not in event.text()
