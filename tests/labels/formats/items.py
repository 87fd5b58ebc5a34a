"""The fixed feed items every format is rendered from: built deterministically, the same every run.

A flagged chat (findings in three categories over two messages, one in an attached file), a clean
chat, an error record, a deleted chat, and a rollup for a user and one for a project. Evidence
strings are masks and ellipses only, so nothing in the golden files looks like chat text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from classifier.types import ChatResult, Finding
from labels import AttachmentScan, LabelRecord, RecordError
from labels.formats import FeedItem
from labels.rollup import RollupRecord

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SCANNED = T0 + timedelta(hours=1, milliseconds=250)
RULESET = "v2-0123456789ab"
USER = "user_01AliceExample"
EMAIL = "alice@example.com"
MSG_1 = "claude_chat_msg_01First"
MSG_2 = "claude_chat_msg_02Second"
FILE = "claude_file_01Attached"


def _finding(n: int, category: str, entity: str, detector: str, score: float, **where: object) -> Finding:
    fields: dict[str, object] = {
        "message_id": MSG_1,
        "role": "user",
        "block": 0,
        "segment": "prose",
        "start": 10 * n,
        "end": 10 * n + 8,
        "attachment": None,
    }
    fields.update(where)
    return Finding(
        finding_id=f"fd_{n:04d}",
        category=category,  # type: ignore[arg-type]
        entity=entity,
        detector=detector,
        score=score,
        evidence=f"…[{entity}]…" if entity != "CREDIT_CARD" else "…[CREDIT_CARD:…1111]…",
        fingerprint=f"hmac-sha256:{n:064x}",
        **fields,  # type: ignore[arg-type]
    )


def _meta(chat_id: str, *, deleted: bool = False) -> dict:
    return {
        "href": f"https://claude.ai/chat/{chat_id}",
        "user_id": USER,
        "user_email": EMAIL,
        "organization_uuid": "91012d09-e48b-438e-a489-1bebfd8fa6f9",
        "project_id": "claude_proj_01Example",
        "model": "claude-sonnet-4",
        "chat_created_at": T0 - timedelta(days=1),
        "chat_updated_at": T0,
        "deleted": deleted,
    }


def _result(chat_id: str, findings: tuple[Finding, ...], severity: str) -> ChatResult:
    labels = tuple(sorted({f.category for f in findings}))
    scores = {c: max(f.score for f in findings if f.category == c) for c in labels}
    return ChatResult(
        chat_id=chat_id,
        findings=findings,
        labels=labels,
        scores=scores,  # type: ignore[arg-type]
        severity=severity,  # type: ignore[arg-type]
        messages_scanned=2,
        status="ok",
        errors=(),
    )


def flagged(
    findings: tuple[Finding, ...] | None = None, chat_id: str = "claude_chat_01Flagged"
) -> LabelRecord:
    """A chat with findings in pii, payment and secrets over two messages and an attached file."""
    if findings is None:
        findings = (
            _finding(0, "secrets", "AWS_ACCESS_KEY", "secrets.aws_access_key", 0.99),
            _finding(1, "pii", "EMAIL_ADDRESS", "pii.email", 0.85),
            _finding(
                2, "payment", "CREDIT_CARD", "payment.card", 0.97, message_id=MSG_2, role="assistant", block=1
            ),
            _finding(3, "pii", "EMAIL_ADDRESS", "pii.email", 0.8, message_id=MSG_2, block=0, attachment=FILE),
        )
    attachment = AttachmentScan(
        kind="file",
        id=FILE,
        message_id=MSG_2,
        mime_type="text/csv",
        size_bytes=120,
        scanned=True,
        reason=None,
    )
    return LabelRecord.from_result(
        _result(chat_id, findings, "high"),
        ruleset=RULESET,
        scanned_at=SCANNED,
        attachments=[attachment],
        **_meta(chat_id),
    )


def clean() -> LabelRecord:
    """A chat with nothing found."""
    chat = "claude_chat_02Clean"
    return LabelRecord.from_result(
        _result(chat, (), "none"), ruleset=RULESET, scanned_at=SCANNED, **_meta(chat)
    )


def error() -> LabelRecord:
    """A chat whose messages could not be fetched."""
    chat = "claude_chat_03Error"
    return LabelRecord.error_record(
        chat,
        errors=[RecordError(code="http_500", detail="GET /v1/compliance/apps/chats/{id}/messages: 500")],
        ruleset=RULESET,
        scanned_at=SCANNED,
        **_meta(chat),
    )


def deleted() -> LabelRecord:
    """A chat deleted since it was last labelled."""
    chat = "claude_chat_04Deleted"
    return LabelRecord.from_result(
        _result(chat, (), "none"), ruleset=RULESET, scanned_at=SCANNED, **_meta(chat, deleted=True)
    )


def _category(chats: int, days: int) -> dict:
    return {
        "chats": chats,
        "chats_in_window": 1,
        "first_seen": f"2026-01-{days:02d}T08:00:00Z",
        "last_seen": "2026-03-01T12:00:00Z",
    }


def user_rollup() -> RollupRecord:
    """A user's category counts."""
    return RollupRecord.build(
        scope="user",
        subject_id=USER,
        revision=1,
        user={"id": USER, "email_address": EMAIL},
        organization_uuid="91012d09-e48b-438e-a489-1bebfd8fa6f9",
        as_of="2026-03-02T00:00:00Z",
        window_days=30,
        chats=5,
        chats_labelled=2,
        severity="high",
        categories={"pii": _category(2, 5), "secrets": _category(1, 20)},
    )


def project_rollup() -> RollupRecord:
    """A project's category counts."""
    return RollupRecord.build(
        scope="project",
        subject_id="claude_proj_01Example",
        revision=3,
        user=None,
        organization_uuid="91012d09-e48b-438e-a489-1bebfd8fa6f9",
        as_of="2026-03-02T00:00:00Z",
        window_days=30,
        chats=12,
        chats_labelled=3,
        severity="critical",
        categories={"payment": _category(3, 2), "pii": _category(1, 9)},
    )


def all_items() -> dict[str, FeedItem]:
    """Every fixed item by name."""
    return {
        "flagged": flagged(),
        "clean": clean(),
        "error": error(),
        "deleted": deleted(),
        "user_rollup": user_rollup(),
        "project_rollup": project_rollup(),
    }
