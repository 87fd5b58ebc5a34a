"""HecWriter against a local HTTP stub: headers, stacked envelopes, batching, retries, refusals.

Backoffs are tiny so the file runs in seconds; timeouts are checked by outcome (retried or not),
never by measuring time.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from labels import FeedWriteError
from labels.errors import FeedConfigError
from labels.writers.base import FeedWriter
from labels.writers.http import HecWriter
from tests.labels.conftest import CANARY
from tests.labels.httpstub import HttpStub, Reply, Request
from tests.labels.writers.helpers import finding_render, json_render, records, text_render

TOKEN = "11111111-2222-3333-4444-555555555555"
BUSY = Reply(503, b'{"text":"Server is busy","code":9}')


@pytest.fixture
def stub() -> Iterator[HttpStub]:
    with HttpStub() as server:
        yield server


def hec(stub: HttpStub, **options: Any) -> HecWriter:
    options.setdefault("render", json_render)
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", 2.0)
    return HecWriter("splunk", stub.url, TOKEN, host="labeler01", **options)


def envelopes(request: Request) -> list[dict]:
    """The stacked JSON objects of one HEC body (not a JSON array)."""
    text = request.body.decode("utf-8")
    assert not text.lstrip().startswith("["), "HEC bodies are stacked objects, not an array"
    decoder = json.JSONDecoder()
    found, at = [], 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at < len(text):
            value, at = decoder.raw_decode(text, at)
            found.append(value)
    return found


def test_headers_path_and_stacked_envelopes(stub: HttpStub) -> None:
    sent = records(5)
    writer = hec(stub, index="dlp")
    assert isinstance(writer, FeedWriter)
    writer.write(sent)
    writer.write(sent[:1])
    writer.close()

    first, second = stub.requests
    assert first.method == "POST" and first.path == "/services/collector/event"
    assert first.headers["authorization"] == f"Splunk {TOKEN}"
    assert first.headers["content-type"] == "application/json"
    channel = first.headers["x-splunk-request-channel"]
    assert uuid.UUID(channel) and second.headers["x-splunk-request-channel"] == channel  # stable
    got = envelopes(first)
    assert len(got) == 5
    for envelope, rec in zip(got, sent, strict=True):
        assert envelope["host"] == "labeler01"
        assert (envelope["source"], envelope["sourcetype"], envelope["index"]) == (
            "chatsift",
            "chatsift:label",
            "dlp",
        )
        assert envelope["time"] == 1772370000.0  # the record's scanned_at, epoch seconds
        assert envelope["event"] == rec.model_dump(mode="json", by_alias=True)
        assert envelope["fields"] == {"event_id": rec.record_id}


def test_text_events_are_sent_as_strings_and_index_is_omitted_unless_set(stub: HttpStub) -> None:
    hec(stub, render=text_render).write(records(2))
    (request,) = stub.requests
    for envelope in envelopes(request):
        assert isinstance(envelope["event"], str) and envelope["event"].startswith("<108>1 ")
        assert "index" not in envelope


def test_batches_split_by_event_count(stub: HttpStub) -> None:
    sent = records(23)
    hec(stub, batch_max_events=10).write(sent)
    sizes = [len(envelopes(r)) for r in stub.requests]
    assert sizes == [10, 10, 3]
    ids = [e["fields"]["event_id"] for r in stub.requests for e in envelopes(r)]
    assert ids == [r.record_id for r in sent]  # in order, each once


def test_batches_split_by_bytes_and_never_exceed_the_limit(stub: HttpStub) -> None:
    sent = records(40)
    limit = 6_000
    hec(stub, batch_max_bytes=limit).write(sent)
    assert len(stub.requests) > 1
    assert all(len(r.body) <= limit for r in stub.requests)
    ids = [e["fields"]["event_id"] for r in stub.requests for e in envelopes(r)]
    assert ids == [r.record_id for r in sent]


def test_several_events_per_item(stub: HttpStub) -> None:
    sent = records(4)  # 1 or 2 findings each
    hec(stub, render=finding_render).write(sent)
    ids = [e["fields"]["event_id"] for e in envelopes(stub.requests[0])]
    assert ids == [f"{r.record_id}:{f.finding_id}" for r in sent for f in r.findings]


def test_an_event_larger_than_a_batch_is_refused_before_sending(stub: HttpStub) -> None:
    sent = records(3, evidence=CANARY + "z" * 3000)
    with pytest.raises(FeedConfigError) as info:
        hec(stub, batch_max_bytes=2000).write(sent)
    assert sent[0].record_id in str(info.value) and CANARY not in str(info.value)
    assert stub.requests == []


def test_busy_twice_then_accepted_is_delivered_once(stub: HttpStub) -> None:
    stub.script(BUSY, BUSY)
    writer = hec(stub, batch_max_events=5)
    sent = records(10)
    writer.write(sent)
    assert len(stub.requests) == 4  # batch 1: 503, 503, 200; batch 2: 200
    assert writer.poster.attempts == 4 and writer.poster.retried == 2
    first, retry1, retry2, second = (envelopes(r) for r in stub.requests)
    assert first == retry1 == retry2  # the same batch, byte for byte the same events
    accepted = [e["fields"]["event_id"] for e in retry2 + second]
    assert accepted == [r.record_id for r in sent]


def test_429_retry_after_is_honoured_and_capped(stub: HttpStub) -> None:
    stub.script(Reply(429, b"{}", {"Retry-After": "3600"}))
    writer = hec(stub, max_retry_after=0.05)
    writer.write(records(2))
    assert len(stub.requests) == 2 and writer.poster.retried == 1


def test_other_5xx_is_retried(stub: HttpStub) -> None:
    stub.script(Reply(500, b'{"text":"Internal server error","code":8}'), Reply(502, b"bad gateway"))
    hec(stub).write(records(1))
    assert len(stub.requests) == 3


def test_a_slow_answer_beyond_the_timeout_is_retried(stub: HttpStub) -> None:
    stub.script(Reply(delay=1.5))
    writer = hec(stub, timeout=0.3)
    writer.write(records(2))
    assert len(stub.requests) == 2 and writer.poster.retried == 1


def test_a_slow_answer_within_the_timeout_is_fine(stub: HttpStub) -> None:
    stub.script(Reply(delay=0.3))
    writer = hec(stub, timeout=5.0)
    writer.write(records(2))
    assert len(stub.requests) == 1 and writer.poster.retried == 0


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, 3), (403, 4), (403, 1), (400, 6), (400, 7), (400, 10), (400, 13), (404, None)],
)
def test_refusals_are_config_errors_without_retry(stub: HttpStub, status: int, code: int | None) -> None:
    body = json.dumps({"text": f"refused {CANARY}", "code": code}).encode() if code is not None else b"no"
    stub.script(Reply(status, body))
    sent = records(3, evidence=CANARY)
    with pytest.raises(FeedConfigError) as info:
        hec(stub, retries=5).write(sent)
    assert len(stub.requests) == 1  # no hot loop
    text = str(info.value)
    assert info.value.retriable is False and info.value.code == f"http_{status}"
    assert f"HTTP {status}" in text
    if code is not None:
        assert f"(code {code})" in text
    for secret in (TOKEN, CANARY):
        assert secret not in text and secret not in repr(info.value)


def test_retries_exhausted_is_a_retriable_error_without_secrets(
    stub: HttpStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.default = BUSY
    writer = hec(stub, retries=2)
    with pytest.raises(FeedWriteError) as info:
        writer.write(records(3, evidence=CANARY))
    assert len(stub.requests) == 3
    assert info.value.retriable is True and info.value.code == "http_503"
    text = str(info.value)
    assert "3 attempts" in text and "127.0.0.1" in text and "HTTP 503 (code 9)" in text
    for secret in (TOKEN, CANARY):
        assert secret not in text and secret not in repr(info.value) and secret not in repr(writer)
        assert secret not in caplog.text
    assert "retrying" in caplog.text  # the retries were logged, by status only


def test_connection_refused_is_retried_then_retriable(stub: HttpStub) -> None:
    url = stub.url
    stub.close()
    writer = HecWriter("splunk", url, TOKEN, render=json_render, retries=1, backoff=0.01)
    with pytest.raises(FeedWriteError) as info:
        writer.write(records(1))
    assert info.value.retriable is True and info.value.code == "ConnectError"
    assert writer.poster.attempts == 2 and TOKEN not in str(info.value)


def test_repr_hides_the_token(stub: HttpStub) -> None:
    writer = hec(stub)
    assert TOKEN not in repr(writer) and "token='***'" in repr(writer)
