"""Per-user and per-project rollups, schema ``chatsift.rollup.v1``: the evidence of an access review.

A rollup counts, for one user or one project, how many of its chats carry each category in their
latest labels, how many of those changed in the last ``window_days`` before ``as_of``, and when the
category was first and last seen (the ``chat_updated_at`` of the earliest and latest stored chat
version carrying it). Counts and ids only: no chat names, no evidence.

``rollup_id`` hashes everything but ``as_of``, the revision included: a rollup is fed only when its
counts change, each change gets a new id (even back to earlier counts), and a rerun after a crash
gives the same id. Consumers dedupe on it as on ``record_id``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from classifier.types import Category, Severity
from labels.record import Timestamp, UserRef, _Model

RollupSchemaName = Literal["chatsift.rollup.v1"]
ROLLUP_SCHEMA_NAME: RollupSchemaName = "chatsift.rollup.v1"
ROLLUP_ID_PATTERN = r"^ru_[0-9a-f]{32}$"
Scope = Literal["user", "project"]


class CategoryRollup(_Model):
    """One category's counts within a rollup."""

    chats: int = Field(ge=0, description="chats whose latest labels include the category")
    chats_in_window: int = Field(ge=0, description="of those, chats updated in the window before as_of")
    first_seen: Timestamp = Field(description="chat_updated_at of the earliest chat version carrying it")
    last_seen: Timestamp = Field(description="chat_updated_at of the latest chat version carrying it")


class RollupRecord(_Model):
    """One user's or project's category counts at ``as_of``."""

    schema_: RollupSchemaName = Field(default=ROLLUP_SCHEMA_NAME, alias="schema")
    rollup_id: str = Field(pattern=ROLLUP_ID_PATTERN, description="deterministic; dedupe on it")
    scope: Scope
    subject_id: str = Field(description="the user id (user_…) or the project id")
    revision: int = Field(ge=1, description="1 for the subject's first rollup, +1 for each change")
    user: UserRef | None = Field(description="the user, for scope user; null for projects")
    organization_uuid: str | None
    as_of: Timestamp
    window_days: int = Field(ge=1)
    chats: int = Field(ge=0, description="the subject's chats in the store, deleted ones excluded")
    chats_labelled: int = Field(ge=0, description="of those, chats with at least one label")
    severity: Severity = Field(description="the highest severity among those chats' latest labels")
    categories: dict[Category, CategoryRollup] = Field(description="only categories seen at least once")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.rollup_id != rollup_id(self.model_dump(by_alias=True)):
            raise ValueError("rollup_id does not match the rollup's content")
        return self

    @classmethod
    def build(cls, **fields: Any) -> RollupRecord:
        """Validate a rollup from its fields, deriving ``rollup_id`` from them."""
        fields.setdefault("schema", ROLLUP_SCHEMA_NAME)
        fields["rollup_id"] = rollup_id(fields)
        return cls.model_validate(fields)


def rollup_id(fields: dict[str, Any]) -> str:
    """``ru_`` + 32 hex of a SHA-256 of the rollup's content without ``as_of`` and the id itself."""
    content = {k: v for k, v in fields.items() if k not in ("rollup_id", "as_of", "schema", "schema_")}
    text = json.dumps(_plain(content), sort_keys=True, separators=(",", ":"))
    return "ru_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _plain(value: Any) -> Any:
    """Models and nested containers as plain JSON values (so built and loaded rollups hash alike)."""
    if isinstance(value, _Model):
        return _plain(value.model_dump(by_alias=True))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
