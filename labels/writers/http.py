"""HTTP feed writers: Splunk HTTP Event Collector (HEC) and a generic signed HTTPS webhook.

Both render every item, split the events into batches (at most ``batch_max_events`` events and
``batch_max_bytes`` bytes of body each) and POST each batch; ``write`` returns once every batch was
answered 2xx. An event too large to fit a batch alone is refused (``FeedConfigError`` naming its id
and size), never truncated.

Retries (shared by both, ``_Poster``): 429 (its ``Retry-After`` honoured, capped at
``max_retry_after``), 5xx (HEC's 503 "server is busy", code 9), timeouts and connection errors are
retried with exponential backoff and jitter, up to ``retries`` times; then a retriable
``FeedWriteError`` leaves the batch in the outbox. Any other answer (400, 401, 403, 404, 413: for HEC
the codes 1-7 and 10-14) is a ``FeedConfigError`` at once, with no retry. A TLS certificate that does
not verify is a ``FeedConfigError`` too. A batch retried, or sent again by a later run, carries the
same event ids (and for the webhook the same ``Idempotency-Key``), so receivers can dedupe.

HEC body: envelopes stacked back to back, one per line (not a JSON array)::

    {"time":1772366400.0,"host":"h","source":"chatsift","sourcetype":"chatsift:label",
     "event":{...},"fields":{"event_id":"lr_..."}}

Webhook body: one JSON object, ``{"events": [event bodies...], "ids": [event ids...]}``, with
``Idempotency-Key`` (SHA-256 of the ids, one per line) and, when a ``signing_key`` is set,
``X-Chatsift-Timestamp: <unix seconds>`` and ``X-Chatsift-Signature: sha256=<hex>``, the HMAC-SHA256
of ``<timestamp>.<body>``: the receiver recomputes it and rejects stale timestamps.

Privacy: errors name the writer, the URL without credentials or query, the HTTP status, the HEC
numeric code and counts; never a body, the token, or header values. ``repr`` shows neither the token
nor the webhook headers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

import httpx

from labels.errors import FeedConfigError, FeedWriteError
from labels.formats.base import Event, FeedItem, Renderer

log = logging.getLogger("chatsift.labels.writers.http")

RETRY_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class _Piece:
    """One event serialized for a batch: its id, its bytes in the body, and any bytes elsewhere in it."""

    id: str
    data: bytes
    extra: bytes = b""

    @property
    def size(self) -> int:
        return len(self.data) + len(self.extra)


@dataclass(frozen=True)
class _Failure:
    """A retriable outcome: its error code, what the message says, and the server's Retry-After."""

    code: str
    detail: str
    wait: float | None = None


def _safe_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe in an error message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _verify(ca_file: str | None, verify: bool) -> ssl.SSLContext | bool:
    if not verify:
        return False
    try:
        return ssl.create_default_context(cafile=ca_file)
    except OSError as exc:
        raise FeedConfigError(
            f"cannot load ca_file {ca_file}: {type(exc).__name__}", code="tls_config"
        ) from exc


def _batches(
    pieces: Sequence[_Piece], max_bytes: int, max_events: int, overhead: int, sep: int
) -> list[list[_Piece]]:
    """Split ``pieces`` in order; a batch's body is ``overhead`` plus its pieces plus ``sep`` between them."""
    batches: list[list[_Piece]] = []
    current: list[_Piece] = []
    size = overhead
    for piece in pieces:
        cost = piece.size + (sep if current else 0)
        if current and (len(current) >= max_events or size + cost > max_bytes):
            batches.append(current)
            current, size, cost = [], overhead, piece.size
        current.append(piece)
        size += cost
    if current:
        batches.append(current)
    return batches


