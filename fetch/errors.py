"""The fetch package's one exception tree, grouped by what the caller does next.

::

    FetchError                          every error this package raises
    ├── FetchConfigError                fix the settings: bad URL, empty key, bad path template
    ├── RetriableFetchError             the API is unwell: stop the run, keep the cursor, rerun later
    │   ├── RateLimitedError            429 (``retry_after`` seconds, when the server said)
    │   ├── ServerError                 500/502/503/504/529 after every retry
    │   └── TransportFailure            timeouts and connection errors after every retry
    ├── FatalFetchError                 the request itself is refused: a human must act
    │   ├── AuthenticationError         401 (bad or revoked key)
    │   ├── PermissionDeniedError       403 (missing scope)
    │   ├── NotFoundError               404
    │   ├── BadRequestError             400
    │   │   └── MessageCursorRejectedError  400 on a messages request carrying after_id: refetch in full
    │   ├── ConflictError               409
    │   ├── NoRetryServerError          5xx the server marked ``x-should-retry: false`` (or 501, ...)
    │   ├── UnexpectedStatusError       any other status (3xx, 405, 413, ...)
    │   └── UserNotFoundError           no directory user matches the given email
    └── ChatSkipError                   this one chat (or page) is bad: record it, go on, retry next run
        ├── MalformedResponseError      body is not JSON, or does not validate
        ├── ChatGoneError               the chat 404s during a scan (hard-deleted)
        ├── PaginationLoopError         the API repeated a cursor or page token
        ├── PageCapError                more pages than the configured cap
        └── AttachmentError             one attachment cannot be read: record it on the chat, go on
            ├── AttachmentTooLargeError more than ``max_bytes`` arrived (carries the cap only)
            ├── AttachmentCorruptError  Content-MD5 mismatch, or artifact framing we cannot read
            └── AttachmentGoneError     404: the file or artifact version was deleted or expired

Privacy: a message is built only from the attributes below (status, the API's error type, the
path *template*, the request id, a stable code) plus a detail our own code wrote (counts, JSON
positions, pydantic ``loc``/``type``). Response bodies, query values, URLs, the API key and
library messages that could echo input never reach ``str()``, ``repr()`` or a traceback.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{1,128}")

# error.type values the docs list; anything else is reported as "unrecognized" because the field
# arrives in a response body and is echoed into messages.
KNOWN_ERROR_TYPES = frozenset(
    {
        "invalid_request_error",
        "authentication_error",
        "billing_error",
        "permission_error",
        "not_found_error",
        "conflict_error",
        "request_too_large",
        "rate_limit_error",
        "api_error",
        "timeout_error",
        "overloaded_error",
    }
)


def safe_error_type(value: object) -> str | None:
    """The API's ``error.type`` if it is a documented value, ``"unrecognized"`` otherwise."""
    if value is None:
        return None
    return value if isinstance(value, str) and value in KNOWN_ERROR_TYPES else "unrecognized"


def safe_request_id(value: object) -> str | None:
    """A request id if it looks like one (letters, digits, ``_``, ``-``), else None."""
    return value if isinstance(value, str) and _TOKEN.fullmatch(value) else None


class FetchError(Exception):
    """Root of every error the fetch package raises; the message never holds content."""

    default_code = "fetch_error"

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        error_type: str | None = None,
        path_template: str | None = None,
        request_id: str | None = None,
        code: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.detail = detail
        self.status = status
        self.error_type = error_type
        self.path_template = path_template
        self.request_id = request_id
        self.code = code or self.default_code
        self.attempts = attempts
        super().__init__(self._message())

    def _message(self) -> str:
        facts = []
        if self.status is not None:
            facts.append(f"status {self.status}")
        if self.error_type:
            facts.append(f"type {self.error_type}")
        if self.request_id:
            facts.append(f"request-id {self.request_id}")
        if self.attempts and self.attempts > 1:
            facts.append(f"after {self.attempts} attempts")
        where = f" on {self.path_template}" if self.path_template else ""
        text = f"{self.code}{where}"
        if facts:
            text += f" ({', '.join(facts)})"
        return f"{text}: {self.detail}" if self.detail else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._message()!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only attributes would be lost by the default pickling of exceptions.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[FetchError], state: dict[str, object]) -> FetchError:
    exc = cls.__new__(cls)
    exc.__dict__.update(state)
    Exception.__init__(exc, exc._message())
    return exc


