"""Files, generated files and artifacts: metadata, downloads, headers, ground truth, deletion, faults."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from fetch.simulator import BIG_TEXT_BYTES, Attachment, Failure, SimOrg, generate_org
from fetch.simulator.values import iban_valid, luhn_valid
from tests.fetch.simulator.conftest import Served, error_of, messages_path, raw_get

BASE = "/v1/compliance/apps"
PATHS = {
    "file": f"{BASE}/chats/files",
    "generated_file": f"{BASE}/chats/generated-files",
    "artifact": f"{BASE}/artifacts",
}
LISTS = {"file": "files", "generated_file": "generated_files", "artifact": "artifacts"}
NOT_FOUND = "No file found with provided id, or it has already been deleted."
MAGIC = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n"}


def _listed(org: SimOrg) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every attachment as messages list it: (kind, item, message)."""
    out = []
    for chat in org.ordered("created_at")[1]:
        for message in chat.messages:
            for kind, key in LISTS.items():
                out += [(kind, item, message) for item in message[key] or []]
    return out


def _ident(kind: str, item: dict[str, Any]) -> str:
    return str(item["version_id"] if kind == "artifact" else item["id"])


def test_every_listed_attachment_has_metadata_and_content(shared: Served) -> None:
    listed = _listed(shared.org)
    assert {kind for kind, _, _ in listed} == set(LISTS)
    for kind, item, message in listed:
        ident = _ident(kind, item)
        meta = shared.get(f"{PATHS[kind]}/{ident}").json()
        content = shared.get(f"{PATHS[kind]}/{ident}/content")
        assert content.status_code == 200
        digest = hashlib.md5(content.content, usedforsecurity=False)
        assert content.headers["content-md5"] == base64.b64encode(digest.digest()).decode()
        assert meta["md5"] == digest.hexdigest() and re.fullmatch(r"[0-9a-f]{32}", meta["md5"])
        if kind == "artifact":
            assert meta["size_bytes"] == len(content.content) and meta["version_id"] == ident
            assert content.headers["content-type"] == "text/plain; charset=utf-8"
            assert meta["claude_chat_id"] and {k: meta[k] for k in item} == item
        else:
            assert item["md5"] == meta["md5"] and item["size_bytes"] in (None, len(content.content))
            assert content.headers["content-type"] == item["mime_type"]
            name = quote(item["filename"], safe="!#$&+^`|")
            assert content.headers["content-disposition"] == f"attachment; filename*=utf-8''{name}"
        if kind == "file":
            assert meta["message_ids"] == [message["id"]] and len(meta["claude_chat_ids"]) == 1
        mime = item.get("mime_type") or ""
        assert content.content.startswith(MAGIC.get(mime, b""))


def test_sizes_null_and_big(shared: Served) -> None:
    files = [item for kind, item, _ in _listed(shared.org) if kind == "file"]
    assert any(item["size_bytes"] is None for item in files)
    assert all(isinstance(item["md5"], str) for item in files)
    big = [a for a in shared.org.attachments if a.size > 2 << 20]
    assert big and all(a.kind == "file" and a.size >= BIG_TEXT_BYTES for a in big)
    body = shared.get(f"{PATHS['file']}/{big[0].id}/content").content
    assert len(body) == big[0].size
    planted = [p for p in shared.org.planted_attachments if p.attachment_id == big[0].id]
    assert sorted((p.start == 0, p.end == len(body.decode())) for p in planted) == [
        (False, True),
        (True, False),
    ]


def test_download_is_chunked_on_the_wire(shared: Served) -> None:
    big = next(a for a in shared.org.attachments if a.size > 2 << 20)
    head, body = raw_get(shared, f"{PATHS['file']}/{big.id}/content")
    assert b"transfer-encoding: chunked" in head.lower() and b"content-length" not in head.lower()
    chunks, rest = [], body
    for _ in range(1000):
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        chunks.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
        if size == 0:
            break
    assert len(chunks) > 2 and rest == b"" and b"".join(chunks) == big.content()


def _check(value_text: str, entity: str, valid: bool) -> None:
    if entity == "CREDIT_CARD":
        assert luhn_valid(value_text) is valid
    elif entity == "IBAN_CODE":
        assert iban_valid(value_text) is valid
    elif entity == "EMAIL_ADDRESS":
        assert re.fullmatch(r"[\w.]+@[\w.]+\.(com|org|net)", value_text)
    elif entity == "CUSTOMER_RECORDS":
        assert value_text.startswith("name,email,phone\n")


