"""Builders for label records and a real SQLite store in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classifier.types import ChatResult, ClassifyError, Finding
from labels import LabelRecord, LabelStore, RecordError

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
RULESET = "v1-test"
# Planted in every field a record can carry content in; errors, reprs and logs must never show it.
CANARY = "CANARY-7f3a9-do-not-leak"


def finding(
    n: int = 0, *, category: str = "secrets", evidence: str = "key [AWS_ACCESS_KEY:AKIA…6Q] here"
) -> Finding:
    """A finding with distinct ids and offsets per ``n``."""
    return Finding(
        finding_id=f"fd_{n:04d}",
        category=category,  # type: ignore[arg-type]
        entity="AWS_ACCESS_KEY",
        detector="secrets.aws",
        score=0.99,
        message_id=f"claude_chat_msg_{n}",
        role="user",
        block=0,
        segment="prose",
        start=10 * n,
        end=10 * n + 20,
        evidence=evidence,
        fingerprint=f"hmac-sha256:{n:064x}",
    )


def result(chat_id: str, findings: tuple[Finding, ...] = (), *, status: str = "ok", errors=()) -> ChatResult:
    """A classifier result whose labels and scores follow its findings."""
    labels = tuple(sorted({f.category for f in findings}))
    return ChatResult(
        chat_id=chat_id,
        findings=findings,
        labels=labels,
        scores={c: 0.99 for c in labels},
        severity="high" if findings else "none",
        messages_scanned=3,
        status=status,  # type: ignore[arg-type]
        errors=tuple(errors),
    )


def meta(*, updated: datetime = T0, user: str | None = "user_1", deleted: bool = False) -> dict:
    """Chat metadata keywords for ``LabelRecord.from_result`` / ``error_record``."""
    return {
        "href": "https://claude.ai/chat/x",
        "user_id": user,
        "user_email": f"{user}@example.com" if user else None,
        "organization_uuid": "org-uuid-1",
        "project_id": None,
        "model": "claude-sonnet-4",
        "chat_created_at": T0 - timedelta(days=1),
        "chat_updated_at": updated,
        "deleted": deleted,
    }


def record(
    chat_id: str = "claude_chat_1",
    *,
    findings: int = 1,
    updated: datetime = T0,
    user: str | None = "user_1",
    status: str = "ok",
    evidence: str = "key [AWS_ACCESS_KEY:AKIA…6Q] here",
    ruleset: str = RULESET,
) -> LabelRecord:
    """A label record for one chat version, with ``findings`` findings."""
    found = tuple(finding(n, evidence=evidence) for n in range(findings))
    errors = (
        [ClassifyError("detector_failed", "detector secrets.aws raised ValueError")] if status != "ok" else []
    )
    return LabelRecord.from_result(
        result(chat_id, found, status=status, errors=errors),
        ruleset=ruleset,
        scanned_at=T0 + timedelta(hours=1),
        **meta(updated=updated, user=user),
    )


def error_record(
    chat_id: str = "claude_chat_1", *, code: str = "http_500", updated: datetime = T0
) -> LabelRecord:
    """The record of a chat that could not be fetched."""
    return LabelRecord.error_record(
        chat_id,
        errors=[RecordError(code=code, detail="GET /v1/compliance/apps/chats/{id}/messages: 500")],
        ruleset=RULESET,
        scanned_at=T0 + timedelta(hours=1),
        **meta(updated=updated),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the store lives (its directory does not exist yet)."""
    return tmp_path / "data" / "chatsift.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[LabelStore]:
    """A fresh store on a real SQLite file."""
    with LabelStore(db_path) as s:
        yield s
