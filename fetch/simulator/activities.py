"""The activity feed: seeded events for chats, files, sign-ins and API calls, ordered by (created_at, id).

``seed_activities`` makes, from its own RNG (the org's main one is untouched): a
``claude_chat_created`` per chat, a ``claude_chat_deleted`` per soft-deleted chat, some
``claude_chat_viewed``, a ``claude_file_uploaded`` per uploaded file, some sign-ins
(``sso_login_succeeded`` or ``magic_link_login_succeeded``, no organization; Appendix A has no
``user_signed_in``) and a few ``compliance_api_accessed`` by an ``api_actor`` (no organization).
Field names follow compliance-api.md Appendix A. Every generated event is at or before the org's latest
chat change, so events the tests add later (default time: after everything) are the newest.

Activities carry ids, actors and file names only: never chat names or message text.

``ActivityLog`` keeps them sorted and copy-on-write: a reader takes one snapshot and pages through
it without a lock, while an insert (even a *late* one, older than rows already served) swaps in
new lists.
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fetch.simulator import timestamps
from fetch.simulator.ids import IdFactory
from fetch.simulator.records import OrgUnit, SimChat, SimUser

_USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
    "Claude/1.4.2 (iPhone; iOS 17.5)",
    "Claude/1.4.2 (Android 14)",
)
_NETS = ("192.0.2", "198.51.100", "203.0.113")  # documentation ranges only


@dataclass(frozen=True, slots=True)
class Activity:
    """One event: id, time, type, organization (or none), actor, and its type-specific fields."""

    id: str
    created_at: datetime
    type: str
    org: OrgUnit | None
    actor: Mapping[str, Any] = field(repr=False)
    fields: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    def key(self) -> tuple[datetime, str]:
        """Its position in the feed."""
        return (self.created_at, self.id)

    def api(self) -> dict[str, Any]:
        """The activity object as the feed serves it."""
        return {
            "id": self.id,
            "created_at": timestamps.render(self.created_at),
            "organization_id": self.org.org_id if self.org else None,
            "organization_uuid": self.org.uuid if self.org else None,
            "actor": dict(self.actor),
            "type": self.type,
            **dict(self.fields),
        }


def user_actor(seed: int, user: SimUser) -> dict[str, Any]:
    """The ``user_actor`` for one user (the same address and agent every time)."""
    rng = random.Random(f"actor-{seed}-{user.id}")
    return {
        "type": "user_actor",
        "email_address": user.email,
        "user_id": user.id,
        "ip_address": f"{rng.choice(_NETS)}.{rng.randint(1, 254)}",
        "user_agent": rng.choice(_USER_AGENTS),
    }


def api_actor(seed: int) -> dict[str, Any]:
    """The ``api_actor`` of the org's compliance key."""
    rng = random.Random(f"api-actor-{seed}")
    key_id = IdFactory(rng).new("apikey_")
    return {"type": "api_actor", "api_key_id": key_id, "ip_address": "203.0.113.50", "user_agent": "chatsift"}


class ActivityLog:
    """Activities sorted by ``(created_at, id)``, safe to read while tests add more."""

    def __init__(self, activities: Iterable[Activity] = ()) -> None:
        self._lock = threading.Lock()
        items = sorted(activities, key=Activity.key)
        self._keys = [a.key() for a in items]
        self._items = items
        self._by_id = {a.id: a for a in items}

    def add(self, activity: Activity) -> None:
        """Insert one activity at its place (copy-on-write, so snapshots already taken stay valid)."""
        with self._lock:
            at = bisect.bisect_right(self._keys, activity.key())
            self._keys = [*self._keys[:at], activity.key(), *self._keys[at:]]
            self._items = [*self._items[:at], activity, *self._items[at:]]
            self._by_id[activity.id] = activity

    def snapshot(self) -> tuple[list[tuple[datetime, str]], list[Activity]]:
        """Sorted keys and activities as of now; treat both as read-only."""
        with self._lock:
            return self._keys, self._items

    def get(self, activity_id: str) -> Activity | None:
        """One activity by id."""
        return self._by_id.get(activity_id)

    def __len__(self) -> int:
        return len(self._items)


