"""End to end: a scan feeds Splunk HEC and a signed webhook (local HTTP stubs) beside the JSONL file.

The scan is the real CLI in a subprocess against the simulator, with three feeds configured through
``CHATSIFT_FEEDS``. What the stubs received is parsed back and compared with the store's outbox:
every record and rollup id arrives exactly once when nothing fails; after 503s, at least once, a
repeat always byte-identical. A HEC that refuses the token (403) leaves that feed behind (exit 6)
while the others catch up, and the token appears in no output; with the token fixed,
``chatsift feed deliver`` sends the backlog.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels import FeedOutbox, LabelRecord
from labels.writers.http import idempotency_key, sign
from tests.chatsift.conftest import Sim, cli_env, run_cli
from tests.labels.conftest import CANARY
from tests.labels.httpstub import HttpStub, Reply, Request

TOKEN = CANARY + "-hec-token"
FIXED_TOKEN = "0f6c3a52-hec-token-fixed"
HEADER = CANARY + "-webhook-header"
KEY = CANARY + "-signing-key"
BUSY = Reply(503, b'{"text":"Server is busy","code":9}')
FORBIDDEN = Reply(403, b'{"text":"Invalid token","code":4}')


@pytest.fixture
def hec() -> Iterator[HttpStub]:
    with HttpStub() as stub:
        yield stub


@pytest.fixture
def hook() -> Iterator[HttpStub]:
    with HttpStub() as stub:
        yield stub


def http_env(
    data: Path, sim: Sim, hec_url: str, hook_url: str, token: str = TOKEN, **extra: str
) -> dict[str, str]:
    feeds: list[dict[str, Any]] = [
        {"type": "jsonl"},
        {"type": "hec", "name": "splunk", "url": hec_url, "token": token, "timeout_s": 5, "retries": 1},
        {
            "type": "webhook",
            "name": "hook",
            "url": hook_url + "/chatsift",
            "headers": {"Authorization": "Bearer " + HEADER},
            "signing_key": KEY,
            "timeout_s": 5,
            "retries": 1,
        },
    ]
    return cli_env(data, sim, CHATSIFT_FEEDS=json.dumps(feeds), CHATSIFT_PAGE_SIZE="5", **extra)


def outbox_ids(data: Path) -> list[str]:
    """Every outbox item id (records and rollups), in outbox order."""
    with FeedOutbox(data / "chatsift.db") as outbox:
        items = [item for _, item in outbox.iter_outbox("nobody", 10**6)]
    return [item.record_id if isinstance(item, LabelRecord) else item.rollup_id for item in items]


def hec_envelopes(requests: list[Request], token: str) -> dict[str, list[bytes]]:
    """event id -> every envelope that carried it; checks each request's path and headers."""
    out: dict[str, list[bytes]] = defaultdict(list)
    for request in requests:
        assert (request.method, request.path) == ("POST", "/services/collector/event")
        assert request.headers["authorization"] == f"Splunk {token}"
        assert request.headers["x-splunk-request-channel"]
        for line in request.body.split(b"\n"):
            envelope = json.loads(line)
            assert envelope["event"]["metadata"]["uid"] == envelope["fields"]["event_id"]  # OCSF
            out[envelope["fields"]["event_id"]].append(line)
    return out


def hook_events(requests: list[Request]) -> dict[str, list[bytes]]:
    """event id -> every event body that carried it; checks signature, idempotency key, headers."""
    out: dict[str, list[bytes]] = defaultdict(list)
    for request in requests:
        assert (request.method, request.path) == ("POST", "/chatsift")
        assert request.headers["authorization"] == "Bearer " + HEADER
        stamp = request.headers["x-chatsift-timestamp"]
        assert request.headers["x-chatsift-signature"] == "sha256=" + sign(KEY.encode(), stamp, request.body)
        body = json.loads(request.body)
        assert request.headers["idempotency-key"] == idempotency_key(body["ids"])
        assert [
            event["record_id"] if "record_id" in event else event["rollup_id"] for event in body["events"]
        ] == (body["ids"])
        for event_id, event in zip(body["ids"], body["events"], strict=True):
            out[event_id].append(json.dumps(event, sort_keys=True).encode())
    return out


def assert_all_once(got: dict[str, list[bytes]], ids: list[str]) -> None:
    assert sorted(got) == sorted(ids)
    assert {event_id: len(copies) for event_id, copies in got.items()} == dict.fromkeys(ids, 1)


def assert_repeats_identical(got: dict[str, list[bytes]]) -> None:
    for event_id, copies in got.items():
        assert len(set(copies)) == 1, event_id


