"""Compliance API objects, in the API's own shape (../shared/reference/compliance-api.md §2).

These models parse what the API (or the simulator) sends. They tolerate missing keys and unknown
extra keys, because the documentation is rewritten in place and its examples omit fields the schema
marks as present.

Privacy: every field that can hold user content (chat names, message text, tool inputs and results,
file names) is excluded from ``repr`` and validation errors never echo input
(``hide_input_in_errors``), so a model in a log line or a traceback carries ids only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag


class ApiModel(BaseModel):
    """Base for API objects: extra keys kept, input never echoed in errors."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True, populate_by_name=True)

    def __repr_args__(self) -> Any:  # extras may hold content too: keep them out of repr
        fields = type(self).model_fields
        return [(k, v) for k, v in super().__repr_args__() if k in fields and fields[k].repr]


class ChatUser(ApiModel):
    """The chat owner as embedded in chat objects."""

    id: str
    email_address: str | None = None


class TextBlock(ApiModel):
    """A ``text`` content block."""

    type: Literal["text"] = "text"
    text: str = Field(default="", repr=False)
    thinking_redacted: bool = False
    truncated: bool = False


class ToolUseBlock(ApiModel):
    """A ``tool_use`` block; ``input`` is a JSON-encoded string."""

    type: Literal["tool_use"] = "tool_use"
    id: str | None = None
    name: str | None = None
    input: str = Field(default="", repr=False)
    integration_name: str | None = None
    mcp_server_url: str | None = Field(default=None, repr=False)
    truncated: bool = False


class ToolResultItem(ApiModel):
    """One item of a tool result's content (only text items are delivered)."""

    type: str = "text"
    text: str = Field(default="", repr=False)


class ToolResultBlock(ApiModel):
    """A ``tool_result`` block."""

    type: Literal["tool_result"] = "tool_result"
    tool_use_id: str | None = None
    name: str | None = None
    is_error: bool = False
    content: list[ToolResultItem] = Field(default_factory=list, repr=False)
    integration_name: str | None = None
    mcp_server_url: str | None = Field(default=None, repr=False)
    truncated: bool = False


class UnknownBlock(ApiModel):
    """A block type this version does not know; kept so offsets and block indexes stay right."""

    type: str


def _block_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in ("text", "tool_use", "tool_result") else "unknown"


ContentBlock = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ToolUseBlock, Tag("tool_use")]
    | Annotated[ToolResultBlock, Tag("tool_result")]
    | Annotated[UnknownBlock, Tag("unknown")],
    Discriminator(_block_kind),
]


class FileRef(ApiModel):
    """An uploaded file attached to a message (metadata only)."""

    id: str
    filename: str | None = Field(default=None, repr=False)
    mime_type: str | None = None
    size_bytes: int | None = None
    md5: str | None = None
    created_at: datetime | None = None


class GeneratedFileRef(ApiModel):
    """A tool-generated file attached to a message (metadata only)."""

    id: str
    filename: str | None = Field(default=None, repr=False)
    mime_type: str | None = None
    size_bytes: int | None = None
    md5: str | None = None


class ArtifactRef(ApiModel):
    """An artifact version attached to a message (metadata only)."""

    id: str
    version_id: str | None = None
    title: str | None = Field(default=None, repr=False)
    artifact_type: str | None = None


class Message(ApiModel):
    """One chat message."""

    id: str
    role: Literal["user", "assistant"] | str
    created_at: datetime | None = None
    content: list[ContentBlock] = Field(default_factory=list, repr=False)
    files: list[FileRef] | None = None
    generated_files: list[GeneratedFileRef] | None = None
    artifacts: list[ArtifactRef] | None = None


class ChatSummary(ApiModel):
    """A chat as listed by ``GET /v1/compliance/apps/chats``."""

    id: str
    name: str | None = Field(default=None, repr=False)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    href: str | None = None
    model: str | None = None
    organization_id: str | None = None
    organization_uuid: str | None = None
    project_id: str | None = None
    user: ChatUser | None = None


class Chat(ChatSummary):
    """A chat with its messages, in the shape of the messages endpoint."""

    chat_messages: list[Message] = Field(default_factory=list, repr=False)


class CursorPage(ApiModel):
    """Cursor-paginated list envelope (chats, chat messages, activities)."""

    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None


class ChatListPage(CursorPage):
    """One page of ``GET /v1/compliance/apps/chats``."""

    data: list[ChatSummary] = Field(default_factory=list)


class MessagesPage(Chat, CursorPage):
    """One page of ``GET /v1/compliance/apps/chats/{id}/messages``: chat metadata plus messages."""


class Activity(ApiModel):
    """One Activity Feed record; type-specific fields are kept as extras (reference §2.1, Appendix A)."""

    id: str
    created_at: datetime
    type: str
    # The actor carries emails and IP addresses: personal data, kept out of repr.
    actor: dict[str, Any] = Field(default_factory=dict, repr=False)
    organization_id: str | None = None
    organization_uuid: str | None = None


class ActivityPage(CursorPage):
    """One page of ``GET /v1/compliance/activities``."""

    data: list[Activity] = Field(default_factory=list)


class Organization(ApiModel):
    """An organization from ``GET /v1/compliance/organizations``."""

    uuid: str
    name: str | None = None
    created_at: datetime | None = None


class OrgUser(ApiModel):
    """A member from ``GET /v1/compliance/organizations/{org_uuid}/users``."""

    id: str
    email: str | None = None
    full_name: str | None = Field(default=None, repr=False)
    organization_role: str | None = None
    created_at: datetime | None = None


class TokenPage(ApiModel):
    """Page-token list envelope (directory endpoints)."""

    has_more: bool | None = None
    next_page: str | None = None


class OrganizationsPage(TokenPage):
    """One page of organizations."""

    data: list[Organization] = Field(default_factory=list)


class OrgUsersPage(TokenPage):
    """One page of organization users."""

    data: list[OrgUser] = Field(default_factory=list)


class ApiErrorBody(BaseModel):
    """The documented error envelope ``{"error": {"type": ..., "message": ...}}``."""

    model_config = ConfigDict(extra="allow", hide_input_in_errors=True)

    type: str = "api_error"
    message: str = ""
