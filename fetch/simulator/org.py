"""The simulated organisation: orgs, users, chats, attachments, activities and ground truth, plus mutations.

Records are immutable and replaced on change (copy-on-write), so a reader that grabbed a record
under ``SimOrg.lock`` can serialise it after letting go of the lock. The server and the test
mutations share that one lock.

Ground truth comes in two lists: ``planted`` (chat names and message blocks, as before) and
``planted_attachments`` (inside attachment contents); ``text_of`` resolves either. Mutations keep
both, the attachments and the activity feed consistent: deleting a chat (soft or hard) drops its
attachments and their plants, and every mutation records the activity a real tenant would see.

Raw chat text lives in the records' ``name`` and ``messages``; both are kept out of ``repr``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fetch.models import Chat, ChatSummary, Organization, OrgUser
from fetch.simulator import activities as feed
from fetch.simulator import edge_chats
from fetch.simulator.attachments import Attachment, AttachmentStore
from fetch.simulator.ids import IdFactory
from fetch.simulator.planted import KINDS_BY_NAME, Piece, PlantedValue, TextBuilder, planted_from
from fetch.simulator.records import OrgUnit, SimChat, SimUser, block_text, emptied, text_message
from fetch.simulator.state import OrgState

__all__ = [
    "EPOCH",
    "ORDER_KEYS",
    "OrgUnit",
    "SimChat",
    "SimOrg",
    "SimUser",
    "block_text",
    "emptied",
    "text_message",
]

ORDER_KEYS = ("created_at", "updated_at")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class SimOrg(OrgState):
    """A generated tenant (one parent org, linked orgs) that tests can change while it is served."""

    def __init__(
        self,
        seed: int,
        units: list[OrgUnit],
        users: list[SimUser],
        chats: list[SimChat],
        planted: list[PlantedValue],
        base_time: datetime = EPOCH,
        *,
        attachments: list[Attachment] | None = None,
        planted_attachments: list[PlantedValue] | None = None,
        activities: list[feed.Activity] | None = None,
    ) -> None:
        super().__init__(seed, units, users, chats, planted, planted_attachments or [])
        taken = set(self._chats) | {u.id for u in users} | {m["id"] for c in chats for m in c.messages}
        self._ids = IdFactory(random.Random(f"mutations-{seed}"), taken)
        self._latest = max((c.updated_at for c in chats), default=base_time)
        self.attachments = AttachmentStore(attachments)
        if activities is None:
            activities = feed.seed_activities(seed, units, users, chats)
        self.activities = feed.ActivityLog(activities)

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

    def attachment(self, kind: str, ident: str) -> Attachment | None:
        """A live attachment: ``kind`` is file, generated_file or artifact (by its version id)."""
        return self.attachments.get(kind, ident)

    def text_of(self, value: PlantedValue) -> str:
        """The whole text ``value``'s offsets point into (a block, the chat name, or an attachment)."""
        if value.attachment_id is not None:
            item = self.attachments.get(value.attachment_kind or "", value.attachment_id)
            if item is None:
                raise KeyError(value.attachment_id)
            return item.content().decode()
        record = self.record(value.chat_id)
        if record is None:
            raise KeyError(value.chat_id)
        if value.message_id is None:
            return record.name
        message = next(m for m in record.messages if m["id"] == value.message_id)
        return block_text(message["content"][value.block])

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
                "planted_attachments": [
                    [p.attachment_id, p.block, p.entity, p.start, p.end, p.valid] for p in self._planted_files
                ],
                "attachments": [[a.kind, a.id, a.md5, a.size] for a in self.attachments],
                "activities": [a.api() for a in self.activities.snapshot()[1]],
            }
        return json.dumps(doc, sort_keys=True, ensure_ascii=False)

    # --- mutations -----------------------------------------------------------------------------

    def _next_time(self, at: datetime | None) -> datetime:
        """``at``, or one second after the latest ``updated_at`` the org has ever had."""
        moment = at if at is not None else self._latest + timedelta(seconds=1)
        self._latest = max(self._latest, moment)
        return moment

    def _chat_event(self, kind: str, chat: SimChat, at: datetime) -> None:
        fields = {"claude_chat_id": chat.id, "claude_project_id": chat.project_id}
        self.add_activity(kind, chat.user.id, at, **fields)

    def append_message(self, chat_id: str, role: str, text: str, at: datetime | None = None) -> str:
        """Add a text message; the chat's ``updated_at`` moves to ``at`` (default: after every other)."""
        return self.append_planted(chat_id, role, text, at=at)

    def append_planted(self, chat_id: str, role: str, *pieces: Piece, at: datetime | None = None) -> str:
        """Like ``append_message``, with text built from pieces whose labelled values become ground truth."""
        if role not in ("user", "assistant"):
            raise ValueError(f"role must be user or assistant, got {role!r}")
        text = TextBuilder()
        text.add(*pieces)
        with self.lock:
            chat = self._live(chat_id)
            if chat.deleted_at is not None:
                raise ValueError(f"chat {chat_id} is deleted")
            moment = self._next_time(at)
            message = text_message(self._ids.new("claude_chat_msg_"), role, text.text, moment)
            updated = replace(
                chat,
                updated_at=moment,
                messages=(*chat.messages, message),
                message_times=(*chat.message_times, moment),
            )
            self._put(updated)
            self._planted += planted_from(text.spans, chat_id, message["id"], 0)
            self._chat_event("claude_chat_updated", updated, moment)
            return str(message["id"])

    def append_planted_email(self, chat_id: str, at: datetime | None = None) -> str:
        """Append a user message carrying one planted email (seeded by the chat and its length)."""
        with self.lock:
            record = self._live(chat_id)
            rng = random.Random(f"late-{self.seed}-{chat_id}-{len(record.messages)}")
            return self.append_planted(chat_id, "user", *KINDS_BY_NAME["email"].make(rng), at=at)

    def soft_delete(self, chat_id: str, at: datetime | None = None) -> None:
        """Delete as a user would in claude.ai: still listed, ``deleted_at`` set, content emptied."""
        with self.lock:
            chat = self._live(chat_id)
            moment = self._next_time(at)
            messages = tuple(emptied(m) for m in chat.messages)
            self._put(replace(chat, deleted_at=moment, updated_at=moment, messages=messages))
            self._forget(chat_id, keep_name=True)
            self._chat_event("claude_chat_deleted", chat, moment)

    def hard_delete(self, chat_id: str) -> None:
        """Delete as the API's DELETE does: gone from lists, messages and attachments 404."""
        with self.lock:
            self._live(chat_id)
            del self._chats[chat_id]
            self._version += 1
            self._forget(chat_id, keep_name=False)
            at = self._next_time(None)
            call = feed.api_call(self._ids, self.seed, at, "DELETE", f"/v1/compliance/apps/chats/{chat_id}")
            self.activities.add(call)

    def _forget(self, chat_id: str, keep_name: bool) -> None:
        self.attachments.drop_chat(chat_id)
        self._planted = [
            p for p in self._planted if p.chat_id != chat_id or (keep_name and p.message_id is None)
        ]
        self._planted_files = [p for p in self._planted_files if p.chat_id != chat_id]

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
            user, unit = self._owner(user_id)
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
            self._chat_event("claude_chat_created", chat, start)
            return chat.id

    def add_large_chat(
        self,
        user: str | None = None,
        messages: int = 3000,
        big_block_chars: int = 1 << 20,
        at: datetime | None = None,
    ) -> str:
        """A chat of ``messages`` messages, one of them a ``big_block_chars`` text block (see edge_chats)."""
        with self.lock:
            owner, unit = self._owner(user)
            start = self._next_time(at)
            built = edge_chats.large_chat(self._ids, owner, unit, start, messages, big_block_chars)
            return self._add_built(built)

    def add_unicode_chat(self, user: str | None = None, at: datetime | None = None) -> str:
        """A chat of hostile Unicode (astral, RTL, NUL, ZWJ, lone surrogates...) with plants after it."""
        with self.lock:
            owner, unit = self._owner(user)
            built = edge_chats.unicode_chat(self._ids, owner, unit, self._next_time(at))
            return self._add_built(built)

    def _add_built(self, built: edge_chats.Built) -> str:
        chat = built.chat
        self._next_time(chat.updated_at)
        self._put(chat)
        self._planted += [p for p in built.planted if p.attachment_id is None]
        self._planted_files += [p for p in built.planted if p.attachment_id is not None]
        self._chat_event("claude_chat_created", chat, chat.created_at)
        actor = feed.user_actor(self.seed, chat.user)
        for item in built.attachments:
            self.attachments.add(item)
            if item.kind == "file":
                event = feed.file_uploaded(
                    self._ids.new("activity_"), chat, item.meta, item.created_at, actor
                )
                self.activities.add(event)
        return chat.id

    def add_activity(
        self,
        type: str,
        actor: str | Mapping[str, Any],
        created_at: datetime | None = None,
        *,
        org: str | None = "actor",
        **fields: Any,
    ) -> str:
        """Record an activity; an old ``created_at`` makes it a *late arrival* behind rows already served.

        ``actor`` is a user id (made a ``user_actor``) or an actor object. ``org`` is an org id or
        UUID, ``None`` for an event outside any organization, or ``"actor"``: the user's own org.
        """
        with self.lock:
            if isinstance(actor, str):
                actor = feed.user_actor(self.seed, self._owner(actor)[0])
            unit = self._activity_org(org, actor)
            moment = self._next_time(created_at)
            ident = self._ids.new("activity_")
            self.activities.add(feed.Activity(ident, moment, type, unit, dict(actor), tuple(fields.items())))
            return ident

    def _activity_org(self, org: str | None, actor: Mapping[str, Any]) -> OrgUnit | None:
        if org == "actor":
            user_id = actor.get("user_id")
            return self._owner(str(user_id))[1] if user_id else None
        unit = self.unit(org) if org is not None else None
        if org is not None and unit is None:
            raise KeyError(org)
        return unit