def seed_activities(
    seed: int, units: list[OrgUnit], users: list[SimUser], chats: list[SimChat]
) -> list[Activity]:
    """Every generated activity of an org (see the module docstring); deterministic from ``seed``."""
    rng = random.Random(f"activities-{seed}")
    ids = IdFactory(random.Random(f"activity-ids-{seed}"))
    actors = {user.id: user_actor(seed, user) for user in users}
    out: list[Activity] = []
    for chat in chats:
        out += _chat_events(rng, ids, chat, actors[chat.user.id])
    if chats:
        start = min(c.created_at for c in chats)
        span = max(c.updated_at for c in chats) - start
        robot = api_actor(seed)
        for _ in range(max(3, len(chats) // 50)):
            moment = start + timedelta(seconds=rng.randint(0, int(span.total_seconds())))
            out.append(_api_call(ids, robot, moment, "GET", "/v1/compliance/apps/chats?limit=100"))
    return out


def _chat_events(rng: random.Random, ids: IdFactory, chat: SimChat, actor: dict[str, Any]) -> list[Activity]:
    chat_fields = (("claude_chat_id", chat.id), ("claude_project_id", chat.project_id))
    events = [
        Activity(ids.quick("activity_"), chat.created_at, "claude_chat_created", chat.org, actor, chat_fields)
    ]
    if rng.random() < 0.25:
        before = chat.created_at - timedelta(seconds=rng.randint(30, 7200))
        events.append(_sign_in(rng, ids.quick("activity_"), before, actor))
    if chat.deleted_at is None and rng.random() < 0.3:
        seen = chat.created_at + (chat.updated_at - chat.created_at) * rng.random()
        events.append(
            Activity(ids.quick("activity_"), seen, "claude_chat_viewed", chat.org, actor, chat_fields)
        )
    if chat.deleted_at is not None:
        events.append(
            Activity(
                ids.quick("activity_"), chat.deleted_at, "claude_chat_deleted", chat.org, actor, chat_fields
            )
        )
    for message in chat.messages:
        for item in message.get("files") or []:
            moment = timestamps.parse(item["created_at"]) or chat.created_at
            events.append(file_uploaded(ids.quick("activity_"), chat, item, moment, actor))
    return events


def _sign_in(rng: random.Random, ident: str, at: datetime, actor: dict[str, Any]) -> Activity:
    method = "sso" if rng.random() < 0.8 else "magic_link"
    fields = (("auth_method", method), ("mfa_method", "not_used"))
    return Activity(ident, at, f"{method}_login_succeeded", None, actor, fields)


def file_uploaded(
    ident: str, chat: SimChat, item: Mapping[str, Any], at: datetime, actor: dict[str, Any]
) -> Activity:
    """A ``claude_file_uploaded`` event for one file of ``chat``."""
    fields = (
        ("claude_file_id", item["id"]),
        ("filename", item.get("filename")),
        ("claude_chat_id", chat.id),
        ("claude_project_id", chat.project_id),
    )
    return Activity(ident, at, "claude_file_uploaded", chat.org, actor, fields)


def _api_call(ids: IdFactory, actor: dict[str, Any], at: datetime, method: str, path: str) -> Activity:
    fields = (
        ("request_id", ids.quick("req_")),
        ("request_method", method),
        ("status_code", 200),
        ("url", "https://api.anthropic.com" + path),
        ("request_body", None),
    )
    return Activity(ids.quick("activity_"), at, "compliance_api_accessed", None, actor, fields)


def api_call(ids: IdFactory, seed: int, at: datetime, method: str, path: str) -> Activity:
    """A ``compliance_api_accessed`` event by the org's compliance key."""
    return _api_call(ids, api_actor(seed), at, method, path)
