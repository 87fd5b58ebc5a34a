"""Attachment downloads: the byte cap, Content-MD5, 404s, retries, artifact framing, refs of a message."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from fetch import ATTACHMENT_PATHS, AttachmentRef, attachment_refs, download_attachment
from fetch.errors import (
    AttachmentCorruptError,
    AttachmentError,
    AttachmentGoneError,
    AttachmentTooLargeError,
    ChatSkipError,
    FetchConfigError,
    NotFoundError,
    PermissionDeniedError,
)
from fetch.models import Message
from tests.fetch.conftest import Script, Sleeps, err, make_client

FILE = "/v1/compliance/apps/chats/files/{id}/content"
BODY = b"%PDF-1.7 quarterly numbers\n" * 10


def md5_b64(content: bytes) -> str:
    """RFC 1864 Content-MD5 of ``content``."""
    return base64.b64encode(hashlib.md5(content, usedforsecurity=False).digest()).decode()


def body(content: bytes, content_type: str = "application/pdf", **headers: str) -> httpx.Response:
    """A 200 download response (``content_md5=`` becomes the ``content-md5`` header)."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(200, content=content, headers={"content-type": content_type, **named})


class Chunks(httpx.SyncByteStream):
    """A chunked body (no content-length) that records how much was pulled and whether it was closed."""

    def __init__(self, chunk: bytes, count: int | None) -> None:
        self.chunk, self.count = chunk, count
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        while self.count is None or self.pulled < self.count:
            self.pulled += 1
            yield self.chunk

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("kind", "ident", "path"),
    [
        ("file", "claude_file_01", "/v1/compliance/apps/chats/files/claude_file_01/content"),
        (
            "generated_file",
            "claude_gen_file_01",
            "/v1/compliance/apps/chats/generated-files/claude_gen_file_01/content",
        ),
        (
            "artifact",
            "claude_artifact_version_01",
            "/v1/compliance/apps/artifacts/claude_artifact_version_01/content",
        ),
    ],
)
def test_each_kind_has_its_path(kind: str, ident: str, path: str) -> None:
    content_type = "text/plain" if kind == "artifact" else "application/pdf"
    script = Script([body(BODY, content_type)])
    with make_client(script) as client:
        download = download_attachment(client, kind, ident, max_bytes=10_000)  # type: ignore[arg-type]
    assert script.requests[0].url.path == path
    assert script.requests[0].headers["accept-encoding"] == "identity"  # MD5 and the cap see the sent bytes
    assert (download.kind, download.id, download.content) == (kind, ident, BODY)
    assert download.content_type == content_type
    assert "quarterly" not in repr(download)


def test_get_bytes_returns_body_and_headers() -> None:
    script = Script([body(BODY, content_md5=md5_b64(BODY))])
    with make_client(script) as client:
        got = client.get_bytes(FILE, path_params={"id": "claude_file_01"}, max_bytes=len(BODY))
    assert got.content == BODY and got.content_type == "application/pdf"
    assert got.content_md5 == md5_b64(BODY)


def test_a_body_of_exactly_the_cap_is_fine_one_more_byte_is_not() -> None:
    with make_client(Script([body(BODY), body(BODY)])) as client:
        assert client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=len(BODY)).content == BODY
        with pytest.raises(AttachmentTooLargeError) as info:
            client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=len(BODY) - 1)
    assert info.value.max_bytes == len(BODY) - 1 and info.value.code == "attachment_too_large"
    assert isinstance(info.value, ChatSkipError)


def test_an_endless_body_is_abandoned_as_soon_as_it_passes_the_cap() -> None:
    stream = Chunks(b"x" * 1000, count=None)
    script = Script([httpx.Response(200, stream=stream)])
    with make_client(script) as client, pytest.raises(AttachmentTooLargeError):
        client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=4500)
    assert stream.pulled == 5 and stream.closed
    assert client.stats.retries == 0  # too large is final


def test_a_declared_length_over_the_cap_is_refused_unread() -> None:
    stream = Chunks(b"y" * 100, count=3)
    script = Script([httpx.Response(200, stream=stream, headers={"content-length": "300"})])
    with make_client(script) as client, pytest.raises(AttachmentTooLargeError):
        client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=299)
    assert stream.pulled == 0 and stream.closed


