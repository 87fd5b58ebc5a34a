"""Serve a ``SimOrg`` over real HTTP on loopback, the way the Compliance API would.

``App`` is the transport-free core: method check, ``x-api-key`` auth, the per-parent-org rate
limit, injected faults, routing, encoding and the error envelope. ``SimulatorServer`` wraps it in
a ``ThreadingHTTPServer`` (one daemon thread per connection) that only binds to loopback unless
told otherwise. Nothing is logged per request, and response bodies are never printed.

Order of checks for every request: 405 (non-GET), 401 (bad key; uses no quota), a ``storm_429``
(uses no quota either), 429 (budget), latency (``latency_s`` + ``slow_s``, slept outside every
lock, interrupted by ``stop()``), queued ``fail_next`` failures, 404 (no such route), then the
endpoint itself. JSON bodies are UTF-8 with non-ASCII kept raw, except lone surrogates, which
cannot be UTF-8: they go out as ``\\udXXX`` escapes. Downloads go out with chunked encoding.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json
import logging
import re
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fetch.simulator import routes, timestamps
from fetch.simulator.context import Raw
from fetch.simulator.errors import AUTH_INVALID, RATE_LIMITED, ApiError, simulated
from fetch.simulator.faults import Faults
from fetch.simulator.org import SimOrg
from fetch.simulator.ratelimit import SlidingWindowLimiter
from fetch.simulator.stats import Stats

__all__ = ["DEFAULT_API_KEY", "App", "Response", "SimulatorServer", "Stats", "encode_json"]

DEFAULT_API_KEY = "sk-ant-api01-chatsift-simulator"
CHUNK = 64 << 10
INVALID_BODY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n"
_SURROGATE = re.compile("[\ud800-\udfff]")
_log = logging.getLogger(__name__)


def encode_json(doc: Any) -> bytes:
    """``doc`` as UTF-8 JSON; lone surrogates (not encodable) become ``\\udXXX`` escapes."""
    text = json.dumps(doc, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # only strings can hold them, so escaping in place keeps the JSON valid
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode()


@dataclass
class Response:
    """A status, headers and a body; ``chunked`` bodies are sent in chunks, ``cut`` ones only half."""

    status: int
    body: bytes = field(repr=False)
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    cut: bool = False


class App:
    """The simulated API without a transport."""

    def __init__(
        self,
        org: SimOrg,
        api_key: str,
        faults: Faults,
        limiter: SlidingWindowLimiter | None,
        stats: Stats,
        latency_s: float = 0.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.org = org
        self.api_key = api_key
        self.faults = faults
        self.limiter = limiter
        self.stats = stats
        self.latency_s = latency_s
        self._halt = threading.Event()
        self._sleep = sleep if sleep is not None else self._pause

    def _pause(self, seconds: float) -> None:
        """Sleep, unless the server is stopping (a slow handler must never hold up ``stop()``)."""
        self._halt.wait(seconds)

    def halt(self, stopping: bool = True) -> None:
        """Cut every current and future sleep short (``stopping=False`` lets them sleep again)."""
        if stopping:
            self._halt.set()
        else:
            self._halt.clear()

    def handle(self, method: str, target: str, headers: Mapping[str, str]) -> Response:
        """Answer one request; ``headers`` have lower-case names."""
        parts = urlsplit(target)
        template, handler, args = routes.match(parts.path)
        out = {"request-id": self.stats.next_request_id(), "content-type": "application/json"}
        try:
            response = self._dispatch(method, parts.query, headers, handler, args, out)
        except ApiError as err:
            out.update(err.headers)
            response = Response(err.status, err.body(), out)
        except Exception as exc:  # a simulator bug: answer like the API would, say nothing about content
            _log.error("simulator error on %s: %s", template, type(exc).__name__)
            response = Response(500, ApiError(500, "Internal server error.").body(), out)
        self.stats.record(template, response.status)
        return response

    def _dispatch(
        self,
        method: str,
        query: str,
        headers: Mapping[str, str],
        handler: routes.Handler | None,
        args: tuple[str, ...],
        out: dict[str, str],
    ) -> Response:
        if method != "GET":
            raise ApiError(
                405, f"Method {method} is not allowed here; the simulator serves GET only.", {"allow": "GET"}
            )
        if not hmac.compare_digest(headers.get("x-api-key", "").encode(), self.api_key.encode()):
            raise ApiError(401, AUTH_INVALID)
        self._storm(out)
        self._throttle(out)
        delay = self.latency_s + self.faults.slow_s
        if delay > 0:
            self._sleep(delay)
        failure = self.faults.take_next()
        if failure is not None:
            self.stats.note("fail_next")
            raise simulated(failure.status, failure.no_retry, self.limiter.limit if self.limiter else 600)
        if handler is None:
            raise ApiError(404, "The requested resource could not be found.")
        ctx = routes.Context(
            self.org, self.faults, parse_qs(query, keep_blank_values=True), args, self._sleep, self.stats.note
        )
        doc = handler(ctx)
        if isinstance(doc, Raw):
            out.update(doc.headers, **{"content-type": doc.content_type})
            return Response(200, doc.body, out, chunked=True, cut=doc.cut)
        body = encode_json(doc)
        if ctx.body_fault == "invalid":
            body = INVALID_BODY
        elif ctx.body_fault == "truncated":
            body = body[: len(body) // 2]
        return Response(200, body, out)

    def _storm(self, out: dict[str, str]) -> None:
        retry_after = self.faults.take_storm()
        if retry_after is None:
            return
        self.stats.note("storm_429")
        limit = self.limiter.limit if self.limiter else 600
        reset = datetime.now(UTC) + timedelta(seconds=retry_after)
        out["anthropic-ratelimit-requests-limit"] = str(limit)
        out["anthropic-ratelimit-requests-remaining"] = "0"
        out["anthropic-ratelimit-requests-reset"] = timestamps.render(reset.replace(microsecond=0))
        raise ApiError(429, RATE_LIMITED.format(limit=limit), {"retry-after": str(retry_after)})

    def _throttle(self, out: dict[str, str]) -> None:
        if self.limiter is None:
            return
        decision = self.limiter.check(self.org.parent.uuid)
        out["anthropic-ratelimit-requests-limit"] = str(decision.limit)
        out["anthropic-ratelimit-requests-remaining"] = str(decision.remaining)
        out["anthropic-ratelimit-requests-reset"] = timestamps.render(decision.reset_at)
        if not decision.allowed:
            message = RATE_LIMITED.format(limit=decision.limit)
            raise ApiError(429, message, {"retry-after": str(decision.retry_after)})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chatsift-simulator"
    sys_version = ""
    timeout = 30  # idle keep-alive connections give their thread back
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't let Nagle hold the second
    server: _HTTPServer

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = self.server.app.handle(self.command, self.path, headers)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.chunked:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.chunked:
            self._write_chunks(response.body, response.cut)
        else:
            self.wfile.write(response.body)

    def _write_chunks(self, body: bytes, cut: bool) -> None:
        """HTTP/1.1 chunked framing; a ``cut`` body stops half way and the connection closes."""
        end = len(body) // 2 if cut else len(body)
        for start in range(0, end, CHUNK):
            piece = body[start : min(start + CHUNK, end)]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if cut:
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, ...) in the API's envelope instead of HTML."""
        body = ApiError(code, "Malformed HTTP request.").body()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines are not logged: they are noise, and a simulator must stay quiet."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.app = app
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves our own name (getfqdn), which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects are routine; stay silent."""


def _family(host: str, allow_non_loopback: bool) -> socket.AddressFamily:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or allow_non_loopback:
            return socket.AF_INET
        raise ValueError("the simulator binds to loopback only: use 127.0.0.1, ::1 or localhost") from None
    if not address.is_loopback and not allow_non_loopback:
        raise ValueError("the simulator binds to loopback only: use 127.0.0.1, ::1 or localhost")
    return socket.AF_INET6 if address.version == 6 else socket.AF_INET


class SimulatorServer:
    """The simulator on a real socket: ``start()``/``stop()``, a context manager, or ``serve_forever()``."""

    def __init__(
        self,
        org: SimOrg,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        rate_limit_per_minute: int | None = 600,
        faults: Faults | None = None,
        latency_s: float = 0.0,
        *,
        allow_non_loopback: bool = False,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._family = _family(host, allow_non_loopback)
        self.host, self.port = host, port
        self.org = org
        self.faults = faults if faults is not None else Faults()
        self.stats = Stats()
        limiter = None
        if rate_limit_per_minute is not None:
            limiter = SlidingWindowLimiter(rate_limit_per_minute, clock=clock or time.monotonic)
        self.app = App(org, api_key, self.faults, limiter, self.stats, latency_s, sleep)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def start(self) -> SimulatorServer:
        """Bind and serve in a daemon thread (port 0 picks a free port); returns ``self``."""
        if self._httpd is not None:
            return self
        self.app.halt(stopping=False)
        self._httpd = _HTTPServer((self.host, self.port), self.app, self._family)
        self.port = int(self._httpd.server_address[1])
        self._stopped.clear()
        serve = functools.partial(
            self._httpd.serve_forever, poll_interval=0.05
        )  # stop() waits one poll at most
        self._thread = threading.Thread(target=serve, name="chatsift-simulator", daemon=True)
        self._thread.start()
        return self

    @property
    def latency_s(self) -> float:
        """Seconds every authenticated request waits before it is answered (settable while serving)."""
        return self.app.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        self.app.latency_s = seconds

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("the simulator is not started")
        host = f"[{self.host}]" if self._family == socket.AF_INET6 else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        httpd, self._httpd = self._httpd, None
        self.app.halt()  # wake slow handlers: their threads are daemons, but they should not linger
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._stopped.set()

    def serve_forever(self) -> None:
        """Serve until ``stop()`` or Ctrl-C (starting first if needed)."""
        self.start()
        try:
            while not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
