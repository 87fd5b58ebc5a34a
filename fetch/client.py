"""The Compliance API client: one GET loop with retries, backoff, pacing and safe error translation.

Everything else in the package (paginators, streams, downloads) is built on
``ComplianceClient.get_json`` and ``get_bytes``, which share one retry loop. Every response is read
inside ``httpx.Client.stream``'s context manager, so a failed or abandoned read always gives its
pooled connection back.

One client may be shared by many threads: httpx's pool is thread-safe, the counters are updated
under a lock, and an optional ``RequestBudget`` paces every attempt (retries included) so the
process stays under the organisation's request limit.
"""

from __future__ import annotations

import errno
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from fetch.errors import AttachmentTooLargeError, FetchConfigError, safe_error_type, safe_request_id
from fetch.parsing import decode_json, try_json_object
from fetch.ratelimit import RequestBudget
from fetch.retry import Failure, parse_retry_after, retry_delay, should_retry

log = logging.getLogger("chatsift.fetch")

_QueryValue = str | int | float | bool | None
T = TypeVar("T")
# Error bodies are only read for error.type and request_id; a proxy's huge page is not read whole.
_ERROR_BODY_CAP = 64 * 1024
# Downloads ask for identity encoding so Content-MD5 and the byte cap apply to the bytes received.
_IDENTITY = {"accept-encoding": "identity"}


@dataclass(frozen=True)
class RetryEvent:
    """One retry about to happen: safe facts for progress output (never bodies or URLs)."""

    attempt: int  # the attempt that just failed, from 1
    delay: float  # seconds the client will sleep before the next attempt
    status: int | None  # None for timeouts and connection errors
    code: str  # "http_429", "timeout", ...
    path_template: str


@dataclass
class ClientStats:
    """Counters for run reports: HTTP attempts, retries, outcomes by status, time spent throttled."""

    requests: int = 0
    retries: int = 0
    transport_errors: int = 0
    throttled_s: float = 0.0  # seconds spent waiting for the request budget (not retry sleeps)
    by_status: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class BytesResponse:
    """A downloaded body with the headers a caller checks it against."""

    content: bytes = field(repr=False)
    content_type: str | None
    content_md5: str | None


Reader = Callable[[httpx.Response, str | None], T]


