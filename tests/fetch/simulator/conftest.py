"""Fixtures: a seeded org served on a free loopback port, and an httpx client for it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fetch.simulator import Faults, SimOrg, SimulatorServer, generate_org

KEY = "sk-ant-api01-simulator-tests"
CHATS = "/v1/compliance/apps/chats"
ORGS = "/v1/compliance/organizations"
MAX_PAGES = 200  # every walk in these tests is bounded


def messages_path(chat_id: str) -> str:
    """The messages endpoint of one chat."""
    return f"{CHATS}/{chat_id}/messages"


@dataclass
class Served:
    """An org, the server serving it, its faults, and a client with the right key."""

    org: SimOrg
    server: SimulatorServer
    faults: Faults
    client: httpx.Client

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET ``path`` with query ``params`` (lists become repeated keys)."""
        return self.client.get(path, params=params)


def _serve(org: SimOrg, **kwargs: Any) -> Iterator[Served]:
    faults = Faults()
    server = SimulatorServer(org, api_key=KEY, faults=faults, **kwargs).start()
    client = httpx.Client(base_url=server.url, headers={"x-api-key": KEY}, timeout=10)
    try:
        yield Served(org, server, faults, client)
    finally:
        client.close()
        server.stop()


serving = contextmanager(_serve)  # ``with serving(org, **server_kwargs) as served: ...``


def raw_get(served: Served, path: str, limit: int = 1 << 23) -> tuple[bytes, bytes]:
    """The raw head and body bytes of one GET on a fresh connection (no decoding of any kind)."""
    host, port = served.server.url.removeprefix("http://").rsplit(":", 1)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nx-api-key: {KEY}\r\nConnection: close\r\n\r\n"
    data = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode())
        while len(data) < limit:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture(scope="module")
def shared() -> Iterator[Served]:
    """A read-only org of 8 users and 60 chats (tests must not change it), no rate limit."""
    yield from _serve(generate_org(11, users=8, chats=60), rate_limit_per_minute=None)


@pytest.fixture
def served() -> Iterator[Served]:
    """A fresh small org per test, free to change, no rate limit."""
    yield from _serve(generate_org(5, users=4, chats=20), rate_limit_per_minute=None)


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """Status, ``error.type`` and ``error.message`` of an error response."""
    body = response.json()
    assert set(body) == {"error"}, "errors use the documented envelope only"
    return response.status_code, body["error"]["type"], body["error"]["message"]


def walk(served: Served, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
    """Every chat of a list walk with ``after_id`` paging, and the final non-null ``last_id``."""
    items: list[dict[str, Any]] = []
    cursor = params.pop("after_id", None)
    for _ in range(MAX_PAGES):
        query = dict(params) | ({"after_id": cursor} if cursor else {})
        page = served.get(CHATS, **query)
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["data"])
        cursor = body["last_id"] or cursor
        if not body["has_more"]:
            return items, cursor
    raise AssertionError("the walk did not finish")
