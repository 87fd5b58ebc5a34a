"""Serve a ``SimOrg`` over real HTTP on loopback, the way the Compliance API would.

``App`` is the transport-free core: method check, ``x-api-key`` auth, the per-parent-org rate
limit, injected faults, routing and the error envelope. ``SimulatorServer`` wraps it in a
``ThreadingHTTPServer`` (one thread per connection) that only binds to loopback unless told
otherwise. Nothing is logged per request, and response bodies are never printed.

Order of checks for every request: 405 (non-GET), 401 (bad key; uses no quota), 429 (budget),
injected ``fail_next`` failures, 404 (no such route), then the endpoint itself.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fetch.simulator import routes, timestamps
from fetch.simulator.errors import AUTH_INVALID, RATE_LIMITED, ApiError, simulated
from fetch.simulator.faults import Faults
from fetch.simulator.org import SimOrg
from fetch.simulator.ratelimit import SlidingWindowLimiter

DEFAULT_API_KEY = "sk-ant-api01-chatsift-simulator"
_log = logging.getLogger(__name__)


class Stats:
    """Thread-safe request counters: total, by status code, by path template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued = 0
        self._total = 0
        self._by_status: dict[int, int] = {}
        self._by_path: dict[str, int] = {}

    def next_request_id(self) -> str:
        """A fresh ``request-id`` value."""
        with self._lock:
            self._issued += 1
            return f"req_sim{self._issued:010d}"

    def record(self, template: str, status: int) -> None:
        """Count one answered request."""
        with self._lock:
            self._total += 1
            self._by_status[status] = self._by_status.get(status, 0) + 1
            self._by_path[template] = self._by_path.get(template, 0) + 1

    @property
    def total(self) -> int:
        """Requests answered so far."""
        with self._lock:
            return self._total

    @property
    def by_status(self) -> dict[int, int]:
        """A copy of the per-status counts."""
        with self._lock:
            return dict(self._by_status)

    @property
    def by_path(self) -> dict[str, int]:
        """A copy of the per-path-template counts (``/v1/compliance/apps/chats/{id}/messages``...)."""
        with self._lock:
            return dict(self._by_path)


@dataclass
class Response:
    """A status, headers and a body."""

    status: int
    body: bytes = field(repr=False)
    headers: dict[str, str] = field(default_factory=dict)


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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.org = org
        self.api_key = api_key
        self.faults = faults
        self.limiter = limiter
        self.stats = stats
        self.latency_s = latency_s
        self._sleep = sleep

    def handle(self, method: str, target: str, headers: Mapping[str, str]) -> Response:
        """Answer one request; ``headers`` have lower-case names."""
        parts = urlsplit(target)
        template, handler, args = routes.match(parts.path)
        out = {"request-id": self.stats.next_request_id(), "content-type": "application/json"}
        try:
            status, body = 200, self._dispatch(method, parts.query, headers, handler, args, out)
        except ApiError as err:
            status, body = err.status, err.body()
            out.update(err.headers)
        except Exception as exc:  # a simulator bug: answer like the API would, say nothing about content
            _log.error("simulator error on %s: %s", template, type(exc).__name__)
            status, body = 500, ApiError(500, "Internal server error.").body()
        self.stats.record(template, status)
        return Response(status, body, out)

    def _dispatch(
        self,
        method: str,
        query: str,
        headers: Mapping[str, str],
        handler: routes.Handler | None,
        args: tuple[str, ...],
        out: dict[str, str],
    ) -> bytes:
        if method != "GET":
            raise ApiError(
                405, f"Method {method} is not allowed here; the simulator serves GET only.", {"allow": "GET"}
            )
        if not hmac.compare_digest(headers.get("x-api-key", "").encode(), self.api_key.encode()):
            raise ApiError(401, AUTH_INVALID)
        self._throttle(out)
        delay = self.latency_s + self.faults.slow_s
        if delay > 0:
            self._sleep(delay)
        failure = self.faults.take_next()
        if failure is not None:
            raise simulated(failure.status, failure.no_retry, self.limiter.limit if self.limiter else 600)
        if handler is None:
            raise ApiError(404, "The requested resource could not be found.")
        ctx = routes.Context(self.org, self.faults, parse_qs(query, keep_blank_values=True), args)
        body = json.dumps(handler(ctx), ensure_ascii=False).encode()
        return body[: len(body) // 2] if ctx.malformed else body

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
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

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
    ) -> None:
        self._family = _family(host, allow_non_loopback)
        self.host, self.port = host, port
        self.org = org
        self.faults = faults if faults is not None else Faults()
        self.stats = Stats()
        limiter = None
        if rate_limit_per_minute is not None:
            limiter = SlidingWindowLimiter(rate_limit_per_minute, clock=clock or time.monotonic)
        self.app = App(org, api_key, self.faults, limiter, self.stats, latency_s)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def start(self) -> SimulatorServer:
        """Bind and serve in a daemon thread (port 0 picks a free port); returns ``self``."""
        if self._httpd is not None:
            return self
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
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("the simulator is not started")
        host = f"[{self.host}]" if self._family == socket.AF_INET6 else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        httpd, self._httpd = self._httpd, None
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
