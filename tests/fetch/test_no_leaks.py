"""Rule 1 for the fetch layer: a canary planted in responses never surfaces, nor does the API key.

Each scenario feeds the client a response (or a transport failure) whose body, error message,
headers or library exception text carry a fresh canary, then searches ``str``, ``repr``, the full
formatted traceback (with every chained cause) and every log record captured at DEBUG.
"""

from __future__ import annotations

import json
import logging
import secrets
import traceback
from collections.abc import Callable

import httpx
import pytest

from fetch import (
    ComplianceClient,
    download_attachment,
    fetch_chat,
    fetch_chat_since,
    iter_activity_pages,
    iter_changed_chat_pages,
    resolve_user,
)
from fetch.errors import (
    AttachmentCorruptError,
    AttachmentGoneError,
    AttachmentTooLargeError,
    BadRequestError,
    ChatGoneError,
    FetchError,
    MalformedResponseError,
    MessageCursorRejectedError,
    ServerError,
    TransportFailure,
    UserNotFoundError,
)
from tests.fetch.conftest import API_KEY, Script, Sleeps, make_client, ok

STAMP = "2026-01-01T00:00:00Z"
CHAT = "claude_chat_1"

Case = tuple[Script, Callable[[ComplianceClient], object], type[FetchError]]
Scenario = Callable[[str], Case]


def _chat(**overrides: object) -> dict[str, object]:
    return {"id": CHAT, "created_at": STAMP, "updated_at": STAMP, "chat_messages": [], **overrides}


def server_error(c: str) -> Case:
    body = {"error": {"type": c, "message": f"internal failure near {c}"}}
    resp = httpx.Response(500, json=body, headers={"retry-after": c, "x-should-retry": c})
    return Script([resp] * 3), lambda cl: cl.get_json("/v1/compliance/apps/chats"), ServerError


def platform_envelope(c: str) -> Case:
    body = {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": f'Got "{c}".'},
        "request_id": "r",
    }
    return Script([httpx.Response(400, json=body)]), lambda cl: cl.get_json("/x"), BadRequestError


def html_error(c: str) -> Case:
    resp = httpx.Response(502, content=f"<html>{c}</html>".encode(), headers={"content-type": "text/html"})
    return Script([resp] * 3), lambda cl: cl.get_json("/x"), ServerError


def bad_json(c: str) -> Case:
    content = ('{"id": "' + CHAT + '", "chat_messages": [{"text": "' + c + '" ,, }').encode()
    return (
        Script([httpx.Response(200, content=content)]),
        lambda cl: fetch_chat(cl, CHAT),
        MalformedResponseError,
    )


def invalid_chat(c: str) -> Case:
    message = {"id": [c], "role": {"secret": c}, "created_at": c,
               "content": [{"type": "text", "text": {"k": c}}, {"type": "tool_use", "input": [c]},
                           {"type": "tool_result", "content": [{"text": [c]}]}],
               "files": [{"id": c, "filename": [c]}]}  # fmt: skip
    body = _chat(name={"n": c}, updated_at=c, chat_messages=[message], user={"id": [c]})
    return Script([ok(body)]), lambda cl: fetch_chat(cl, CHAT), MalformedResponseError


def invalid_list(c: str) -> Case:
    body = {"data": [{"id": {c: c}, "name": c, "created_at": c, "updated_at": STAMP}], "has_more": c}
    return Script([ok(body)]), lambda cl: list(iter_changed_chat_pages(cl)), MalformedResponseError


def gone_chat(c: str) -> Case:
    resp = httpx.Response(404, json={"error": {"type": "not_found_error", "message": f"Chat {c} not found."}})
    return Script([resp]), lambda cl: fetch_chat(cl, CHAT), ChatGoneError


def transport(c: str) -> Case:
    failure = httpx.RemoteProtocolError(f"illegal status line: bytearray(b'{c}')")
    assert c in str(failure)  # control: the library's own message would leak
    return Script([failure] * 3), lambda cl: cl.get_json("/x"), TransportFailure


def unknown_email(c: str) -> Case:
    orgs = ok({"data": [{"uuid": "org-1"}], "has_more": False, "next_page": None})
    users = ok({"data": [{"id": "user_1", "email": f"other{c}@corp.example"}], "has_more": False})
    return Script([orgs, users]), lambda cl: resolve_user(cl, f"{c}@corp.example"), UserNotFoundError


def _download(kind: str) -> Callable[[ComplianceClient], object]:
    return lambda cl: download_attachment(cl, kind, "claude_file_1", max_bytes=4096)  # type: ignore[arg-type]


def _named(c: str) -> dict[str, str]:
    return {"content-disposition": f"attachment; filename*=utf-8''{c}.pdf", "content-type": "application/pdf"}