def test_planted_values_in_attachments_point_at_the_values(shared: Served) -> None:
    planted = shared.org.planted_attachments
    assert {p.attachment_kind for p in planted} == set(LISTS)
    listed = {(_ident(kind, item)): (kind, item, message) for kind, item, message in _listed(shared.org)}
    for value in planted:
        assert value.attachment_id is not None
        kind, item, message = listed[value.attachment_id]
        assert (value.attachment_kind, value.message_id) == (kind, message["id"])
        assert message[LISTS[kind]][value.block] == item, "block is the index in the message's list"
        content = shared.get(f"{PATHS[kind]}/{value.attachment_id}/content").content.decode()
        assert content == shared.org.text_of(value)
        piece = content[value.start : value.end]
        assert piece and piece.strip() == piece
        _check(piece, value.entity, value.valid)


def test_binary_attachments_carry_no_plants(shared: Served) -> None:
    binary = {a.id for a in shared.org.attachments if a.mime in ("application/pdf", "image/png")}
    assert binary and not binary & {p.attachment_id for p in shared.org.planted_attachments}


def test_contents_are_deterministic() -> None:
    first, second = generate_org(4, users=2, chats=15), generate_org(4, users=2, chats=15)
    pairs = zip(sorted(first.attachments, key=_key), sorted(second.attachments, key=_key), strict=True)
    assert all(a.md5 == b.md5 and a.content() == b.content() for a, b in pairs)
    assert first.planted_attachments == second.planted_attachments
    other = generate_org(5, users=2, chats=15)
    assert {a.md5 for a in first.attachments} != {a.md5 for a in other.attachments}


def _key(attachment: Attachment) -> str:
    return attachment.id


@pytest.mark.parametrize("kind", list(LISTS))
def test_unknown_ids_are_404(shared: Served, kind: str) -> None:
    for suffix in ("", "/content"):
        status, error, message = error_of(shared.get(f"{PATHS[kind]}/claude_file_01nothing{suffix}"))
        assert (status, error) == (404, "not_found_error")
        assert message == NOT_FOUND or kind == "artifact"


def test_an_id_of_another_kind_is_404(shared: Served) -> None:
    generated = next(a for a in shared.org.attachments if a.kind == "generated_file")
    assert shared.get(f"{PATHS['file']}/{generated.id}/content").status_code == 404
    assert shared.get(f"{PATHS['generated_file']}/{generated.id}/content").status_code == 200


@pytest.mark.parametrize("how", ["soft", "hard"])
def test_deleted_chats_take_their_attachments_with_them(served: Served, how: str) -> None:
    value = next(p for p in served.org.planted_attachments if p.attachment_kind == "file")
    item = served.org.attachment("file", value.attachment_id or "")
    assert item is not None and served.org.text_of(value)
    assert served.get(f"{PATHS['file']}/{item.id}/content").status_code == 200
    if how == "soft":
        served.org.soft_delete(item.chat_id)
        messages = served.get(messages_path(item.chat_id)).json()["chat_messages"]
        assert all(m["files"] is None for m in messages)
    else:
        served.org.hard_delete(item.chat_id)
    for suffix in ("", "/content"):
        assert error_of(served.get(f"{PATHS['file']}/{item.id}{suffix}")) == (
            404,
            "not_found_error",
            NOT_FOUND,
        )
    assert not [p for p in served.org.planted_attachments if p.chat_id == item.chat_id]
    assert served.org.attachment("file", item.id) is None
    with pytest.raises(KeyError):
        served.org.text_of(value)
    others = [a for a in served.org.attachments if a.chat_id != item.chat_id]
    assert others and served.get(f"{PATHS[others[0].kind]}/{others[0].id}").status_code == 200


def test_fail_attachments_with_times(served: Served) -> None:
    item = next(a for a in served.org.attachments if a.kind == "artifact")
    path = f"{PATHS['artifact']}/{item.id}"
    served.faults.fail_attachments[item.id] = Failure(503, times=2)
    assert [served.get(path + "/content").status_code, served.get(path).status_code] == [503, 503]
    assert served.get(path + "/content").status_code == 200
    served.faults.fail_attachments[item.id] = Failure(500, no_retry=True)
    response = served.get(path + "/content")
    assert response.status_code == 500 and response.headers["x-should-retry"] == "false"


def test_corrupt_md5_header(served: Served) -> None:
    item = next(a for a in served.org.attachments if a.kind == "file")
    path = f"{PATHS['file']}/{item.id}/content"
    good = served.get(path)
    served.faults.corrupt_md5.add(item.id)
    bad = served.get(path)
    assert bad.content == good.content == item.content()
    assert bad.headers["content-md5"] != good.headers["content-md5"]
    assert served.get(f"{PATHS['file']}/{item.id}").json()["md5"] == item.md5, "metadata stays right"


def test_cut_attachment_breaks_the_chunked_body(served: Served) -> None:
    item = next(a for a in served.org.attachments if a.kind == "generated_file")
    path = f"{PATHS['generated_file']}/{item.id}/content"
    served.faults.cut_attachments.add(item.id)
    with pytest.raises(httpx.RemoteProtocolError):
        served.get(path)
    served.faults.cut_attachments.clear()
    assert served.get(path).content == item.content()
    assert served.server.stats.injected == {"cut_attachments": 1}
