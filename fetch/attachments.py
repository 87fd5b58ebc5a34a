"""Attachment downloads: uploaded files, tool-generated files and artifact versions (reference §2.4).

Bodies are streamed with a byte cap (``ComplianceClient.get_bytes``), checked against their
``Content-MD5`` (base64 of the body's MD5, RFC 1864) when the server sends one, and returned in
memory only. Artifact content framing is undocumented (reference §8): a ``text/*`` body or a JSON
``{"content": "..."}`` body is accepted, chosen by content type, and returned as UTF-8 bytes.

Errors (``AttachmentError`` and subclasses, in ``fetch.errors``) name the kind, the path template
and a code, never the file name or any byte of the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

from fetch.client import BytesResponse, ComplianceClient
from fetch.errors import AttachmentCorruptError, AttachmentGoneError, FetchConfigError, NotFoundError
from fetch.models import Message
from fetch.parsing import try_json_object

AttachmentKind = Literal["file", "generated_file", "artifact"]

ATTACHMENT_PATHS: dict[AttachmentKind, str] = {
    "file": "/v1/compliance/apps/chats/files/{id}/content",
    "generated_file": "/v1/compliance/apps/chats/generated-files/{id}/content",
    "artifact": "/v1/compliance/apps/artifacts/{id}/content",  # id: the artifact's version_id
}
_FRAMING = "artifact_framing"
_MD5_BYTES = 16


@dataclass(frozen=True)
class Download:
    """One downloaded attachment, held in memory only."""

    kind: AttachmentKind
    id: str
    content: bytes = field(repr=False)
    content_type: str | None


@dataclass(frozen=True)
class AttachmentRef:
    """What to download for one attachment of a message (``id`` is the version id for artifacts)."""

    kind: AttachmentKind
    id: str
    message_id: str
    mime_type: str | None = None
    size_bytes: int | None = None
    # User content: only a hint for what kind of file it is (by extension); never shown or stored.
    filename: str | None = field(default=None, repr=False, compare=False)


def attachment_refs(message: Message) -> Iterator[AttachmentRef]:
    """The downloadable attachments of a message, in files, generated files, artifacts order."""
    for file in message.files or []:
        yield AttachmentRef("file", file.id, message.id, file.mime_type, file.size_bytes, file.filename)
    for generated in message.generated_files or []:
        yield AttachmentRef(
            "generated_file",
            generated.id,
            message.id,
            generated.mime_type,
            generated.size_bytes,
            generated.filename,
        )
    for artifact in message.artifacts or []:
        if artifact.version_id:  # the content endpoint takes a version; without one there is nothing to fetch
            yield AttachmentRef("artifact", artifact.version_id, message.id, artifact.artifact_type)


def download_attachment(
    client: ComplianceClient, kind: AttachmentKind, ident: str, *, max_bytes: int
) -> Download:
    """Download one attachment: AttachmentTooLargeError, AttachmentCorruptError, AttachmentGoneError."""
    if kind not in get_args(AttachmentKind):
        raise FetchConfigError("unknown attachment kind", code="bad_attachment_kind")
    template = ATTACHMENT_PATHS[kind]
    try:
        response = client.get_bytes(template, path_params={"id": ident}, max_bytes=max_bytes)
    except NotFoundError as exc:
        raise AttachmentGoneError(
            f"the {kind} no longer exists",
            status=exc.status,
            error_type=exc.error_type,
            path_template=template,
            request_id=exc.request_id,
        ) from exc
    check_content_md5(response, path_template=template)
    content = artifact_text(response, path_template=template) if kind == "artifact" else response.content
    return Download(kind, ident, content, response.content_type)


def check_content_md5(response: BytesResponse, *, path_template: str) -> None:
    """Raise AttachmentCorruptError unless the body matches its Content-MD5 (no header: nothing to check)."""
    if response.content_md5 is None:
        return
    try:
        expected = base64.b64decode(response.content_md5.strip(), validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    if len(expected) != _MD5_BYTES:
        raise AttachmentCorruptError(
            "the Content-MD5 header is not a base64 MD5",
            code="content_md5_unreadable",
            path_template=path_template,
        )
    if hashlib.md5(response.content, usedforsecurity=False).digest() != expected:
        raise AttachmentCorruptError(
            f"the body ({len(response.content)} bytes) does not match its Content-MD5",
            path_template=path_template,
        )


def artifact_text(response: BytesResponse, *, path_template: str) -> bytes:
    """An artifact body as UTF-8 text bytes, from a ``text/*`` body or a JSON ``{"content": ...}`` one."""
    media, charset = _media_type(response.content_type)
    if media.startswith("text/"):
        return _recode(response.content, charset or "utf-8", path_template)
    if media == "application/json" or media.endswith("+json"):
        body = try_json_object(response.content)
        content = body.get("content") if body is not None else None
        if isinstance(content, str):
            return content.encode("utf-8", errors="replace")  # a lone surrogate escaped in JSON
        raise AttachmentCorruptError(
            'the JSON body has no string "content" field', code=_FRAMING, path_template=path_template
        )
    raise AttachmentCorruptError(
        "the artifact's content type is neither text nor JSON", code=_FRAMING, path_template=path_template
    )


def _media_type(header: str | None) -> tuple[str, str | None]:
    """``(type/subtype, charset)`` from a Content-Type header, lower-cased."""
    if not header:
        return "", None
    media, _, rest = header.partition(";")
    charset = None
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media.strip().lower(), charset


def _recode(content: bytes, charset: str, path_template: str) -> bytes:
    """``content`` decoded from ``charset`` and encoded as UTF-8."""
    try:
        text = content.decode(charset)
    except LookupError:  # unknown, or not a text encoding ("hex", "rot13")
        detail = "the text body names a charset that is not a text encoding"
    except UnicodeDecodeError as exc:  # its message quotes bytes: keep the position only
        detail = f"the text body does not decode at byte {exc.start}"
    else:
        return text.encode("utf-8", errors="replace")
    raise AttachmentCorruptError(detail, code=_FRAMING, path_template=path_template)