class _Poster:
    """POSTs one body with retries; shared by the HEC and webhook writers."""

    def __init__(
        self,
        writer: str,
        url: str,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        max_retry_after: float,
        verify: ssl.SSLContext | bool,
        code_of: Callable[[httpx.Response], int | None],
    ) -> None:
        if retries < 0 or backoff < 0 or timeout <= 0:
            raise ValueError("retries and backoff must be >= 0 and timeout > 0")
        self.writer = writer
        self.url = url
        self.where = _safe_url(url)
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.code_of = code_of
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), verify=verify, follow_redirects=False)
        self.attempts = 0  # every POST made, for tests and metrics
        self.retried = 0  # POSTs made again after a retriable failure

    def post(self, body: bytes, headers: Mapping[str, str], events: int) -> None:
        """POST ``body``; return on 2xx, raise ``FeedConfigError`` or (after retries) ``FeedWriteError``."""
        for attempt in range(self.retries + 1):
            if attempt:
                self.retried += 1
            self.attempts += 1
            failure = self._attempt(body, headers, events)
            if failure is None:
                return
            if attempt == self.retries:
                raise FeedWriteError(
                    f"{self.writer}: POST {self.where} failed after {attempt + 1} attempts: "
                    f"{failure.detail} ({events} events not delivered)",
                    code=failure.code,
                )
            delay = self.backoff * (2**attempt) * random.uniform(0.5, 1.0)
            if failure.wait is not None:
                delay = max(delay, failure.wait)
            log.info("%s: POST %s: %s; retrying in %.2fs", self.writer, self.where, failure.detail, delay)
            time.sleep(delay)

    def _attempt(self, body: bytes, headers: Mapping[str, str], events: int) -> _Failure | None:
        """``None`` when delivered, else the retriable failure; a refusal raises ``FeedConfigError``."""
        try:
            response = self.client.post(self.url, content=body, headers=dict(headers))
        except httpx.TimeoutException:
            return _Failure("timeout", "timeout")
        except httpx.TransportError as exc:
            if _cert_failure(exc):
                raise FeedConfigError(
                    f"{self.writer}: TLS verification of {self.where} failed", code="tls_verify_failed"
                ) from None
            return _Failure(type(exc).__name__, type(exc).__name__)
        status = response.status_code
        if 200 <= status < 300:
            return None
        code = self.code_of(response)
        described = f"HTTP {status}" + (f" (code {code})" if code is not None else "")
        if status in RETRY_STATUSES:
            return _Failure(f"http_{status}", described, self._retry_after(response))
        raise FeedConfigError(
            f"{self.writer}: POST {self.where} refused: {described} ({events} events not delivered)",
            code=f"http_{status}",
        )

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("retry-after")
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            return None  # an HTTP date: fall back to our own backoff
        return min(max(seconds, 0.0), self.max_retry_after)

    def close(self) -> None:
        self.client.close()


def _cert_failure(exc: BaseException) -> bool:
    """Whether an httpx transport error was caused by a certificate that did not verify."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _no_code(response: httpx.Response) -> int | None:
    """A plain HTTP endpoint's answers carry no code of their own."""
    return None


def _hec_code(response: httpx.Response) -> int | None:
    """The numeric HEC ``code`` of an answer, if it has one (the server's ``text`` is never kept)."""
    try:
        data = response.json()
    except ValueError:
        return None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, int) else None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _too_large(writer: str, piece_id: str, size: int, limit: int) -> FeedConfigError:
    return FeedConfigError(
        f"{writer}: event {piece_id} needs {size} bytes, over batch_max_bytes={limit}; refused",
        code="event_too_large",
    )


class HttpOptions(TypedDict, total=False):
    """Batching, retry and TLS options shared by the HTTP writers (defaults in ``_HTTP_DEFAULTS``)."""

    batch_max_bytes: int
    batch_max_events: int
    timeout: float
    retries: int
    backoff: float
    max_retry_after: float
    ca_file: str | None
    verify: bool


_HTTP_DEFAULTS: HttpOptions = {
    "batch_max_bytes": 1_000_000,
    "batch_max_events": 500,
    "timeout": 10.0,
    "retries": 3,
    "backoff": 0.5,
    "max_retry_after": 30.0,
    "ca_file": None,
    "verify": True,
}


class _HttpWriter:
    """What the HEC and webhook writers share: name, renderer, batch limits and the poster."""

    kind = "http"

    def __init__(
        self,
        name: str,
        url: str,
        render: Renderer,
        options: HttpOptions,
        code_of: Callable[[httpx.Response], int | None] | None = None,
    ) -> None:
        o: HttpOptions = {**_HTTP_DEFAULTS, **options}
        if o["batch_max_events"] < 1 or o["batch_max_bytes"] < 1:
            raise ValueError("batch_max_events and batch_max_bytes must be at least 1")
        self.name = name
        self.render = render
        self.batch_max_bytes = o["batch_max_bytes"]
        self.batch_max_events = o["batch_max_events"]
        self.poster = _Poster(
            f"{self.kind} {name}",
            url,
            timeout=o["timeout"],
            retries=o["retries"],
            backoff=o["backoff"],
            max_retry_after=o["max_retry_after"],
            verify=_verify(o["ca_file"], o["verify"]),
            code_of=code_of or _no_code,
        )

    def close(self) -> None:
        """Close the HTTP connection pool; safe to call twice."""
        self.poster.close()