def test_a_chunked_body_under_the_cap_is_read_whole_and_closed() -> None:
    stream = Chunks(b"z" * 100, count=3)
    with make_client(Script([httpx.Response(200, stream=stream)])) as client:
        assert client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=300).content == b"z" * 300
    assert stream.closed


@pytest.mark.parametrize("max_bytes", [-1, True, 1.5])
def test_max_bytes_must_be_a_count(max_bytes: object) -> None:
    with make_client(Script([])) as client, pytest.raises(FetchConfigError):
        client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=max_bytes)  # type: ignore[arg-type]


def test_transient_failures_are_retried_through_the_same_loop(sleeps: Sleeps) -> None:
    script = Script([err(503), httpx.ReadTimeout("slow"), body(BODY)])
    with make_client(script, sleeps) as client:
        download = download_attachment(client, "file", "claude_file_01", max_bytes=10_000)
    assert download.content == BODY and len(sleeps) == 2 and client.stats.requests == 3


def test_404_means_the_attachment_is_gone() -> None:
    gone = err(404, "not_found_error", "No file found with provided id, or it has already been deleted.")
    with make_client(Script([gone, gone])) as client:
        with pytest.raises(NotFoundError):  # the primitive stays generic ...
            client.get_bytes(FILE, path_params={"id": "f"}, max_bytes=10)
        with pytest.raises(AttachmentGoneError) as info:  # ... the download says what it means
            download_attachment(client, "file", "claude_file_01", max_bytes=10)
    assert info.value.code == "attachment_gone" and info.value.status == 404
    assert info.value.path_template == FILE and isinstance(info.value, AttachmentError)


def test_refusals_other_than_404_are_not_attachment_errors() -> None:
    denied = err(403, "permission_error")
    with make_client(Script([denied])) as client, pytest.raises(PermissionDeniedError):
        download_attachment(client, "file", "claude_file_01", max_bytes=10)


# (Content-MD5 header, expected error code or None)
MD5_TABLE = [
    (md5_b64(BODY), None),
    (f"  {md5_b64(BODY)} ", None),
    (None, None),
    (md5_b64(BODY + b"!"), "content_md5_mismatch"),
    (md5_b64(b""), "content_md5_mismatch"),
    (hashlib.md5(BODY, usedforsecurity=False).hexdigest(), "content_md5_unreadable"),  # hex, not base64
    ("not base64 at all!", "content_md5_unreadable"),
    (base64.b64encode(b"short").decode(), "content_md5_unreadable"),
    ("", "content_md5_unreadable"),
]


@pytest.mark.parametrize(("header", "code"), MD5_TABLE)
def test_content_md5_is_verified_when_present(header: str | None, code: str | None) -> None:
    headers = {} if header is None else {"content-md5": header}
    with make_client(Script([body(BODY, **headers)])) as client:
        if code is None:
            assert download_attachment(client, "file", "f", max_bytes=10_000).content == BODY
            return
        with pytest.raises(AttachmentCorruptError) as info:
            download_attachment(client, "file", "f", max_bytes=10_000)
    assert info.value.code == code and "quarterly" not in str(info.value)


TEXT = "# Notes\nAPI key: zq-7 – naïve café ✓\n"

# (content type, body, expected text or an error code)
ARTIFACT_TABLE = [
    ("text/plain", TEXT.encode(), TEXT),
    ("text/plain; charset=utf-8", TEXT.encode(), TEXT),
    ("text/markdown;charset=UTF-8", TEXT.encode(), TEXT),
    ('text/html; charset="iso-8859-1"', "café".encode("latin-1"), "café"),
    ("text/plain; charset=utf-16", TEXT.encode("utf-16"), TEXT),
    ("application/json", json.dumps({"content": TEXT}).encode(), TEXT),
    ("application/json; charset=utf-8", json.dumps({"content": TEXT, "id": "v1"}).encode(), TEXT),
    ("application/vnd.ant+json", json.dumps({"content": ""}).encode(), ""),
    # hard negatives: framing we cannot read is an error, never a silent empty artifact
    ("text/plain", b"\xff\xfe\xfa broken", "artifact_framing"),
    ("text/plain; charset=no-such-charset", b"abc", "artifact_framing"),
    ("text/plain; charset=hex", b"abc", "artifact_framing"),
    ("application/json", json.dumps({"text": TEXT}).encode(), "artifact_framing"),
    ("application/json", json.dumps({"content": ["a"]}).encode(), "artifact_framing"),
    ("application/json", json.dumps([TEXT]).encode(), "artifact_framing"),
    ("application/json", b'{"content": "unterminated', "artifact_framing"),
    ("application/octet-stream", TEXT.encode(), "artifact_framing"),
    ("", TEXT.encode(), "artifact_framing"),
]


