"""The exception tree, its messages, the error envelope and body parsing."""

from __future__ import annotations

import pickle

import httpx
import pytest

from fetch import errors as e
from fetch.models import ChatListPage
from fetch.parsing import decode_json, summarize_validation, validate
from tests.fetch.conftest import Script, Sleeps, make_client

CHATS = "/v1/compliance/apps/chats"

TREE = [
    (e.FetchConfigError, e.FetchError),
    (e.RetriableFetchError, e.FetchError),
    (e.RateLimitedError, e.RetriableFetchError),
    (e.ServerError, e.RetriableFetchError),
    (e.TransportFailure, e.RetriableFetchError),
    (e.FatalFetchError, e.FetchError),
    (e.AuthenticationError, e.FatalFetchError),
    (e.PermissionDeniedError, e.FatalFetchError),
    (e.NotFoundError, e.FatalFetchError),
    (e.BadRequestError, e.FatalFetchError),
    (e.ConflictError, e.FatalFetchError),
    (e.NoRetryServerError, e.FatalFetchError),
    (e.UnexpectedStatusError, e.FatalFetchError),
    (e.UserNotFoundError, e.FatalFetchError),
    (e.ChatSkipError, e.FetchError),
    (e.MalformedResponseError, e.ChatSkipError),
    (e.ChatGoneError, e.ChatSkipError),
    (e.PaginationLoopError, e.ChatSkipError),
    (e.PageCapError, e.ChatSkipError),
]
GROUPS = (e.FetchConfigError, e.RetriableFetchError, e.FatalFetchError, e.ChatSkipError)


@pytest.mark.parametrize(("cls", "parent"), TREE)
def test_tree_shape(cls: type[e.FetchError], parent: type[e.FetchError]) -> None:
    assert cls.__bases__ == (parent,)
    assert cls.__doc__ and cls.__name__ in (e.__doc__ or "")
    # exactly one "what next" group per error
    assert sum(issubclass(cls, g) for g in GROUPS) == 1


def test_message_is_built_from_safe_fields_only() -> None:
    exc = e.ServerError(
        "gave up",
        status=503,
        error_type="overloaded_error",
        path_template="/v1/compliance/apps/chats/{id}/messages",
        request_id="req_011",
        code="http_503",
        attempts=6,
    )
    assert str(exc) == (
        "http_503 on /v1/compliance/apps/chats/{id}/messages "
        "(status 503, type overloaded_error, request-id req_011, after 6 attempts): gave up"
    )
    assert repr(exc) == f"ServerError({str(exc)!r})"


def test_application_style_construction_still_works() -> None:
    # chatsift.pipeline raises RetriableFetchError(message, code=...) itself.
    exc = e.RetriableFetchError("5 chats in a row failed", code="api_unavailable")
    assert str(exc) == "api_unavailable: 5 chats in a row failed" and exc.status is None


def test_default_codes_are_stable() -> None:
    assert e.ChatGoneError().code == "not_found"
    assert e.MalformedResponseError().code == "invalid_body"
    assert e.PaginationLoopError().code == "pagination_loop"
    assert e.UserNotFoundError().code == "user_not_found"


@pytest.mark.parametrize("cls", [c for c, _ in TREE])
def test_errors_pickle_with_their_fields(cls: type[e.FetchError]) -> None:
    exc = cls("detail", status=500, path_template=CHATS, request_id="req_1", code="x_code", attempts=2)
    again = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own object, round trip
    assert type(again) is cls and str(again) == str(exc)
    assert (again.status, again.code, again.request_id) == (500, "x_code", "req_1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("rate_limit_error", "rate_limit_error"), ("overloaded_error", "overloaded_error"), (None, None),
     ("totally_new_error", "unrecognized"), ("Chat secret text", "unrecognized"), (42, "unrecognized")],
)  # fmt: skip
def test_error_type_is_an_allowlist(value: object, expected: str | None) -> None:
    assert e.safe_error_type(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("req_011CSHoEeqs5C35K2UUqR7Fy", "req_011CSHoEeqs5C35K2UUqR7Fy"), ("has spaces", None),
     ("x" * 200, None), ("", None), (None, None), ("a\nb", None)],
)  # fmt: skip
def test_request_id_shape(value: object, expected: str | None) -> None:
    assert e.safe_request_id(value) == expected