class HecWriter(_HttpWriter):
    """Sends events to Splunk's HTTP Event Collector as stacked envelopes, in batches."""

    kind = "hec"

    def __init__(
        self,
        name: str,
        url: str,
        token: str,
        *,
        render: Renderer,
        sourcetype: str = "chatsift:label",
        source: str = "chatsift",
        index: str | None = None,
        host: str | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        super().__init__(name, url.rstrip("/") + "/services/collector/event", render, options, _hec_code)
        self.sourcetype = sourcetype
        self.source = source
        self.index = index
        self.host = host or socket.gethostname()
        self.channel = str(uuid.uuid4())  # stable for this writer instance
        self._token = token

    def __repr__(self) -> str:
        return f"HecWriter(name={self.name!r}, url={self.poster.where!r}, token='***')"

    def write(self, items: Sequence[FeedItem]) -> None:
        """Render ``items`` and POST them in batches; return once every batch was accepted."""
        pieces = [self._envelope(event) for item in items for event in self.render(item)]
        for piece in pieces:
            if len(piece.data) > self.batch_max_bytes:
                raise _too_large(self.poster.writer, piece.id, len(piece.data), self.batch_max_bytes)
        headers = {
            "Authorization": f"Splunk {self._token}",
            "X-Splunk-Request-Channel": self.channel,
            "Content-Type": "application/json",
        }
        for batch in _batches(pieces, self.batch_max_bytes, self.batch_max_events, overhead=0, sep=1):
            self.poster.post(b"\n".join(p.data for p in batch), headers, len(batch))

    def _envelope(self, event: Event) -> _Piece:
        envelope: dict[str, Any] = {
            "time": round(event.time.timestamp(), 3),
            "host": self.host,
            "source": self.source,
            "sourcetype": self.sourcetype,
        }
        if self.index:
            envelope["index"] = self.index
        envelope["event"] = event.body
        envelope["fields"] = {"event_id": event.id}
        return _Piece(event.id, _dumps(envelope))


class WebhookWriter(_HttpWriter):
    """POSTs events to an HTTPS endpoint as ``{"events": [...], "ids": [...]}``, signed when keyed."""

    kind = "webhook"

    _HEAD = b'{"events":['
    _MIDDLE = b'],"ids":['
    _TAIL = b"]}"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        render: Renderer,
        headers: dict[str, str] | None = None,
        signing_key: bytes | None = None,
        **options: Unpack[HttpOptions],
    ) -> None:
        super().__init__(name, url, render, options)
        self._headers = dict(headers or {})  # may hold secrets: never logged or shown
        self._signing_key = signing_key

    def __repr__(self) -> str:
        signed = self._signing_key is not None
        return f"WebhookWriter(name={self.name!r}, url={self.poster.where!r}, signed={signed})"

    def write(self, items: Sequence[FeedItem]) -> None:
        """Render ``items`` and POST them in batches; return once every batch was answered 2xx."""
        # A piece is the event body and its id, each serialized once; each list takes a comma per event.
        pieces = [
            _Piece(event.id, _dumps(event.body), _dumps(event.id))
            for item in items
            for event in self.render(item)
        ]
        overhead = len(self._HEAD) + len(self._MIDDLE) + len(self._TAIL)
        for piece in pieces:
            if overhead + piece.size > self.batch_max_bytes:
                size = overhead + piece.size
                raise _too_large(self.poster.writer, piece.id, size, self.batch_max_bytes)
        for batch in _batches(pieces, self.batch_max_bytes, self.batch_max_events, overhead, sep=2):
            self._post(batch)

    def _post(self, batch: list[_Piece]) -> None:
        body = (
            self._HEAD
            + b",".join(p.data for p in batch)
            + self._MIDDLE
            + b",".join(p.extra for p in batch)
            + self._TAIL
        )
        headers = {
            **self._headers,
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key(piece.id for piece in batch),
        }
        if self._signing_key is not None:
            stamp = str(int(time.time()))
            headers["X-Chatsift-Timestamp"] = stamp
            headers["X-Chatsift-Signature"] = "sha256=" + sign(self._signing_key, stamp, body)
        self.poster.post(body, headers, len(batch))


def idempotency_key(ids: Any) -> str:
    """The SHA-256 (hex) of a batch's event ids, one per line: the same batch always has the same key."""
    digest = hashlib.sha256()
    for event_id in ids:
        digest.update(event_id.encode("utf-8") + b"\n")
    return digest.hexdigest()


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """The webhook signature: hex HMAC-SHA256 of ``<timestamp>.<body>``."""
    return hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
