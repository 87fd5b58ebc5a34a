"""Fakes for fetch tests: scripted transports, an in-memory chat API, a sleep that only records,
and a fake clock that moves only when someone sleeps on it."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fetch import ComplianceClient

BASE_URL = "https://compliance.test"
API_KEY = "sk-ant-api01-TESTKEY-do-not-leak-4f2a9c"

Handler = Callable[[httpx.Request], httpx.Response]
Step = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]


class Sleeps(list[float]):
    """Stands in for ``time.sleep``: records each delay, never waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeTime:
    """Monotonic and wall clocks that move only when a thread sleeps; thread-safe, never waits.

    ``sleep(d)`` moves the clock to (the sleeping thread's last clock read) + ``d``, never backwards:
    a thread wakes at the time it asked for, whatever other threads did meanwhile.
    """

    EPOCH = 1_800_000_000.0  # wall time at monotonic 0

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._local = threading.local()

    def clock(self) -> float:
        """The monotonic reading; remembered per thread."""
        with self._lock:
            now = self._now
        self._local.last = now
        return now

    def wall(self) -> float:
        """The wall clock, tied to the monotonic one."""
        with self._lock:
            return self.EPOCH + self._now

    def sleep(self, seconds: float) -> None:
        """Advance to this thread's last reading plus ``seconds``; yields so other threads run."""
        with self._lock:
            base = getattr(self._local, "last", self._now)
            self._now = max(self._now, base + seconds)
            self._local.last = self._now
        time.sleep(0)  # let other threads run; no real waiting

    def last_read(self) -> float:
        """The last clock value this thread read."""
        return float(self._local.last)


@dataclass
class Script:
    """A transport handler that plays responses (or raises exceptions) in order, then fails loudly."""

    steps: list[Step]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) > len(self.steps):
            raise AssertionError(f"unexpected request #{len(self.requests)}: {request.url.path}")
        step = self.steps[len(self.requests) - 1]
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)


def ok(body: dict[str, Any], **headers: str) -> httpx.Response:
    """A 200 JSON response."""
    return httpx.Response(200, json=body, headers=headers)


def err(status: int, error_type: str = "api_error", message: str = "boom", **headers: str) -> httpx.Response:
    """An error response in the Compliance envelope."""
    body = {"error": {"type": error_type, "message": message}}
    return httpx.Response(status, json=body, headers={k.replace("_", "-"): v for k, v in headers.items()})


def make_client(handler: Handler, sleeps: Sleeps | None = None, **kwargs: Any) -> ComplianceClient:
    """A client on a MockTransport with deterministic jitter and a recording sleep."""
    kwargs.setdefault("rng", random.Random(7))
    return ComplianceClient(
        BASE_URL,
        API_KEY,
        transport=httpx.MockTransport(handler),
        sleep=sleeps if sleeps is not None else Sleeps(),
        **kwargs,
    )


@pytest.fixture
def sleeps() -> Sleeps:
    """A fresh recording sleep."""
    return Sleeps()


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    """The request's query as ordered pairs (repeated keys kept)."""
    return list(request.url.params.multi_items())


@dataclass
class FakeChatApi:
    """An in-memory chats/messages API with opaque cursors, enough to walk multi-page listings."""

    chats: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    max_requests: int = 500

    def add_chat(self, n: int, user: str = "user_a", updated: int | None = None, messages: int = 1) -> str:
        """Add chat number ``n`` with ``messages`` messages; returns its id."""
        chat_id = f"claude_chat_{n:04d}"
        stamp = f"2026-01-{(updated or n) % 28 + 1:02d}T00:00:{n % 60:02d}Z"
        self.chats.append(
            {"id": chat_id, "name": f"chat {n}", "created_at": f"2026-01-01T00:00:{n % 60:02d}Z",
             "updated_at": stamp, "user": {"id": user, "email_address": f"{user}@corp.example"}}
        )  # fmt: skip
        self.messages[chat_id] = [
            {"id": f"{chat_id}_msg_{i}", "role": "user" if i % 2 == 0 else "assistant",
             "content": [{"type": "text", "text": f"message {i}"}]}
            for i in range(messages)
        ]  # fmt: skip
        return chat_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) > self.max_requests:
            raise AssertionError("the client made too many requests")
        path = request.url.path
        if path == "/v1/compliance/apps/chats":
            return self._list(request)
        chat_id = path.removeprefix("/v1/compliance/apps/chats/").removesuffix("/messages")
        if chat_id not in self.messages:
            return err(404, "not_found_error", f"Chat {chat_id} not found.")
        return self._messages(request, chat_id)

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        items = list(self.chats)
        if params.get("order_by") == "updated_at":
            items.sort(key=lambda c: (c["updated_at"], c["id"]))
        if "user_ids[]" in params:
            users = set(params.get_list("user_ids[]"))
            items = [c for c in items if c["user"]["id"] in users]
        if "updated_at.gte" in params:
            items = [c for c in items if c["updated_at"] >= params["updated_at.gte"]]
        keys = [c["id"] for c in items]
        return self._page(items, keys, params, "data")

    def _messages(self, request: httpx.Request, chat_id: str) -> httpx.Response:
        chat = next(c for c in self.chats if c["id"] == chat_id)
        msgs = self.messages[chat_id]
        response = self._page(msgs, [m["id"] for m in msgs], request.url.params, "chat_messages")
        return ok({**chat, **json.loads(response.content)})

    @staticmethod
    def _page(items: list[Any], keys: list[str], params: httpx.QueryParams, name: str) -> httpx.Response:
        start = 0
        if "after_id" in params:
            start = keys.index(_uncursor(params["after_id"])) + 1
        limit = int(params.get("limit", len(items) or 1))
        chunk = items[start : start + limit]
        has_more = start + limit < len(items)
        last = _cursor(keys[start + len(chunk) - 1]) if chunk else None
        first = _cursor(keys[start]) if chunk else None
        return ok({name: chunk, "has_more": has_more, "first_id": first, "last_id": last})


def _cursor(key: str) -> str:
    return "cur_" + key[::-1]


def _uncursor(cursor: str) -> str:
    return cursor.removeprefix("cur_")[::-1]


@pytest.fixture
def chat_api() -> Iterator[FakeChatApi]:
    """A fake chats API with five chats of three messages, two users."""
    api = FakeChatApi()
    for n in range(1, 6):
        api.add_chat(n, user="user_a" if n % 2 else "user_b", messages=3)
    yield api
