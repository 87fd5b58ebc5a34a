"""API errors as the simulator serves them: the envelope, error types, and the verbatim messages.

    ApiError(Exception)     an error response: status, error.type, message, extra headers

Messages quoted from the reference (compliance-api.md §3.2) are verbatim; the chat-list 400 rules
have no documented wording, so those are the simulator's own.
"""

from __future__ import annotations

import json

AUTH_INVALID = "The API key provided is invalid or has been revoked."
RATE_LIMITED = (
    "Compliance API rate limit of {limit} requests per minute per parent organization has been exceeded. "
    "Retry after the time indicated by the retry-after header. Quote the request-id response header when "
    "contacting Anthropic support."
)
PAGE_INVALID = "The page parameter is not a valid cursor for this request."
_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def error_type(status: int) -> str:
    """The ``error.type`` for a status."""
    return _TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


class ApiError(Exception):
    """An error response; the message carries ids and parameter values, never content."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error_type(status)}")
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        """The documented envelope ``{"error": {"type": ..., "message": ...}}``."""
        return json.dumps({"error": {"type": error_type(self.status), "message": self.message}}).encode()


def bad_request(message: str) -> ApiError:
    """A 400 ``invalid_request_error``."""
    return ApiError(400, message)


def invalid_timestamp(param: str, value: str) -> ApiError:
    """The documented 400 for a malformed RFC 3339 value."""
    return bad_request(
        f"The `{param}` parameter contains an invalid timestamp format. Timestamps must be provided in "
        f'RFC 3339 format e.g., "2024-03-01T00:00:00Z". Got "{value}".'
    )


def limit_out_of_range(maximum: int, value: str) -> ApiError:
    """The documented 400 for a ``limit`` outside ``1..maximum``."""
    return bad_request(f"The limit parameter must be between 1 and {maximum}, inclusive. Got {value}.")


def invalid_cursor(param: str, kind: str, value: str) -> ApiError:
    """A 400 for a cursor that does not decode or points nowhere (worded like the activities one)."""
    return bad_request(f'Invalid `{param}`. No {kind} found for `{param}` "{value}"')


def chat_not_found(chat_id: str) -> ApiError:
    """The documented 404 for an unknown or hard-deleted chat."""
    return ApiError(404, f"Chat {chat_id} not found.")


def org_not_found(org_uuid: str) -> ApiError:
    """The documented 404 for an organization outside the tenant."""
    return ApiError(
        404, f'The "{org_uuid}" organization does not exist or the requester is not authorized to access it.'
    )


def simulated(status: int, no_retry: bool = False, limit: int = 600) -> ApiError:
    """An injected failure with the status's usual message and headers."""
    headers = {"x-should-retry": "false"} if no_retry else {}
    if status == 429:
        return ApiError(429, RATE_LIMITED.format(limit=limit), {"retry-after": "1", **headers})
    return ApiError(status, f"Simulated failure with status {status}.", headers)