class FetchConfigError(FetchError):
    """The client is misconfigured (base URL, API key, path template); nothing was sent."""

    default_code = "config"


class RetriableFetchError(FetchError):
    """The API failed transiently and every retry was spent; rerunning later should work."""

    default_code = "api_unavailable"


class RateLimitedError(RetriableFetchError):
    """429: the organisation's request budget is spent."""

    default_code = "http_429"

    def __init__(
        self,
        detail: str = "",
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        error_type: str | None = None,
        path_template: str | None = None,
        request_id: str | None = None,
        code: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            detail,
            status=status,
            error_type=error_type,
            path_template=path_template,
            request_id=request_id,
            code=code,
            attempts=attempts,
        )

    def _message(self) -> str:
        text = super()._message()
        return text if self.retry_after is None else f"{text} [retry-after {self.retry_after:g}s]"


class ServerError(RetriableFetchError):
    """A retriable 5xx (500, 502, 503, 504, 529)."""

    default_code = "http_5xx"


class TransportFailure(RetriableFetchError):
    """Timeouts or connection errors; raised only after retries are exhausted."""

    default_code = "transport_error"


class FatalFetchError(FetchError):
    """The API refused the request; retrying the same request cannot help."""

    default_code = "refused"


class AuthenticationError(FatalFetchError):
    """401: the key is missing, invalid or revoked."""

    default_code = "http_401"


class PermissionDeniedError(FatalFetchError):
    """403: the key lacks the endpoint's scope."""

    default_code = "http_403"


class NotFoundError(FatalFetchError):
    """404: the resource does not exist (or is not visible to this key)."""

    default_code = "http_404"


class BadRequestError(FatalFetchError):
    """400: the request's parameters were rejected."""

    default_code = "http_400"


class ConflictError(FatalFetchError):
    """409: the request conflicts with the resource's state."""

    default_code = "http_409"


class NoRetryServerError(FatalFetchError):
    """A 5xx the server declared deterministic (``x-should-retry: false``) or that is never transient."""

    default_code = "http_5xx"


class UnexpectedStatusError(FatalFetchError):
    """A status this client has no rule for (redirects, 405, 413, ...)."""

    default_code = "http_unexpected"


class UserNotFoundError(FatalFetchError):
    """No user in any organisation matches; the message never repeats the email."""

    default_code = "user_not_found"


class ChatSkipError(FetchError):
    """One chat (or one page) cannot be read; skip it, record the code, retry next run."""

    default_code = "chat_skipped"


class MalformedResponseError(ChatSkipError):
    """The body is not JSON, or does not validate against the expected model."""

    default_code = "invalid_body"


class ChatGoneError(ChatSkipError):
    """The chat was listed but now 404s (hard-deleted between list and read)."""

    default_code = "not_found"


class PaginationLoopError(ChatSkipError):
    """The API handed back a cursor or page token it had already given."""

    default_code = "pagination_loop"


class PageCapError(ChatSkipError):
    """More pages than the configured cap; stops a runaway listing."""

    default_code = "page_cap"


class MessageCursorRejectedError(BadRequestError):
    """400 on a messages request that carried ``after_id``: drop the stored cursor and fetch in full."""

    default_code = "message_cursor_rejected"


class AttachmentError(ChatSkipError):
    """One attachment cannot be read; the chat's other content is still good."""

    default_code = "attachment_unreadable"


class AttachmentTooLargeError(AttachmentError):
    """The body passed ``max_bytes``; reading stopped there (the full size is not known)."""

    default_code = "attachment_too_large"

    def __init__(
        self,
        max_bytes: int,
        *,
        path_template: str | None = None,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        super().__init__(
            f"more than {max_bytes} bytes (the cap)",
            path_template=path_template,
            request_id=request_id,
            status=status,
        )


class AttachmentCorruptError(AttachmentError):
    """The body fails its Content-MD5, or an artifact's framing cannot be read."""

    default_code = "content_md5_mismatch"


class AttachmentGoneError(AttachmentError):
    """404 on a download: the file or artifact version no longer exists."""

    default_code = "attachment_gone"