@pytest.mark.parametrize(
    ("body", "headers", "error_type", "request_id"),
    [
        ({"error": {"type": "not_found_error", "message": "Chat x not found."}}, {}, "not_found_error", None),
        ({"type": "error", "error": {"type": "not_found_error", "message": "m"}, "request_id": "req_b"}, {},
         "not_found_error", "req_b"),
        ({"type": "error", "error": {"type": "not_found_error"}, "request_id": "req_b"},
         {"request-id": "req_h"}, "not_found_error", "req_h"),
        ({"error": "just a string"}, {}, None, None),
        ({"unexpected": True}, {}, None, None),
    ],
)  # fmt: skip
def test_error_envelope_both_shapes(
    body: dict[str, object], headers: dict[str, str], error_type: str | None, request_id: str | None
) -> None:
    script = Script([httpx.Response(404, json=body, headers=headers)])
    with make_client(script) as client, pytest.raises(e.NotFoundError) as info:
        client.get_json(CHATS)
    assert info.value.error_type == error_type and info.value.request_id == request_id


def test_non_json_error_body_is_tolerated() -> None:
    page = httpx.Response(502, content=b"<html>bad gateway</html>", headers={"content-type": "text/html"})
    script = Script([page])
    with make_client(script, max_retries=0) as client, pytest.raises(e.ServerError) as info:
        client.get_json(CHATS)
    assert info.value.error_type is None and info.value.status == 502


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"", "malformed_json"),
        (b'{"data": [', "malformed_json"),
        (b"\xff\xfe\x00garbage", "malformed_json"),
        (b"[1, 2]", "invalid_body"),
        (b'"a string"', "invalid_body"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed_json"),
    ],
)
def test_malformed_success_bodies_are_skippable_and_not_retried(
    content: bytes, code: str, sleeps: Sleeps
) -> None:
    script = Script([httpx.Response(200, content=content)])
    with make_client(script, sleeps) as client, pytest.raises(e.MalformedResponseError) as info:
        client.get_json(CHATS)
    assert info.value.code == code and info.value.status == 200
    assert isinstance(info.value, e.ChatSkipError)
    assert len(script.requests) == 1 and sleeps == []
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_json_error_names_the_position() -> None:
    with pytest.raises(e.MalformedResponseError) as info:
        decode_json(b'{"a": 1,\n "b": }', path_template=CHATS)
    assert "line 2 column" in str(info.value)


def test_validation_error_names_locations_and_types() -> None:
    stamp = "2026-01-01T00:00:00Z"
    body = {"data": [{"id": "claude_chat_1", "created_at": "yesterday-ish", "updated_at": stamp},
                     {"created_at": stamp, "updated_at": stamp}],
            "has_more": "perhaps"}  # fmt: skip
    with pytest.raises(e.MalformedResponseError) as info:
        validate(ChatListPage, body, path_template=CHATS)
    text = str(info.value)
    assert info.value.code == "invalid_body"
    assert "3 validation error(s)" in text
    assert "data.0.created_at (datetime_from_date_parsing)" in text
    assert "data.1.id (missing)" in text and "has_more (bool_parsing)" in text
    assert "yesterday" not in text and "perhaps" not in text
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_validation_summary_hides_unknown_loc_parts() -> None:
    from pydantic import BaseModel, ValidationError

    class Keyed(BaseModel):
        data: dict[str, int]

    with pytest.raises(ValidationError) as info:
        Keyed.model_validate({"data": {"private-key-name": "x"}})
    summary = summarize_validation(info.value)
    assert "private-key-name" not in summary and "data.?" in summary