class ComplianceClient:
    """A synchronous, thread-safe Compliance API client; use as a context manager or call ``close()``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        anthropic_version: str | None = "2023-06-01",
        user_agent: str = "chatsift/0.1",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
        budget: RequestBudget | None = None,
        max_connections: int = 10,
    ) -> None:
        _check_numbers(timeout, connect_timeout, max_retries, backoff_base, backoff_max, max_connections)
        self._base_url = _check_base_url(base_url)
        self._max_retries = max_retries
        self._backoff = (backoff_base, backoff_max)
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._on_retry = on_retry
        self._budget = budget
        self._lock = threading.Lock()  # guards stats and the shared rng
        self.stats = ClientStats()
        self._http = httpx.Client(
            base_url=self._base_url,
            headers=_headers(api_key, anthropic_version, user_agent),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ComplianceClient(base_url={_display_url(self._base_url)!r})"

    def __enter__(self) -> ComplianceClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def budget(self) -> RequestBudget | None:
        """The request budget pacing this client, if any."""
        return self._budget

    def stats_snapshot(self) -> ClientStats:
        """A copy of the counters, safe to read while other threads keep requesting."""
        with self._lock:
            return replace(self.stats, by_status=Counter(self.stats.by_status))

    def get_json(
        self,
        path_template: str,
        params: Sequence[tuple[str, str]] | None = None,
        *,
        path_params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """GET ``path_template`` (formatted with URL-quoted ``path_params``) and return its JSON object."""

        def read(response: httpx.Response, request_id: str | None) -> dict[str, Any]:
            return decode_json(
                response.read(),
                path_template=path_template,
                status=response.status_code,
                request_id=request_id,
            )

        return self._get(path_template, params, path_params or {}, read)

    def get_bytes(
        self,
        path_template: str,
        *,
        path_params: dict[str, str] | None = None,
        max_bytes: int,
        params: Sequence[tuple[str, str]] | None = None,
    ) -> BytesResponse:
        """GET a binary body, streamed; more than ``max_bytes`` raises AttachmentTooLargeError at once."""
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise FetchConfigError("max_bytes must be a whole number of 0 or more", code="bad_max_bytes")

        def read(response: httpx.Response, request_id: str | None) -> BytesResponse:
            content = _read_capped(response, max_bytes)
            if content is None:
                raise AttachmentTooLargeError(
                    max_bytes, path_template=path_template, request_id=request_id, status=response.status_code
                )
            headers = response.headers
            return BytesResponse(content, headers.get("content-type"), headers.get("content-md5"))

        return self._get(path_template, params, path_params or {}, read, _IDENTITY)

    def _get(
        self,
        template: str,
        params: Sequence[tuple[str, str]] | None,
        path_params: dict[str, str],
        read: Reader[T],
        headers: dict[str, str] | None = None,
    ) -> T:
        """The one retry loop: attempt, then either return, raise, or wait and go again."""
        path = _format_path(template, path_params)
        query: list[tuple[str, _QueryValue]] = list(params or [])
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(template, path, query, attempt, read, headers)
            if not isinstance(outcome, Failure):
                return outcome
            if not outcome.retry or attempt > self._max_retries:
                raise outcome.to_error(template, attempt)
            self._wait(outcome, attempt, template)

    def _attempt(
        self,
        template: str,
        path: str,
        query: list[tuple[str, _QueryValue]],
        attempt: int,
        read: Reader[T],
        headers: dict[str, str] | None,
    ) -> T | Failure:
        sent_at = self._admit()
        try:
            with self._http.stream("GET", path, params=query, headers=headers) as response:
                return self._answer(template, response, attempt, sent_at, read)
        except httpx.UnsupportedProtocol:
            raise FetchConfigError("the base URL's scheme is not supported", path_template=template) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:  # also raised mid-body
            with self._lock:
                self.stats.transport_errors += 1
            failure = _transport_failure(exc)
            log.info("GET %s failed: %s (attempt %d)", template, failure.detail, attempt)
            return failure

    def _admit(self) -> float | None:
        """Wait for the budget (if any) and count the attempt; returns the budget's send time."""
        waited, sent_at = 0.0, None
        if self._budget is not None:
            waited = self._budget.acquire()
            sent_at = self._budget.now()
        with self._lock:
            self.stats.requests += 1
            self.stats.throttled_s += waited
        return sent_at

    def _answer(
        self, template: str, response: httpx.Response, attempt: int, sent_at: float | None, read: Reader[T]
    ) -> T | Failure:
        status = response.status_code
        with self._lock:
            self.stats.by_status[status] += 1
        if self._budget is not None:
            self._budget.observe(response.headers, sent_at=sent_at)
        request_id = safe_request_id(response.headers.get("request-id"))
        log.debug("GET %s -> %d (attempt %d, request-id %s)", template, status, attempt, request_id)
        if response.is_success:
            return read(response, request_id)
        failure = _status_failure(response, _read_capped(response, _ERROR_BODY_CAP) or b"", request_id)
        if status == 429 and self._budget is not None:
            # Every thread holds, not only this one: the server has just said the window is full.
            self._budget.pause(failure.retry_after if failure.retry_after is not None else self._backoff[0])
        return failure

    def _wait(self, failure: Failure, attempt: int, template: str) -> None:
        with self._lock:
            delay = retry_delay(failure, attempt, *self._backoff, self._rng)
            self.stats.retries += 1
        log.info("GET %s: %s on attempt %d, retrying in %.2fs", template, failure.code, attempt, delay)
        if self._on_retry is not None:
            self._on_retry(RetryEvent(attempt, delay, failure.status, failure.code, template))
        self._sleep(delay)


