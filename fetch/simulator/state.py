"""The org's storage: units, users, chats by id, ground truth, and the sorted views the list serves.

``SimOrg`` (org.py) builds on this with the public lookups and the mutations. Everything here is
read and written under ``lock``, one ``RLock`` the server and the test mutations share.
"""

from __future__ import annotations

import threading
from datetime import datetime

from fetch.simulator.planted import PlantedValue
from fetch.simulator.records import OrgUnit, SimChat, SimUser


class OrgState:
    """Storage and cheap lookups of a simulated org."""

    def __init__(
        self,
        seed: int,
        units: list[OrgUnit],
        users: list[SimUser],
        chats: list[SimChat],
        planted: list[PlantedValue],
        planted_files: list[PlantedValue],
    ) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self._units = list(units)
        self._users = sorted(users, key=lambda u: (u.created_at, u.id))
        self._chats = {chat.id: chat for chat in chats}
        self._planted = list(planted)
        self._planted_files = list(planted_files)
        self._version = 0
        self._index: dict[str, tuple[int, list[tuple[datetime, str]], list[SimChat]]] = {}

    def members(self, org_uuid: str) -> list[SimUser]:
        """The users of one org, by join date."""
        return [user for user in self._users if user.org_uuid == org_uuid]

    def unit(self, ident: str) -> OrgUnit | None:
        """The org with this bare UUID or ``org_`` id."""
        return next((u for u in self._units if ident in (u.uuid, u.org_id)), None)

    def user(self, user_id: str) -> SimUser | None:
        """The user with this id, or ``None``."""
        return next((u for u in self._users if u.id == user_id), None)

    def record(self, chat_id: str) -> SimChat | None:
        """The raw record of a chat, or ``None``."""
        with self.lock:
            return self._chats.get(chat_id)

    @property
    def planted(self) -> list[PlantedValue]:
        """Ground truth for every value planted in chat names and message blocks still served."""
        with self.lock:
            return list(self._planted)

    @property
    def planted_attachments(self) -> list[PlantedValue]:
        """Ground truth for every value planted in attachment contents still served."""
        with self.lock:
            return list(self._planted_files)

    def ordered(self, order_by: str) -> tuple[list[tuple[datetime, str]], list[SimChat]]:
        """Live chats sorted by ``(order_by, id)`` and their keys; treat both lists as read-only."""
        with self.lock:
            cached = self._index.get(order_by)
            if cached is None or cached[0] != self._version:
                records = sorted(self._chats.values(), key=lambda c: c.key(order_by))
                cached = (self._version, [c.key(order_by) for c in records], records)
                self._index[order_by] = cached
            return cached[1], cached[2]

    def _put(self, chat: SimChat) -> None:
        self._chats[chat.id] = chat
        self._version += 1

    def _live(self, chat_id: str) -> SimChat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    def _owner(self, user_id: str | None) -> tuple[SimUser, OrgUnit]:
        """A user (the first one when ``None``) and their org; ``KeyError`` for an unknown id."""
        user = self._users[0] if user_id is None and self._users else self.user(user_id or "")
        if user is None:
            raise KeyError(user_id)
        unit = self.unit(user.org_uuid)
        assert unit is not None  # every user belongs to one of the units
        return user, unit