def corrupt_file(c: str) -> Case:
    resp = httpx.Response(
        200, content=f"secret {c}".encode(), headers={**_named(c), "content-md5": "A" * 22 + "=="}
    )
    return Script([resp]), _download("file"), AttachmentCorruptError


def unreadable_md5(c: str) -> Case:
    resp = httpx.Response(200, content=f"secret {c}".encode(), headers={**_named(c), "content-md5": c})
    return Script([resp]), _download("file"), AttachmentCorruptError


def huge_file(c: str) -> Case:
    resp = httpx.Response(200, content=f"{c} ".encode() * 1000, headers=_named(c))
    return Script([resp]), _download("generated_file"), AttachmentTooLargeError


def gone_file(c: str) -> Case:
    body = {"error": {"type": "not_found_error", "message": f"No file {c} found."}}
    return Script([httpx.Response(404, json=body)]), _download("file"), AttachmentGoneError


def bad_artifact_text(c: str) -> Case:
    resp = httpx.Response(200, content=f"{c} \xff".encode("latin-1"), headers={"content-type": "text/plain"})
    return Script([resp]), _download("artifact"), AttachmentCorruptError


def bad_artifact_json(c: str) -> Case:
    resp = httpx.Response(
        200, content=json.dumps({"content": [c]}).encode(), headers={"content-type": "application/json"}
    )
    return Script([resp]), _download("artifact"), AttachmentCorruptError


def rejected_cursor(c: str) -> Case:
    body = {"error": {"type": "invalid_request_error", "message": f'Invalid `after_id` "{c}"'}}
    # The canary rides in the refusal only: httpx itself logs request URLs (ids and cursors, no content).
    action = lambda cl: fetch_chat_since(cl, CHAT, after_id="cursor_1")  # noqa: E731
    return Script([httpx.Response(400, json=body)]), action, MessageCursorRejectedError


def bad_activity(c: str) -> Case:
    record = {"id": "activity_1", "created_at": c, "type": "x", "actor": {"email_address": c}}
    body = {"data": [record], "has_more": False}
    return Script([ok(body)]), lambda cl: list(iter_activity_pages(cl)), MalformedResponseError


SCENARIOS = [server_error, platform_envelope, html_error, bad_json, invalid_chat, invalid_list, gone_chat,
             transport, unknown_email, corrupt_file, unreadable_md5, huge_file, gone_file, bad_artifact_text,
             bad_artifact_json, rejected_cursor, bad_activity]  # fmt: skip


def _exception_text(exc: BaseException) -> str:
    chain = "".join(traceback.format_exception(exc))
    causes = []
    current: BaseException | None = exc
    while current is not None:
        causes.append(f"{current!s}\n{current!r}\n{current.args!r}")
        current = current.__cause__ or current.__context__
    return chain + "\n".join(causes)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = [caplog.text]
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info:
            lines.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(lines)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_canary_never_surfaces(scenario: Scenario, caplog: pytest.LogCaptureFixture) -> None:
    canary = "cnry" + secrets.token_hex(12)
    caplog.set_level(logging.DEBUG)
    script, action, expected = scenario(canary)
    with make_client(script, Sleeps(), max_retries=2) as client, pytest.raises(FetchError) as info:
        action(client)
    exc = info.value
    assert type(exc) is expected
    assert any(canary.encode() in _raw(step) for step in script.steps), "the scenario must plant the canary"
    logging.getLogger("chatsift.fetch").exception("caught: %s", exc.code, exc_info=exc)
    for text in (_exception_text(exc), _log_text(caplog)):
        assert canary not in text
        assert API_KEY not in text
        assert API_KEY[7:] not in text
    assert caplog.records, "DEBUG logging should have captured the requests"


def _raw(step: object) -> bytes:
    if isinstance(step, httpx.Response):
        return step.content + json.dumps(dict(step.headers)).encode()
    return str(step).encode()


def test_validation_summary_is_still_informative() -> None:
    canary = "cnry" + secrets.token_hex(12)
    script, action, _ = invalid_chat(canary)
    with make_client(script) as client, pytest.raises(MalformedResponseError) as info:
        action(client)
    text = str(info.value)
    assert "validation error(s)" in text and "updated_at" in text and "(" in text
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_api_key_absent_from_client_repr_and_request_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(
        [httpx.Response(401, json={"error": {"type": "authentication_error", "message": API_KEY}})]
    )
    client = make_client(script)
    with client, pytest.raises(FetchError) as info:
        client.get_json("/v1/compliance/apps/chats")
    assert script.requests[0].headers["x-api-key"] == API_KEY  # it was sent ...
    # ... and shows up nowhere else, even when the server echoes it back
    for text in (
        repr(client),
        str(client),
        _exception_text(info.value),
        _log_text(caplog),
        repr(vars(client)),
    ):
        assert API_KEY not in text
