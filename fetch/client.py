"""The Compliance API client: one GET primitive with retries, backoff and safe error translation.

Everything else in the package (paginators, streams) is built on ``ComplianceClient.get_json``.
Responses are read whole with ``httpx.Client.get`` (never left-open streams), so a failed
request cannot leak a pooled connection.
"""

from __future__ import annotations

import errno
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from fetch.errors import FetchConfigError, safe_error_type, safe_request_id
from fetch.parsing import decode_json, try_json_object
from fetch.retry import Failure, parse_retry_after, retry_delay, should_retry

log = logging.getLogger("chatsift.fetch")

_QueryValue = str | int | float | bool | None


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
    """Counters for run reports: HTTP attempts, retries, and outcomes by status."""

    requests: int = 0
    retries: int = 0
    transport_errors: int = 0
    by_status: Counter[int] = field(default_factory=Counter)


class ComplianceClient:
    """A synchronous Compliance API client; use as a context manager or call ``close()``."""

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
    ) -> None:
        _check_numbers(timeout, connect_timeout, max_retries, backoff_base, backoff_max)
        self._base_url = _check_base_url(base_url)
        self._max_retries = max_retries
        self._backoff = (backoff_base, backoff_max)
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not cryptography
        self._on_retry = on_retry
        self.stats = ClientStats()
        self._http = httpx.Client(
            base_url=self._base_url,
            headers=_headers(api_key, anthropic_version, user_agent),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
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

    def get_json(
        self,
        path_template: str,
        params: Sequence[tuple[str, str]] | None = None,
        *,
        path_params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """GET ``path_template`` (formatted with URL-quoted ``path_params``) and return its JSON object."""
        path = _format_path(path_template, path_params or {})
        query: list[tuple[str, _QueryValue]] = list(params or [])
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(path_template, path, query, attempt)
            if not isinstance(outcome, Failure):
                return outcome
            if not outcome.retry or attempt > self._max_retries:
                raise outcome.to_error(path_template, attempt)
            self._wait(outcome, attempt, path_template)

    def _attempt(
        self, template: str, path: str, query: list[tuple[str, _QueryValue]], attempt: int
    ) -> dict[str, Any] | Failure:
        self.stats.requests += 1
        try:
            response = self._http.get(path, params=query)
        except httpx.UnsupportedProtocol:
            raise FetchConfigError("the base URL's scheme is not supported", path_template=template) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            self.stats.transport_errors += 1
            failure = _transport_failure(exc)
            log.info("GET %s failed: %s (attempt %d)", template, failure.detail, attempt)
            return failure
        self.stats.by_status[response.status_code] += 1
        request_id = safe_request_id(response.headers.get("request-id"))
        log.debug(
            "GET %s -> %d (attempt %d, request-id %s)", template, response.status_code, attempt, request_id
        )
        if response.is_success:
            return decode_json(
                response.content, path_template=template, status=response.status_code, request_id=request_id
            )
        return _status_failure(response, request_id)

    def _wait(self, failure: Failure, attempt: int, template: str) -> None:
        delay = retry_delay(failure, attempt, *self._backoff, self._rng)
        self.stats.retries += 1
        log.info("GET %s: %s on attempt %d, retrying in %.2fs", template, failure.code, attempt, delay)
        if self._on_retry is not None:
            self._on_retry(RetryEvent(attempt, delay, failure.status, failure.code, template))
        self._sleep(delay)


def _status_failure(response: httpx.Response, request_id: str | None) -> Failure:
    """Describe a non-2xx response by status, headers and the envelope's error.type only."""
    status = response.status_code
    error_type, body_request_id = _envelope_facts(response.content)
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
    timeout: float, connect_timeout: float, max_retries: int, backoff_base: float, backoff_max: float
) -> None:
    if not (timeout > 0 and connect_timeout > 0):
        raise FetchConfigError("timeouts must be positive", code="bad_timeout")
    if max_retries < 0:
        raise FetchConfigError("max_retries must be 0 or more", code="bad_retries")
    if not (0 < backoff_base <= backoff_max):
        raise FetchConfigError("backoff needs 0 < backoff_base <= backoff_max", code="bad_backoff")
