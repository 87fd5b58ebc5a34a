"""Retry policy: which failures are retried, how long to wait, and which error each status becomes.

The API's rules (reference §3.2-3.3): retry 429 after ``retry-after``; retry 500/502/503/504/529
with exponential backoff from 1 s doubling to 60 s; a 5xx with ``x-should-retry: false`` is
deterministic; 400/401/403/404/409 are never retried, whatever a header says.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from fetch.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FetchError,
    NoRetryServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetriableFetchError,
    ServerError,
    TransportFailure,
    UnexpectedStatusError,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
_FATAL: dict[int, type[FetchError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
}
# A hostile or broken retry-after must not park the process for hours.
RETRY_AFTER_CAP = 600.0


@dataclass(frozen=True)
class Failure:
    """One failed attempt, described by safe facts only; becomes an exception when retries end."""

    code: str
    retry: bool
    status: int | None = None
    error_type: str | None = None
    request_id: str | None = None
    retry_after: float | None = None
    detail: str = ""

    def to_error(self, path_template: str, attempts: int) -> FetchError:
        """The exception to raise once this failure is final."""
        common: dict[str, Any] = {
            "status": self.status,
            "error_type": self.error_type,
            "path_template": path_template,
            "request_id": self.request_id,
            "code": self.code,
            "attempts": attempts,
        }
        if self.status is None:
            return TransportFailure(self.detail, **common)
        if self.status == 429:
            return RateLimitedError(self.detail, retry_after=self.retry_after, **common)
        return error_class(self.status, self.retry)(self.detail, **common)


def error_class(status: int, retriable: bool) -> type[FetchError]:
    """The exception class for a final non-2xx status."""
    if status in _FATAL:
        return _FATAL[status]
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError if retriable else NoRetryServerError
    return RetriableFetchError if retriable else UnexpectedStatusError


def should_retry(status: int, header: str | None) -> bool:
    """Whether a status is retried, with ``x-should-retry`` overriding except for plain refusals."""
    if status in _FATAL:
        return False
    verdict = (header or "").strip().lower()
    if verdict == "false":
        return False
    return verdict == "true" or status in RETRY_STATUSES


def parse_retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP-date)."""
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now())


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2.0 ** min(attempt - 1, 62)))
    return rng.uniform(0.0, ceiling)


def retry_delay(failure: Failure, attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """The wait before the next attempt: jittered backoff, never below the server's retry-after."""
    delay = backoff_delay(attempt, base, cap, rng)
    if failure.retry_after is not None:
        delay = max(delay, min(failure.retry_after, RETRY_AFTER_CAP))
    return delay
