"""The label record, schema ``chatsift.label.v1``: one JSON object per chat and per change of it.

Field names are a contract read by SIEM rules and scripts (ARCHITECTURE.md, "Contracts"): extend,
never rename. A record holds ids, labels, scores and redacted findings only, never raw chat text.
Validation errors never echo input (``hide_input_in_errors``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field, model_validator

from classifier.types import Category, ChatResult, ClassifyError, Finding, SegmentKind, Severity, Status
from labels.timestamps import RFC3339_PATTERN, canonical, rfc3339

SchemaName = Literal["chatsift.label.v1"]
SCHEMA_NAME: SchemaName = "chatsift.label.v1"
RECORD_ID_PATTERN = r"^lr_[0-9a-f]{32}$"

Timestamp = Annotated[
    str,
    Field(
        pattern=RFC3339_PATTERN,
        json_schema_extra={"format": "date-time"},
        description="RFC 3339 in UTC with Z; microseconds only when not zero",
    ),
]
Score = Annotated[float, Field(ge=0.0, le=1.0)]


class ChatMeta(TypedDict):
    """The chat metadata every record carries: ``**meta`` for ``from_result`` and ``error_record``."""

    href: str | None
    user_id: str | None
    user_email: str | None
    organization_uuid: str | None
    project_id: str | None
    model: str | None
    chat_created_at: datetime
    chat_updated_at: datetime
    deleted: bool


class _Model(BaseModel):
    """Base of the record models: closed, immutable, aliases on output, input never echoed."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_serialization_defaults_required=True,
    )


class UserRef(_Model):
    """The chat's owner: ids only."""

    id: str
    email_address: str | None


class FindingRecord(_Model):
    """One redacted finding: the classifier's Finding, field for field."""

    finding_id: str
    category: Category
    entity: str = Field(description="entity name, e.g. AWS_ACCESS_KEY (a contract: never renamed)")
    detector: str = Field(description="stable detector id, e.g. secrets.aws")
    score: Score
    message_id: str | None = Field(description="null for findings in the chat's name")
    role: str | None
    block: int = Field(description="index of the content block within the message")
    segment: SegmentKind
    start: int = Field(ge=0, description="Python string offset into the block's text")
    end: int = Field(ge=0, description="exclusive end offset")
    # Kept out of repr all the same: reprs reach logs and tracebacks, where no context belongs.
    evidence: str = Field(
        repr=False, description="masked value with at most 20 characters of redacted context"
    )
    fingerprint: str = Field(description="keyed HMAC of the normalised value, hmac-sha256:...")
    attachment: str | None = Field(
        default=None,
        description="id of the attachment (file, generated file, artifact version) whose content holds "
        "the finding; block is then its index among the message's attachments. null for content blocks",
    )

    @model_validator(mode="after")
    def _span(self) -> Self:
        if self.end < self.start:
            raise ValueError("finding end is before its start")
        return self

    @classmethod
    def from_finding(cls, finding: Finding) -> FindingRecord:
        """The record form of a classifier finding."""
        return cls(**dataclasses.asdict(finding))


AttachmentKind = Literal["file", "generated_file", "artifact"]


class AttachmentScan(_Model):
    """Whether one attachment of a message was scanned, and why not: ids and metadata, no names."""

    kind: AttachmentKind
    id: str = Field(description="file id, generated file id, or artifact version id")
    message_id: str
    mime_type: str | None
    size_bytes: int | None = Field(ge=0)
    scanned: bool
    reason: str | None = Field(
        description="why it was not scanned: binary, too_large, attachment_gone, http_500, ... "
        "(null if scanned)"
    )


class RecordError(_Model):
    """Why (part of) a chat could not be labelled: a stable code and a detail with ids only."""

    code: str = Field(description="stable code, e.g. http_500, malformed_json, detector_failed")
    detail: str
    message_id: str | None = None
    block: int | None = None

    @classmethod
    def from_classify_error(cls, error: ClassifyError) -> RecordError:
        """The record form of a classifier error."""
        return cls(**dataclasses.asdict(error))


def make_record_id(
    chat_id: str,
    chat_updated_at: str | datetime,
    ruleset: str,
    status: Status = "ok",
    error_codes: Iterable[str] = (),
) -> str:
    """The deterministic record id: ``lr_`` + 32 hex of a SHA-256 of chat id, version and ruleset.

    The same chat version labelled by the same ruleset always gets the same id, so a rerun or a
    replay is deduplicated by the store and by feed consumers. Extension of the contract: for
    ``partial`` and ``error`` records the status and the sorted, distinct error codes are hashed
    too, so the successful record that follows a failure of the same chat version gets a different
    id and is not deduplicated away. ``chat_updated_at`` is canonicalised first (see ``rfc3339``).
    """
    parts = [chat_id, canonical(chat_updated_at), ruleset]
    if status != "ok":
        parts += [status, ",".join(sorted(set(error_codes)))]
    # JSON keeps the fields apart unambiguously whatever characters an id holds.
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
    return "lr_" + digest[:32]


