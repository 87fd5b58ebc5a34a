"""Attachments with content: every file, generated file and artifact version a message lists.

``attach_chat`` gives each attachment of a generated chat its content (see ``contents.py``) and
rewrites the message's metadata so ``size_bytes`` and ``md5`` match those bytes (md5 is lowercase
hex; an artifact's is over its UTF-8 text). Everything comes from per-attachment seed keys, never
from the generator's main RNG, so adding contents leaves every chat's text as it was.

Which attachments are special is decided by their position in the org (generation order):
every 50th uploaded file (the first included) lists ``size_bytes: null``; the text files numbered
0, 25, 50, ... (at most ``_BIG_MAX`` of them) are bigger than 2 MiB. Soft-deleted chats list no
attachments, so they have none here either.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from fetch.simulator import contents, timestamps
from fetch.simulator.planted import PlantedValue, planted_from
from fetch.simulator.records import SimChat

KINDS = ("file", "generated_file", "artifact")
LIST_KEYS = {"file": "files", "generated_file": "generated_files", "artifact": "artifacts"}
_BIG_EVERY, _BIG_MAX, _NULL_SIZE_EVERY = 25, 10, 50
_TEXT_FLAVOURS = (  # what an uploaded "export.csv" may really be: (extension, MIME type)
    ("csv", "text/csv"),
    ("csv", "text/csv"),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("py", "application/x-python"),
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment: where it is listed, its served metadata, and how to get its bytes."""

    kind: str
    id: str  # the lookup id: file id, generated-file id, or artifact *version* id
    chat_id: str
    message_id: str
    index: int  # position in the message's list of its kind
    meta: Mapping[str, Any] = field(repr=False)  # the item exactly as the message lists it
    created_at: datetime
    size: int
    md5: str
    recipe: contents.Recipe | None = field(default=None, repr=False)
    data: bytes | None = field(default=None, repr=False)

    @property
    def mime(self) -> str:
        """The Content-Type its download is served with."""
        kind = self.meta.get("artifact_type" if self.kind == "artifact" else "mime_type")
        return str(kind or "application/octet-stream")

    @property
    def filename(self) -> str:
        """The download's file name (an artifact's title, or ``artifact``)."""
        name = self.meta.get("title" if self.kind == "artifact" else "filename")
        return str(name or self.kind)

    def content(self) -> bytes:
        """The bytes (rebuilt from the recipe each time unless stored)."""
        if self.data is not None:
            return self.data
        assert self.recipe is not None
        return contents.render(self.recipe)[0]

    def api(self) -> dict[str, Any]:
        """The metadata endpoint's document (compliance-api.md §2.4)."""
        made = timestamps.render(self.created_at)
        if self.kind == "file":
            return {**self.meta, "message_ids": [self.message_id], "claude_chat_ids": [self.chat_id]}
        if self.kind == "generated_file":
            return {"id": self.id, "claude_chat_id": self.chat_id, **self.meta, "created_at": made}
        return {
            **self.meta,
            "claude_chat_id": self.chat_id,
            "created_at": made,
            "md5": self.md5,
            "size_bytes": self.size,
        }


def stored(
    kind: str, chat_id: str, message_id: str, index: int, meta: dict[str, Any], at: datetime, data: bytes
) -> Attachment:
    """An attachment whose bytes are given (for hand-built chats); fills ``meta``'s size and md5."""
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if kind != "artifact":
        meta.update(size_bytes=len(data), md5=digest)
    ident = meta["version_id"] if kind == "artifact" else meta["id"]
    return Attachment(kind, ident, chat_id, message_id, index, meta, at, len(data), digest, data=data)


class AttachmentStore:
    """Every attachment by id; dropping a chat drops its attachments (they then 404)."""

    def __init__(self, items: list[Attachment] | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Attachment] = {}
        self._by_chat: dict[str, list[str]] = {}
        for item in items or []:
            self.add(item)

    def add(self, item: Attachment) -> None:
        """Register one attachment."""
        with self._lock:
            self._items[item.id] = item
            self._by_chat.setdefault(item.chat_id, []).append(item.id)

    def get(self, kind: str, ident: str) -> Attachment | None:
        """The live attachment of ``kind`` with this id, or ``None``."""
        item = self._items.get(ident)
        return item if item is not None and item.kind == kind else None

    def drop_chat(self, chat_id: str) -> None:
        """Forget every attachment of one chat."""
        with self._lock:
            for ident in self._by_chat.pop(chat_id, []):
                self._items.pop(ident, None)

    def __iter__(self) -> Iterator[Attachment]:
        with self._lock:
            return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Tally:
    """Org-wide counters that pick the special attachments (null sizes, big text files)."""

    seed: int
    plant_share: float
    files: int = 0
    text_files: int = 0


def attach_chat(chat: SimChat, tally: Tally) -> tuple[SimChat, list[Attachment], list[PlantedValue]]:
    """``chat`` with attachment metadata matching its new contents, the attachments, and their plants."""
    found: list[Attachment] = []
    planted: list[PlantedValue] = []
    messages = []
    for message, moment in zip(chat.messages, chat.message_times, strict=True):
        changed = dict(message)
        for kind in KINDS:
            items = message.get(LIST_KEYS[kind])
            if not items:
                continue
            made = [
                _make(kind, dict(item), i, chat.id, message["id"], moment, tally)
                for i, item in enumerate(items)
            ]
            changed[LIST_KEYS[kind]] = [item.meta for item, _ in made]  # shared: neither side mutates it
            found += [item for item, _ in made]
            planted += [p for _, values in made for p in values]
        messages.append(changed)
    return replace(chat, messages=tuple(messages)), found, planted


def _make(
    kind: str, meta: dict[str, Any], index: int, chat_id: str, message_id: str, moment: datetime, tally: Tally
) -> tuple[Attachment, list[PlantedValue]]:
    ident = meta["version_id"] if kind == "artifact" else meta["id"]
    plan = random.Random(f"{tally.seed}:plan:{ident}")
    mime_key = "artifact_type" if kind == "artifact" else "mime_type"
    if kind == "file" and meta[mime_key] == "text/csv":
        ext, meta[mime_key] = plan.choice(_TEXT_FLAVOURS)
        meta["filename"] = meta["filename"].rsplit(".", 1)[0] + "." + ext
    elif kind == "artifact" and meta[mime_key] == "text/markdown" and plan.random() < 0.25:
        meta[mime_key] = "text/html"
    mime = str(meta[mime_key])
    big = False
    if kind == "file" and contents.is_text(mime):
        big = tally.text_files % _BIG_EVERY == 0 and tally.text_files < _BIG_EVERY * _BIG_MAX
        tally.text_files += 1
    plants = (2 if big else plan.randint(1, 2)) if plan.random() < tally.plant_share else 0
    recipe = contents.Recipe(f"{tally.seed}:{ident}", mime, plants if contents.is_text(mime) else 0, big)
    data, spans = contents.render(recipe)
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if kind != "artifact":
        meta.update(size_bytes=len(data), md5=digest)
    if kind == "file":
        if tally.files % _NULL_SIZE_EVERY == 0:
            meta["size_bytes"] = None
        tally.files += 1
    when = timestamps.parse(meta["created_at"]) if kind == "file" else moment
    item = Attachment(
        kind, ident, chat_id, message_id, index, meta, when or moment, len(data), digest, recipe
    )
    return item, planted_from(spans, chat_id, message_id, index, (kind, ident))