@pytest.mark.parametrize(("content_type", "raw", "expected"), ARTIFACT_TABLE)
def test_artifact_framing(content_type: str, raw: bytes, expected: str) -> None:
    response = httpx.Response(
        200, content=raw, headers={"content-type": content_type} if content_type else {}
    )
    with make_client(Script([response])) as client:
        if expected == "artifact_framing":
            with pytest.raises(AttachmentCorruptError) as info:
                download_attachment(client, "artifact", "claude_artifact_version_1", max_bytes=10_000)
            assert info.value.code == "artifact_framing"
            assert "café" not in str(info.value) and "API key" not in str(info.value)
            return
        download = download_attachment(client, "artifact", "claude_artifact_version_1", max_bytes=10_000)
    assert download.content == expected.encode("utf-8")


def test_artifact_md5_covers_the_body_as_sent() -> None:
    raw = json.dumps({"content": TEXT}).encode()
    response = httpx.Response(
        200, content=raw, headers={"content-type": "application/json", "content-md5": md5_b64(raw)}
    )
    with make_client(Script([response])) as client:
        assert download_attachment(client, "artifact", "v", max_bytes=10_000).content == TEXT.encode()


def test_an_unknown_kind_is_a_configuration_error() -> None:
    with make_client(Script([])) as client, pytest.raises(FetchConfigError):
        download_attachment(client, "project_doc", "x", max_bytes=10)  # type: ignore[arg-type]
    assert set(ATTACHMENT_PATHS) == {"file", "generated_file", "artifact"}


def test_attachment_refs_of_a_message() -> None:
    message = Message.model_validate(
        {
            "id": "claude_chat_msg_1",
            "role": "assistant",
            "files": [{"id": "claude_file_1", "filename": "payroll.xlsx",
                       "mime_type": "application/vnd.ms-excel", "size_bytes": 2048,
                       "md5": "5d41402abc4b2a76b9719d911017c592"}],
            "generated_files": [{"id": "claude_gen_file_1", "filename": "out.csv", "mime_type": "text/csv"}],
            "artifacts": [
                {"id": "claude_artifact_1", "version_id": "claude_artifact_version_1", "title": "Plan",
                 "artifact_type": "text/markdown"},
                {"id": "claude_artifact_2", "version_id": None},  # nothing downloadable
            ],
        }
    )  # fmt: skip
    assert list(attachment_refs(message)) == [
        AttachmentRef("file", "claude_file_1", "claude_chat_msg_1", "application/vnd.ms-excel", 2048),
        AttachmentRef("generated_file", "claude_gen_file_1", "claude_chat_msg_1", "text/csv", None),
        AttachmentRef("artifact", "claude_artifact_version_1", "claude_chat_msg_1", "text/markdown", None),
    ]
    assert list(attachment_refs(Message(id="m", role="user"))) == []


def test_attachment_models_carry_their_metadata_and_hide_user_content() -> None:
    message = Message.model_validate(
        {
            "id": "m",
            "role": "user",
            "files": [{"id": "f", "filename": "secret-plan.pdf", "mime_type": "application/pdf",
                       "size_bytes": 10, "md5": "ab", "created_at": "2026-01-01T00:00:00Z"}],
            "generated_files": [{"id": "g", "filename": "secret-out.csv", "size_bytes": 3, "md5": None}],
            "artifacts": [{"id": "a", "version_id": "v", "title": "secret title",
                           "artifact_type": "text/html"}],
        }
    )  # fmt: skip
    assert message.files and message.generated_files and message.artifacts
    file, generated, artifact = message.files[0], message.generated_files[0], message.artifacts[0]
    assert (file.id, file.filename, file.mime_type, file.size_bytes, file.md5) == (
        "f", "secret-plan.pdf", "application/pdf", 10, "ab"
    )  # fmt: skip
    assert (generated.filename, generated.size_bytes) == ("secret-out.csv", 3)
    assert (artifact.version_id, artifact.artifact_type) == ("v", "text/html")
    assert "secret" not in repr(message.files) + repr(message.generated_files) + repr(message.artifacts)
