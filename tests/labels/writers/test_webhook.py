"""WebhookWriter against a local HTTP(S) stub: body, signature, Idempotency-Key, batching, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels import FeedWriteError
from labels.errors import FeedConfigError
from labels.writers.base import FeedWriter
from labels.writers.http import WebhookWriter, idempotency_key
from tests.labels.conftest import CANARY
from tests.labels.httpstub import HttpStub, Reply, Request
from tests.labels.rsyslog import make_self_signed_cert
from tests.labels.writers.helpers import finding_render, json_render, records, text_render

KEY = b"webhook-signing-key-0123456789"
AUTH = "Bearer hook-secret-abcdef"


@pytest.fixture
def stub() -> Iterator[HttpStub]:
    with HttpStub(default=Reply(204, b"")) as server:
        yield server


def hook(url: str, **options: Any) -> WebhookWriter:
    options.setdefault("render", json_render)
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", 2.0)
    return WebhookWriter("hook", url + "/ingest?tenant=t1", **options)


def body(request: Request) -> dict:
    return json.loads(request.body)


def verify_signature(request: Request, key: bytes) -> bool:
    """What a receiver does: recompute the HMAC of ``<timestamp>.<body>``, compare in constant time."""
    stamp = request.headers["x-chatsift-timestamp"]
    expected = hmac.new(key, stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["x-chatsift-signature"], f"sha256={expected}")


def test_body_headers_and_signature(stub: HttpStub) -> None:
    sent = records(4)
    writer = hook(stub.url, signing_key=KEY, headers={"Authorization": AUTH})
    assert isinstance(writer, FeedWriter)
    writer.write(sent)
    writer.close()

    (request,) = stub.requests
    assert request.method == "POST" and request.path == "/ingest?tenant=t1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == AUTH
    data = body(request)
    assert data["ids"] == [r.record_id for r in sent]
    assert data["events"] == [r.model_dump(mode="json", by_alias=True) for r in sent]
    assert request.headers["idempotency-key"] == idempotency_key(r.record_id for r in sent)
    assert verify_signature(request, KEY)
    assert not verify_signature(request, b"another key")


def test_a_tampered_body_fails_verification(stub: HttpStub) -> None:
    hook(stub.url, signing_key=KEY).write(records(1))
    (request,) = stub.requests
    tampered = Request(
        request.method, request.path, request.headers, request.body.replace(b"secrets", b"nothing")
    )
    assert tampered.body != request.body and not verify_signature(tampered, KEY)


def test_unsigned_without_a_key(stub: HttpStub) -> None:
    hook(stub.url).write(records(1))
    (request,) = stub.requests
    assert "x-chatsift-signature" not in request.headers and "x-chatsift-timestamp" not in request.headers


def test_text_events_are_strings(stub: HttpStub) -> None:
    hook(stub.url, render=text_render).write(records(2))
    assert all(e.startswith("<108>1 ") for e in body(stub.requests[0])["events"])


def test_batches_by_count_and_bytes_each_with_its_own_key(stub: HttpStub) -> None:
    sent = records(30)
    hook(stub.url, batch_max_events=8, batch_max_bytes=7_000, render=finding_render).write(sent)
    expected = [f"{r.record_id}:{f.finding_id}" for r in sent for f in r.findings]
    batches = [body(r)["ids"] for r in stub.requests]
    assert [i for batch in batches for i in batch] == expected
    assert all(len(b) <= 8 for b in batches) and all(len(r.body) <= 7_000 for r in stub.requests)
    assert len(stub.requests) > len(expected) // 8  # the byte limit split some batches further
    keys = [r.headers["idempotency-key"] for r in stub.requests]
    assert keys == [idempotency_key(batch) for batch in batches] and len(set(keys)) == len(keys)


def test_a_batch_exactly_at_the_byte_limit_is_one_request(stub: HttpStub) -> None:
    sent = records(3)
    hook(stub.url).write(sent)
    size = len(stub.requests[0].body)
    hook(stub.url, batch_max_bytes=size).write(sent)
    hook(stub.url, batch_max_bytes=size - 1).write(sent)
    assert [len(body(r)["ids"]) for r in stub.requests] == [3, 3, 2, 1]


def test_retried_batch_keeps_its_idempotency_key_and_verifies(stub: HttpStub) -> None:
    stub.script(Reply(503, b"busy"), Reply(429, b"", {"Retry-After": "0"}))
    writer = hook(stub.url, signing_key=KEY)
    writer.write(records(3))
    assert len(stub.requests) == 3 and writer.poster.retried == 2
    assert len({r.headers["idempotency-key"] for r in stub.requests}) == 1
    assert len({r.body for r in stub.requests}) == 1
    assert all(verify_signature(r, KEY) for r in stub.requests)
    hook(stub.url, signing_key=KEY).write(records(3))  # a later run sending the batch again
    assert stub.requests[-1].headers["idempotency-key"] == stub.requests[0].headers["idempotency-key"]


def test_a_slow_answer_beyond_the_timeout_is_retried(stub: HttpStub) -> None:
    stub.script(Reply(200, b"", delay=1.5))
    writer = hook(stub.url, timeout=0.3)
    writer.write(records(1))
    assert len(stub.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_refusals_are_config_errors_without_retry(stub: HttpStub, status: int) -> None:
    stub.script(Reply(status, CANARY.encode()))
    writer = hook(stub.url, signing_key=KEY, headers={"Authorization": AUTH}, retries=5)
    with pytest.raises(FeedConfigError) as info:
        writer.write(records(2, evidence=CANARY))
    assert len(stub.requests) == 1
    text = str(info.value)
    assert f"HTTP {status}" in text and "tenant" not in text  # the query string is left out
    for secret in (CANARY, AUTH, KEY.decode()):
        assert secret not in text and secret not in repr(info.value) and secret not in repr(writer)


def test_retries_exhausted_is_retriable(stub: HttpStub) -> None:
    stub.default = Reply(502, b"")
    with pytest.raises(FeedWriteError) as info:
        hook(stub.url, retries=3).write(records(1, evidence=CANARY))
    assert len(stub.requests) == 4 and info.value.retriable is True
    assert CANARY not in str(info.value)


def test_https_with_a_self_signed_cert_via_ca_file(tmp_path: Path) -> None:
    cert, key = make_self_signed_cert(tmp_path / "tls")
    with HttpStub(tls=(cert, key)) as server:
        hook(server.url, ca_file=str(cert), signing_key=KEY).write(records(2))
        assert server.url.startswith("https://") and len(server.requests) == 1
        assert verify_signature(server.requests[0], KEY)


def test_https_with_an_untrusted_cert_is_a_config_error(tmp_path: Path) -> None:
    cert, key = make_self_signed_cert(tmp_path / "tls")
    other, _ = make_self_signed_cert(tmp_path / "other", "other")
    with HttpStub(tls=(cert, key)) as server:
        writer = hook(server.url, ca_file=str(other), retries=3)
        with pytest.raises(FeedConfigError) as info:
            writer.write(records(1))
        assert info.value.code == "tls_verify_failed" and writer.poster.attempts == 1
        assert server.requests == []