class LabelRecord(_Model):
    """One chat version's labels: the ``chatsift.label.v1`` record stored and fed."""

    schema_: SchemaName = Field(default=SCHEMA_NAME, alias="schema")
    record_id: str = Field(pattern=RECORD_ID_PATTERN, description="deterministic; dedupe on it")
    chat_id: str
    href: str | None
    user: UserRef | None
    organization_uuid: str | None
    project_id: str | None
    model: str | None
    chat_created_at: Timestamp
    chat_updated_at: Timestamp
    deleted: bool
    labels: list[Category]
    severity: Severity
    scores: dict[Category, Score]
    findings: list[FindingRecord]
    messages_scanned: int = Field(ge=0)
    status: Status
    errors: list[RecordError]
    ruleset: str
    scanned_at: Timestamp
    # Extensions of the contract come after its fields.
    attachments: list[AttachmentScan] = Field(
        default_factory=list, description="attachments of the messages scanned, and whether each was read"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status == "ok" and self.errors:
            raise ValueError("a record with status ok carries no errors")
        expected = make_record_id(
            self.chat_id, self.chat_updated_at, self.ruleset, self.status, (e.code for e in self.errors)
        )
        if self.record_id != expected:
            raise ValueError("record_id does not match chat_id, chat_updated_at, ruleset and status")
        return self

    @classmethod
    def from_result(
        cls,
        result: ChatResult,
        *,
        ruleset: str,
        scanned_at: datetime,
        attachments: Sequence[AttachmentScan] = (),
        **meta: Unpack[ChatMeta],
    ) -> LabelRecord:
        """The record of a classifier result and the chat's metadata."""
        return cls._build(
            attachments=list(attachments),
            chat_id=result.chat_id,
            labels=list(result.labels),
            severity=result.severity,
            scores=dict(result.scores),
            findings=[FindingRecord.from_finding(f) for f in result.findings],
            messages_scanned=result.messages_scanned,
            status=result.status,
            errors=[RecordError.from_classify_error(e) for e in result.errors],
            ruleset=ruleset,
            scanned_at=rfc3339(scanned_at),
            **_meta_fields(meta),
        )

    @classmethod
    def error_record(
        cls,
        chat_id: str,
        *,
        errors: Sequence[RecordError],
        ruleset: str,
        scanned_at: datetime,
        status: Literal["error", "partial"] = "error",
        **meta: Unpack[ChatMeta],
    ) -> LabelRecord:
        """The record of a chat that could not be fetched or classified: no labels, no findings."""
        if not errors:
            raise ValueError("an error record needs at least one error")
        return cls._build(
            chat_id=chat_id,
            labels=[],
            severity="none",
            scores={},
            findings=[],
            messages_scanned=0,
            status=status,
            errors=list(errors),
            ruleset=ruleset,
            scanned_at=rfc3339(scanned_at),
            **_meta_fields(meta),
        )

    def with_errors(self, errors: Sequence[RecordError]) -> LabelRecord:
        """This record marked ``partial`` with ``errors`` added (its id changes with its status)."""
        fields = self.model_dump(by_alias=False)
        fields.pop("record_id")
        fields.pop("schema_", None)
        fields.update(status="partial", errors=[*self.errors, *errors])
        return self._build(**fields)

    @classmethod
    def _build(cls, **fields: Any) -> LabelRecord:
        """Validate a record from its fields, deriving ``record_id`` from them."""
        codes = (e.code for e in fields["errors"])
        fields["record_id"] = make_record_id(
            fields["chat_id"], fields["chat_updated_at"], fields["ruleset"], fields["status"], codes
        )
        return cls.model_validate(fields)


def _meta_fields(meta: ChatMeta) -> dict[str, Any]:
    """The record fields that come from the chat's metadata."""
    user = (
        UserRef(id=meta["user_id"], email_address=meta["user_email"]) if meta["user_id"] is not None else None
    )
    return {
        "href": meta["href"],
        "user": user,
        "organization_uuid": meta["organization_uuid"],
        "project_id": meta["project_id"],
        "model": meta["model"],
        "chat_created_at": rfc3339(meta["chat_created_at"]),
        "chat_updated_at": rfc3339(meta["chat_updated_at"]),
        "deleted": meta["deleted"],
    }
