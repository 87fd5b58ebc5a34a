"""Attachment endpoints: file, generated-file and artifact metadata and downloads (compliance-api.md §2.4).

Downloads are ``Raw`` bodies the server sends with ``Transfer-Encoding: chunked``, with
``Content-Type`` (the MIME type), ``Content-Disposition: attachment; filename*=utf-8''<name>``
(RFC 5987 for every name) and ``Content-MD5`` (base64 of the md5 digest).

Artifact downloads: the real media type and framing are UNKNOWN (reference §8: text body, or JSON
``{"content": ...}``). The simulator serves the text itself as ``text/plain; charset=utf-8``.

Files of a deleted chat (soft or hard) answer the documented 404, as unknown ids do. Faults:
``fail_attachments`` (metadata and content both), ``corrupt_md5`` (a ``Content-MD5`` that does
not match the body) and ``cut_attachments`` (the body stops half way, the connection drops).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

from fetch.simulator.attachments import Attachment
from fetch.simulator.context import Context, Handler, Raw
from fetch.simulator.errors import ApiError, simulated

FILE = "/v1/compliance/apps/chats/files/{id}"
FILE_CONTENT = "/v1/compliance/apps/chats/files/{id}/content"
GENERATED = "/v1/compliance/apps/chats/generated-files/{id}"
GENERATED_CONTENT = "/v1/compliance/apps/chats/generated-files/{id}/content"
ARTIFACT = "/v1/compliance/apps/artifacts/{version_id}"
ARTIFACT_CONTENT = "/v1/compliance/apps/artifacts/{version_id}/content"
FILE_NOT_FOUND = "No file found with provided id, or it has already been deleted."
ARTIFACT_NOT_FOUND = "No artifact found with provided id, or it has already been deleted."
_RFC5987_SAFE = "!#$&+^`|"  # attr-chars that quote() would otherwise escape


def _find(ctx: Context, kind: str) -> Attachment:
    (ident,) = ctx.args
    item = ctx.org.attachment(kind, ident)
    if item is None:
        raise ApiError(404, ARTIFACT_NOT_FOUND if kind == "artifact" else FILE_NOT_FOUND)
    failure = ctx.faults.attachment_failure(ident)
    if failure is not None:
        ctx.note("fail_attachments")
        raise simulated(failure.status, failure.no_retry)
    return item


def _download(ctx: Context, item: Attachment, content_type: str) -> Raw:
    body = item.content()
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    if item.id in ctx.faults.corrupt_md5:
        ctx.note("corrupt_md5")
        digest = hashlib.md5(body + b"\x00", usedforsecurity=False).digest()
    cut = item.id in ctx.faults.cut_attachments
    if cut:
        ctx.note("cut_attachments")
    headers = {
        "content-disposition": "attachment; filename*=utf-8''" + quote(item.filename, safe=_RFC5987_SAFE),
        "content-md5": base64.b64encode(digest).decode(),
    }
    return Raw(body, content_type, headers, cut=cut)


def file_metadata(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/apps/chats/files/{id}``."""
    return _find(ctx, "file").api()


def file_content(ctx: Context) -> Raw:
    """``GET /v1/compliance/apps/chats/files/{id}/content``."""
    item = _find(ctx, "file")
    return _download(ctx, item, item.mime)


def generated_metadata(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/apps/chats/generated-files/{id}``."""
    return _find(ctx, "generated_file").api()


def generated_content(ctx: Context) -> Raw:
    """``GET /v1/compliance/apps/chats/generated-files/{id}/content``."""
    item = _find(ctx, "generated_file")
    return _download(ctx, item, item.mime)


def artifact_metadata(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/apps/artifacts/{version_id}``."""
    return _find(ctx, "artifact").api()


def artifact_content(ctx: Context) -> Raw:
    """``GET /v1/compliance/apps/artifacts/{version_id}/content`` (framing unknown: plain UTF-8 text)."""
    return _download(ctx, _find(ctx, "artifact"), "text/plain; charset=utf-8")


ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    (FILE, re.compile(r"^/v1/compliance/apps/chats/files/([^/]+)$"), file_metadata),
    (FILE_CONTENT, re.compile(r"^/v1/compliance/apps/chats/files/([^/]+)/content$"), file_content),
    (GENERATED, re.compile(r"^/v1/compliance/apps/chats/generated-files/([^/]+)$"), generated_metadata),
    (
        GENERATED_CONTENT,
        re.compile(r"^/v1/compliance/apps/chats/generated-files/([^/]+)/content$"),
        generated_content,
    ),
    (ARTIFACT, re.compile(r"^/v1/compliance/apps/artifacts/([^/]+)$"), artifact_metadata),
    (ARTIFACT_CONTENT, re.compile(r"^/v1/compliance/apps/artifacts/([^/]+)/content$"), artifact_content),
)
