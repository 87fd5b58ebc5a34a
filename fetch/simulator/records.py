"""The org's immutable records: org units, users, chats, and the message helpers they share.

Records are replaced on change, never mutated (``SimOrg`` relies on that to serialise outside its
lock). Raw chat text lives in ``SimChat.name`` and ``SimChat.messages``; both stay out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fetch.simulator import timestamps


@dataclass(frozen=True)
class OrgUnit:
    """One organization of the tenant (the parent, or a linked org)."""

    uuid: str
    org_id: str
    name: str
    created_at: datetime
    is_parent: bool

    def api(self) -> dict[str, Any]:
        """The organizations-list item."""
        return {"uuid": self.uuid, "name": self.name, "created_at": timestamps.render(self.created_at)}


@dataclass(frozen=True)
class SimUser:
    """A member of one org."""

    id: str
    email: str
    full_name: str = field(repr=False)
    role: str
    created_at: datetime
    org_uuid: str

    def api(self) -> dict[str, Any]:
        """The organization-users item."""
        return {
            "id": self.id,
            "full_name": self.full_name,
            "email": self.email,
            "organization_role": self.role,
            "created_at": timestamps.render(self.created_at),
        }


@dataclass(frozen=True)
class SimChat:
    """One chat; ``messages`` are API-shaped dicts, never mutated after creation."""

    id: str
    uuid: str
    name: str = field(repr=False)
    model: str | None
    org: OrgUnit
    project_id: str | None
    user: SimUser
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    messages: tuple[dict[str, Any], ...] = field(repr=False)
    message_times: tuple[datetime, ...] = field(repr=False)

    def key(self, order_by: str) -> tuple[datetime, str]:
        """The position of this chat under ``order_by`` (ties broken by id)."""
        return (self.updated_at if order_by == "updated_at" else self.created_at, self.id)

    def summary(self) -> dict[str, Any]:
        """The chat-list item."""
        return {
            "id": self.id,
            "name": self.name,
            "created_at": timestamps.render(self.created_at),
            "updated_at": timestamps.render(self.updated_at),
            "deleted_at": timestamps.render(self.deleted_at) if self.deleted_at else None,
            "href": f"https://claude.ai/chat/{self.uuid}",
            "model": self.model,
            "organization_id": self.org.org_id,
            "organization_uuid": self.org.uuid,
            "project_id": self.project_id,
            "user": {"id": self.user.id, "email_address": self.user.email},
        }


def text_message(message_id: str, role: str, text: str, at: datetime) -> dict[str, Any]:
    """A one-text-block message with no attachments."""
    block = {"type": "text", "text": text, "thinking_redacted": False, "truncated": False}
    return {
        "id": message_id,
        "role": role,
        "created_at": timestamps.render(at),
        "content": [block],
        "files": None,
        "generated_files": None,
        "artifacts": None,
    }


def emptied(message: dict[str, Any]) -> dict[str, Any]:
    """A message as served once its chat is soft-deleted: no content, no attachments."""
    return {**message, "content": [], "files": None, "generated_files": None, "artifacts": None}


def block_text(block: dict[str, Any]) -> str:
    """The text offsets point into: text, tool input, or tool-result items joined with newlines."""
    if block["type"] == "text":
        return str(block["text"])
    if block["type"] == "tool_use":
        return str(block["input"])
    return "\n".join(item["text"] for item in block["content"] if item.get("type") == "text")
