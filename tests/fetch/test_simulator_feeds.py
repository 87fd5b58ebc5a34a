"""Downloads and the activity feed against the real simulator on loopback."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from fetch import ComplianceClient, attachment_refs, download_attachment, fetch_chat, iter_activity_pages
from fetch.attachments import AttachmentRef
from fetch.errors import (
    AttachmentCorruptError,
    AttachmentGoneError,
    AttachmentTooLargeError,
    TransportFailure,
)
from tests.fetch.conftest import Sleeps

simulator = pytest.importorskip("fetch.simulator")

KEY = "sk-ant-api01-feeds-tests"
CAP = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def org() -> Any:
    """A seeded org with attachments of every kind and a feed (read-only in the module's tests)."""
    return simulator.generate_org(23, users=4, chats=30)


@pytest.fixture
def served(org: Any) -> Iterator[tuple[Any, ComplianceClient]]:
    """The org on loopback (no rate limit, faults cleared afterwards) and a fast-retrying client."""
    server = simulator.SimulatorServer(org, api_key=KEY, rate_limit_per_minute=None).start()
    client = ComplianceClient(
        server.url, KEY, timeout=10, connect_timeout=5, max_retries=2, sleep=Sleeps(), rng=random.Random(1)
    )
    try:
        yield server, client
    finally:
        client.close()
        server.faults.clear()
        server.stop()


def _refs(org: Any, client: ComplianceClient) -> list[AttachmentRef]:
    refs: list[AttachmentRef] = []
    for summary in org.chats:
        if summary.deleted_at is None:
            for message in fetch_chat(client, summary.id).chat_messages:
                refs.extend(attachment_refs(message))
    return refs


def test_every_attachment_downloads_intact(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    refs = _refs(server.org, client)
    assert {r.kind for r in refs} == {"file", "generated_file", "artifact"}, "the seed must cover every kind"
    for ref in refs:
        download = download_attachment(client, ref.kind, ref.id, max_bytes=CAP)  # MD5 checked inside
        assert download.content == server.org.attachment(ref.kind, ref.id).content()
    assert client.stats.retries == 0


def test_simulated_faults_map_to_attachment_errors(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    ref = next(r for r in _refs(server.org, client) if r.kind == "file")
    size = len(server.org.attachment(ref.kind, ref.id).content())
    with pytest.raises(AttachmentTooLargeError):
        download_attachment(client, ref.kind, ref.id, max_bytes=size - 1)
    server.faults.corrupt_md5.add(ref.id)
    with pytest.raises(AttachmentCorruptError) as corrupt:
        download_attachment(client, ref.kind, ref.id, max_bytes=CAP)
    assert corrupt.value.code == "content_md5_mismatch"
    server.faults.clear()
    server.faults.cut_attachments.add(ref.id)
    with pytest.raises(TransportFailure):  # a body that stops half way is retried, then reported
        download_attachment(client, ref.kind, ref.id, max_bytes=CAP)
    assert client.stats.retries == 2


def test_attachments_of_a_deleted_chat_are_gone() -> None:
    own = simulator.generate_org(29, users=2, chats=12)  # this test deletes: its own org
    server = simulator.SimulatorServer(own, api_key=KEY, rate_limit_per_minute=None).start()
    with server, ComplianceClient(server.url, KEY, timeout=10, connect_timeout=5) as client:
        ref = _refs(own, client)[0]
        own.hard_delete(own.attachment(ref.kind, ref.id).chat_id)
        with pytest.raises(AttachmentGoneError):
            download_attachment(client, ref.kind, ref.id, max_bytes=CAP)


def test_the_activity_feed_walks_oldest_first(served: tuple[Any, ComplianceClient]) -> None:
    server, client = served
    _, expected = server.org.activities.snapshot()
    assert len(expected) > 10
    pages = list(iter_activity_pages(client, page_size=7, max_pages=500))
    assert [a.id for p in pages for a in p.data] == [a.id for a in expected]
    assert pages[-1].last_id == expected[-1].id
    kind = expected[0].type
    only = [a for p in iter_activity_pages(client, types=[kind]) for a in p.data]
    assert only and {a.type for a in only} == {kind}
    assert [a.id for a in only] == [a.id for a in expected if a.type == kind]
    newest_first = [a.id for p in iter_activity_pages(client, order="desc", page_size=5000) for a in p.data]
    assert newest_first == [a.id for a in reversed(expected)]
