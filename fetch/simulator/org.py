"""The simulated organisation: its orgs, users, chats and planted ground truth, plus mutations.

Records are immutable and replaced on change (copy-on-write), so a reader that grabbed a record
under ``SimOrg.lock`` can serialise it after letting go of the lock. The server and the test
mutations share that one lock.

Raw chat text lives in the records' ``name`` and ``messages``; both are kept out of ``repr``.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fetch.models import Chat, ChatSummary, Organization, OrgUser
from fetch.simulator import timestamps
from fetch.simulator.ids import IdFactory
from fetch.simulator.planted import PlantedValue

ORDER_KEYS = ("created_at", "updated_at")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


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


class SimOrg:
    """A generated tenant (one parent org, linked orgs) that tests can change while it is served."""

    def __init__(
        self,
        seed: int,
        units: list[OrgUnit],
        users: list[SimUser],
        chats: list[SimChat],
        planted: list[PlantedValue],
        base_time: datetime = EPOCH,
    ) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self._units = list(units)
        self._users = sorted(users, key=lambda u: (u.created_at, u.id))
        self._chats = {chat.id: chat for chat in chats}
        self._planted = list(planted)
        taken = set(self._chats) | {u.id for u in users} | {m["id"] for c in chats for m in c.messages}
        self._ids = IdFactory(random.Random(f"mutations-{seed}"), taken)
        self._latest = max((c.updated_at for c in chats), default=base_time)
        self._version = 0
        self._index: dict[str, tuple[int, list[tuple[datetime, str]], list[SimChat]]] = {}

    # --- lookups -------------------------------------------------------------------------------

    @property
    def parent(self) -> OrgUnit:
        """The parent organization (the tenant)."""
        return next(unit for unit in self._units if unit.is_parent)

    @property
    def org_units(self) -> list[OrgUnit]:
        """Every org of the tenant, sorted by ``created_at``."""
        return sorted(self._units, key=lambda u: (u.created_at, u.uuid))

    @property
    def orgs(self) -> list[Organization]:
        """Every org as the organizations endpoint lists them."""
        return [Organization.model_validate(unit.api()) for unit in self.org_units]

    @property
    def users(self) -> list[OrgUser]:
        """Every user of every org, by join date."""
        return [OrgUser.model_validate(user.api()) for user in self._users]

    def members(self, org_uuid: str) -> list[SimUser]:
        """The users of one org, by join date."""
        return [user for user in self._users if user.org_uuid == org_uuid]

    def unit(self, ident: str) -> OrgUnit | None:
        """The org with this bare UUID or ``org_`` id."""
        return next((u for u in self._units if ident in (u.uuid, u.org_id)), None)

    @property
    def chats(self) -> list[ChatSummary]:
        """Every chat not hard-deleted (soft-deleted ones included), by ``created_at`` then id."""
        _, records = self.ordered("created_at")
        return [ChatSummary.model_validate(record.summary()) for record in records]

    def chat(self, chat_id: str) -> Chat:
        """One chat with all its messages; ``KeyError`` if it does not exist (or was hard-deleted)."""
        record = self.record(chat_id)
        if record is None:
            raise KeyError(chat_id)
        return Chat.model_validate({**record.summary(), "chat_messages": list(record.messages)})

    def record(self, chat_id: str) -> SimChat | None:
        """The raw record of a chat, or ``None``."""
        with self.lock:
            return self._chats.get(chat_id)

    @property
    def planted(self) -> list[PlantedValue]:
        """Ground truth for every planted value still served."""
        with self.lock:
            return list(self._planted)

    def text_of(self, value: PlantedValue) -> str:
        """The whole block text ``value``'s offsets point into."""
        record = self.record(value.chat_id)
        if record is None:
            raise KeyError(value.chat_id)
        if value.message_id is None:
            return record.name
        message = next(m for m in record.messages if m["id"] == value.message_id)
        return block_text(message["content"][value.block])

    def ordered(self, order_by: str) -> tuple[list[tuple[datetime, str]], list[SimChat]]:
        """Live chats sorted by ``(order_by, id)`` and their keys; treat both lists as read-only."""
        with self.lock:
            cached = self._index.get(order_by)
            if cached is None or cached[0] != self._version:
                records = sorted(self._chats.values(), key=lambda c: c.key(order_by))
                cached = (self._version, [c.key(order_by) for c in records], records)
                self._index[order_by] = cached
            return cached[1], cached[2]

    def to_json(self) -> str:
        """Everything generated, as canonical JSON (for determinism checks and fixtures)."""
        with self.lock:
            chats = [
                {**c.summary(), "chat_messages": list(c.messages)} for c in self.ordered("created_at")[1]
            ]
            doc = {
                "orgs": [u.api() | {"organization_id": u.org_id} for u in self.org_units],
                "users": [u.api() | {"organization_uuid": u.org_uuid} for u in self._users],
                "chats": chats,
                "planted": [
                    [p.chat_id, p.message_id, p.block, p.entity, p.category, p.start, p.end, p.valid]
                    for p in self._planted
                ],
            }
        return json.dumps(doc, sort_keys=True, ensure_ascii=False)

    # --- mutations -----------------------------------------------------------------------------

    def _next_time(self, at: datetime | None) -> datetime:
        """``at``, or one second after the latest ``updated_at`` the org has ever had."""
        moment = at if at is not None else self._latest + timedelta(seconds=1)
        self._latest = max(self._latest, moment)
        return moment

    def _put(self, chat: SimChat) -> None:
        self._chats[chat.id] = chat
        self._version += 1

    def _live(self, chat_id: str) -> SimChat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    def append_message(self, chat_id: str, role: str, text: str, at: datetime | None = None) -> str:
        """Add a text message; the chat's ``updated_at`` moves to ``at`` (default: after every other)."""
        if role not in ("user", "assistant"):
            raise ValueError(f"role must be user or assistant, got {role!r}")
        with self.lock:
            chat = self._live(chat_id)
            if chat.deleted_at is not None:
                raise ValueError(f"chat {chat_id} is deleted")
            moment = self._next_time(at)
            message = text_message(self._ids.new("claude_chat_msg_"), role, text, moment)
            self._put(
                replace(
                    chat,
                    updated_at=moment,
                    messages=(*chat.messages, message),
                    message_times=(*chat.message_times, moment),
                )
            )
            return str(message["id"])

    def soft_delete(self, chat_id: str, at: datetime | None = None) -> None:
        """Delete as a user would in claude.ai: still listed, ``deleted_at`` set, content emptied."""
        with self.lock:
            chat = self._live(chat_id)
            moment = self._next_time(at)
            messages = tuple(emptied(m) for m in chat.messages)
            self._put(replace(chat, deleted_at=moment, updated_at=moment, messages=messages))
            self._planted = [p for p in self._planted if p.chat_id != chat_id or p.message_id is None]

    def hard_delete(self, chat_id: str) -> None:
        """Delete as the API's DELETE does: gone from lists, messages endpoint 404s."""
        with self.lock:
            self._live(chat_id)
            del self._chats[chat_id]
            self._version += 1
            self._planted = [p for p in self._planted if p.chat_id != chat_id]

    def add_chat(
        self,
        user_id: str,
        messages: list[tuple[str, str]],
        name: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """Create a chat for ``user_id`` from ``(role, text)`` pairs, one second apart; return its id."""
        if any(role not in ("user", "assistant") for role, _ in messages):
            raise ValueError("every message role must be user or assistant")
        with self.lock:
            user = next((u for u in self._users if u.id == user_id), None)
            if user is None:
                raise KeyError(user_id)
            unit = self.unit(user.org_uuid)
            assert unit is not None  # every user belongs to one of the units
            start = self._next_time(at)
            times = tuple(start + timedelta(seconds=i) for i in range(len(messages)))
            built = tuple(
                text_message(self._ids.new("claude_chat_msg_"), role, text, when)
                for (role, text), when in zip(messages, times, strict=True)
            )
            updated = self._next_time(times[-1]) if times else start
            chat = SimChat(
                id=self._ids.new("claude_chat_"),
                uuid=self._ids.uuid(),
                name=name if name is not None else "Untitled",
                model="claude-opus-4-8",
                org=unit,
                project_id=None,
                user=user,
                created_at=start,
                updated_at=updated,
                deleted_at=None,
                messages=built,
                message_times=times,
            )
            self._put(chat)
            return chat.id