def _read_capped(response: httpx.Response, cap: int) -> bytes | None:
    """The body, or None as soon as more than ``cap`` bytes have arrived (the rest is never read)."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _status_failure(response: httpx.Response, body: bytes, request_id: str | None) -> Failure:
    """Describe a non-2xx response by status, headers and the envelope's error.type only."""
    status = response.status_code
    error_type, body_request_id = _envelope_facts(body)
    return Failure(
        code=f"http_{status}",
        retry=should_retry(status, response.headers.get("x-should-retry")),
        status=status,
        error_type=error_type,
        request_id=request_id or body_request_id,
        retry_after=parse_retry_after(response.headers),
    )


def _envelope_facts(content: bytes) -> tuple[str | None, str | None]:
    """``error.type`` and ``request_id`` from either documented envelope; the message is never read.

    Shapes: ``{"error": {"type", "message"}}`` (Compliance docs) and
    ``{"type": "error", "error": {...}, "request_id": ...}`` (platform-wide).
    """
    body = try_json_object(content)
    if body is None:  # an HTML page from a proxy, say: no facts to take
        return None, None
    error = body.get("error")
    error_type = safe_error_type(error.get("type")) if isinstance(error, dict) else None
    return error_type, safe_request_id(body.get("request_id"))


def _transport_failure(exc: httpx.RequestError) -> Failure:
    # httpx/h11 messages can quote bytes the server sent, so only the class name and errno survive.
    code = "timeout" if isinstance(exc, httpx.TimeoutException) else "transport_error"
    if isinstance(exc, httpx.ConnectError):
        code = "connect_error"
    detail = type(exc).__name__
    os_error = _errno_name(exc)
    return Failure(code=code, retry=True, detail=f"{detail} {os_error}" if os_error else detail)


def _errno_name(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None and current.errno in errno.errorcode:
            return errno.errorcode[current.errno]
        current = current.__cause__ or current.__context__
    return None


def _format_path(template: str, path_params: dict[str, str]) -> str:
    if not template.startswith("/"):
        raise FetchConfigError("path templates must start with '/'", code="bad_path_template")
    quoted = {name: quote(str(value), safe="") for name, value in path_params.items()}
    try:
        return template.format(**quoted)
    except (KeyError, IndexError, ValueError):
        raise FetchConfigError(
            "path template placeholders do not match path_params",
            path_template=template,
            code="bad_path_template",
        ) from None


def _headers(api_key: str, anthropic_version: str | None, user_agent: str) -> dict[str, str]:
    key = api_key.strip() if isinstance(api_key, str) else ""
    # The key is checked by shape only; its value never appears in a message.
    if not key or not key.isascii() or not key.isprintable() or " " in key:
        raise FetchConfigError("the API key is missing or is not a printable ASCII token", code="bad_api_key")
    headers = {"x-api-key": key, "accept": "application/json", "user-agent": user_agent}
    if anthropic_version:
        headers["anthropic-version"] = anthropic_version
    return headers


def _check_base_url(base_url: str) -> httpx.URL:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError):
        raise FetchConfigError("the base URL cannot be parsed", code="bad_base_url") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchConfigError("the base URL must be http:// or https:// with a host", code="bad_base_url")
    if url.query or url.fragment:
        raise FetchConfigError("the base URL must not carry a query or fragment", code="bad_base_url")
    return url


def _display_url(url: httpx.URL) -> str:
    # Credentials in the URL's userinfo are dropped from anything we show.
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path.rstrip('/')}"


def _check_numbers(
    timeout: float,
    connect_timeout: float,
    max_retries: int,
    backoff_base: float,
    backoff_max: float,
    max_connections: int,
) -> None:
    if not (timeout > 0 and connect_timeout > 0):
        raise FetchConfigError("timeouts must be positive", code="bad_timeout")
    if max_retries < 0:
        raise FetchConfigError("max_retries must be 0 or more", code="bad_retries")
    if not (0 < backoff_base <= backoff_max):
        raise FetchConfigError("backoff needs 0 < backoff_base <= backoff_max", code="bad_backoff")
    if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
        raise FetchConfigError("max_connections must be at least 1", code="bad_max_connections")
