"""A local HTTP(S) server stub for feed writer tests: records requests, answers from a script.

``HttpStub()`` serves on 127.0.0.1 (a free port) from a ``ThreadingHTTPServer`` in a daemon thread.
Every request is recorded (method, path, lower-cased headers, body). Answers come from a script of
``Reply`` objects, used in order, one per request; once the script is used up, ``default`` answers.
A reply may wait ``delay`` seconds before answering (a slow server). With ``tls=(cert, key)`` it
serves HTTPS. Nothing is logged to stderr, so bodies never reach test output.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b'{"text":"Success","code":0}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    """One request as the stub received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: HttpStub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that timed out and closed is expected in these tests."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests are recorded, never printed."""

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.stub._record(Request(self.command, self.path, headers, body))
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True  # the client gave up waiting


class HttpStub:
    """A scripted HTTP(S) server on 127.0.0.1; use as a context manager or call ``close``."""

    def __init__(
        self,
        script: Iterable[Reply] = (),
        *,
        default: Reply | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._script: deque[Reply] = deque(script)
        self.default = default or Reply()
        self.requests: list[Request] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="httpstub", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._script.extend(replies)

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._script.popleft() if self._script else self.default

    def close(self) -> None:
        """Stop serving; safe to call twice."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> HttpStub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