def assert_secrets_absent(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text


def test_a_scan_feeds_hec_and_the_webhook_exactly_once(
    tmp_path: Path, sim: Sim, hec: HttpStub, hook: HttpStub
) -> None:
    data = tmp_path / "data"
    done = run_cli(["scan", "--json"], http_env(data, sim, hec.url, hook.url))
    assert done.code == 0, done.stderr
    assert_secrets_absent(done.stdout, done.stderr)
    report = json.loads(done.stdout)
    assert report["complete"] and report["rollups_changed"] >= 4
    ids = outbox_ids(data)
    assert len(ids) == len(set(ids)) and len(ids) > 24  # 24 chats' records, and rollups
    assert {
        f["name"]: (f["delivered"], f["pending"], f["failures"]) for f in report["feed"]
    } == dict.fromkeys(["jsonl", "splunk", "hook"], (len(ids), 0, 0))
    assert_all_once(hec_envelopes(hec.requests, TOKEN), ids)
    assert_all_once(hook_events(hook.requests), ids)
    # The webhook sends the records themselves: the same lines the JSONL feed holds.
    jsonl = (data / "feed" / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line).get("record_id") or json.loads(line)["rollup_id"] for line in jsonl] == ids


def test_a_busy_hec_is_retried_and_the_scan_completes(
    tmp_path: Path, sim: Sim, hec: HttpStub, hook: HttpStub
) -> None:
    hec.script(BUSY, BUSY, BUSY)  # retries=1: one delivery attempt fails whole, the next succeeds
    hook.script(BUSY)
    data = tmp_path / "data"
    done = run_cli(["scan", "--json"], http_env(data, sim, hec.url, hook.url, CHATSIFT_FEED_WAIT_S="60"))
    assert done.code == 0, done.stderr
    assert_secrets_absent(done.stdout, done.stderr)
    report = json.loads(done.stdout)
    assert report["complete"] and all(f["pending"] == 0 for f in report["feed"])
    failures = {f["name"]: f["failures"] for f in report["feed"]}
    assert failures["splunk"] >= 1 and failures["jsonl"] == 0  # it did fail, then recovered
    ids = outbox_ids(data)
    # Every request is recorded, the refused ones too: ids repeat only with identical envelopes.
    hec_all = hec_envelopes(hec.requests, TOKEN)
    assert sorted(hec_all) == sorted(ids)
    assert_repeats_identical(hec_all)
    # The requests answered 200 (all after the three 503s) carry every id.
    assert sorted(hec_envelopes(hec.requests[3:], TOKEN)) == sorted(ids)
    hook_all = hook_events(hook.requests)
    assert sorted(hook_all) == sorted(ids)
    assert_repeats_identical(hook_all)
    # The webhook's retried POST is the same batch: same body, same idempotency key.
    first, retried = hook.requests[0], hook.requests[1]
    assert retried.body == first.body
    assert retried.headers["idempotency-key"] == first.headers["idempotency-key"]


def test_a_refused_token_leaves_only_that_feed_behind_until_fixed(
    tmp_path: Path, sim: Sim, hook: HttpStub
) -> None:
    data = tmp_path / "data"
    with HttpStub(default=FORBIDDEN) as refusing:
        env = http_env(data, sim, refusing.url, hook.url, CHATSIFT_FEED_WAIT_S="5")
        done = run_cli(["scan", "--json"], env)
        refused_posts = len(refusing.requests)
    assert done.code == 6, done.stderr
    assert_secrets_absent(done.stdout, done.stderr)
    assert refused_posts >= 1
    report = json.loads(done.stdout)
    assert not report["complete"] and report["chats_failed"] == 0
    feeds = {f["name"]: f for f in report["feed"]}
    ids = outbox_ids(data)
    assert feeds["splunk"]["refused"] and feeds["splunk"]["pending"] == len(ids)
    assert (
        feeds["splunk"]["error"].startswith("http_403")
        and "/services/collector/event" in feeds["splunk"]["error"]
    )
    assert (feeds["jsonl"]["pending"], feeds["hook"]["pending"]) == (0, 0)
    assert_all_once(hook_events(hook.requests), ids)
    # Neither the store nor any file of the data directory holds the token.
    for path in data.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path.name
    status = run_cli(["feed", "status", "--json"], env)
    assert status.code == 0, status.stderr
    assert_secrets_absent(status.stdout, status.stderr)
    rows = {row["writer"]: row for row in json.loads(status.stdout)["feeds"]}
    assert rows["splunk"]["pending"] == len(ids) and rows["hook"]["pending"] == 0
    # The token is fixed and the HEC accepts it: `feed deliver` sends the backlog, once.
    with HttpStub() as fixed:
        env = http_env(data, sim, fixed.url, hook.url, token=FIXED_TOKEN)
        deliver = run_cli(["feed", "deliver"], env)
        assert deliver.code == 0, deliver.stderr
        assert_secrets_absent(deliver.stdout, deliver.stderr)
        assert f"feed splunk: {len(ids)} delivered, 0 pending" in deliver.stdout
        assert_all_once(hec_envelopes(fixed.requests, FIXED_TOKEN), ids)
    assert len(hook.requests) == len({r.headers["idempotency-key"] for r in hook.requests})  # no resend
    assert Counter(
        row["pending"] for row in json.loads(run_cli(["feed", "status", "--json"], env).stdout)["feeds"]
    ) == (Counter({0: 3}))
