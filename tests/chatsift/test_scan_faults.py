"""The nightly scan in-process against the loopback simulator: incremental semantics and every fault.

Each fault test runs a scan with the fault on, checks the report names what failed and why, then
turns the fault off and reruns: the store must end exactly as a clean run over the same
organisation leaves it (every chat's latest labels, findings and deletion state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chatsift.pipeline import scan, scan_user
from chatsift.report import RunReport
from chatsift.runtime import build_app_classifier, open_runtime
from chatsift.settings import BACKFILL_CURSOR, NIGHTLY_CURSOR, Settings, load_settings
from classifier import Classifier
from fetch.errors import FetchError
from fetch.simulator import Failure, Faults, SimOrg, SimulatorServer, generate_org
from labels import PURGED_EVIDENCE, LabelRecord, LabelStore, parse_rfc3339
from tests.chatsift.conftest import SIM_KEY

MESSAGES = "/v1/compliance/apps/chats/{id}/messages"
LIST = "/v1/compliance/apps/chats"


@dataclass
class World:
    org: SimOrg
    server: SimulatorServer
    faults: Faults
    tmp: Path

    def settings(self, name: str = "d", **extra: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": self.tmp / name,
            "hmac_key_file": self.tmp / "hmac.key",
            "api_url": self.server.url,
            "api_key": SIM_KEY,
            "ner": "off",
            "max_retries": 2,
            "page_size": 6,
            "fetch_concurrency": 4,
            "rate_limit_per_minute": 0,
            "timeout_s": 2.0,
        }
        values.update(extra)
        return load_settings(None, **values)

    def requests(self, path: str) -> int:
        return self.server.stats.by_path.get(path, 0)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    tmp = tmp_path_factory.mktemp("key")
    return build_app_classifier(load_settings(None, ner="off", hmac_key_file=tmp / "hmac.key"))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    org = generate_org(5, users=3, chats=18)
    faults = Faults()
    server = SimulatorServer(org, port=0, api_key=SIM_KEY, rate_limit_per_minute=None, faults=faults)
    server.start()
    try:
        yield World(org, server, faults, tmp_path)
    finally:
        server.stop()


def run(
    world: World, classifier: Classifier, name: str = "d", *, since: Any = None, **extra: Any
) -> RunReport:
    with open_runtime(world.settings(name, **extra), classifier=classifier) as rt:
        return scan(rt, since=since)


def run_expecting(world: World, classifier: Classifier, error: type[BaseException], **extra: Any) -> None:
    with open_runtime(world.settings(**extra), classifier=classifier) as rt, pytest.raises(error):
        scan(rt)


def store_view(world: World, name: str = "d") -> dict[str, Any]:
    """Each chat's latest labels, findings (ids, offsets, evidence) and deletion state."""
    with LabelStore(world.tmp / name / "chatsift.db") as store:
        chats = {c.id for c in world.org.chats} | {
            r.chat_id for r in (store.get_record(x) for x in _record_ids(store)) if r is not None
        }
        out = {}
        for chat_id in sorted(chats):
            rec = store.latest_for_chat(chat_id)
            if rec is None:
                continue
            out[chat_id] = (
                rec.chat_updated_at,
                rec.status,
                rec.deleted,
                tuple(rec.labels),
                rec.messages_scanned,
                tuple((f.finding_id, f.entity, f.start, f.end, f.evidence) for f in rec.findings),
            )
        return out


def _record_ids(store: LabelStore) -> list[str]:
    return [r.record_id for _, r in store.iter_outbox("nobody", 100_000) if isinstance(r, LabelRecord)]


# -- incremental semantics -----------------------------------------------------------------------


def test_two_new_messages_cost_one_request_and_two_classifications(
    world: World, classifier: Classifier
) -> None:
    first = run(world, classifier)
    assert first.complete and first.chats_incremental == 0
    live = [c for c in world.org.chats if c.deleted_at is None]
    target = max(live, key=lambda c: len(world.org.chat(c.id).chat_messages))
    world.org.append_message(target.id, "user", "also my card 4111 1111 1111 1111 please")
    world.org.append_message(target.id, "assistant", "Never share cards; mail billing@example.com instead.")
    before = world.requests(MESSAGES)
    again = run(world, classifier)
    assert world.requests(MESSAGES) - before == 1
    assert again.chats_incremental == 1 and again.messages_classified == 2
    assert again.records_written == 1
    # The extended record is the record a full read of the chat gives.
    run(world, classifier, "fresh")
    assert store_view(world)[target.id] == store_view(world, "fresh")[target.id]
    assert "payment" in store_view(world)[target.id][3]


def test_soft_delete_records_the_deletion_and_purges_evidence(world: World, classifier: Classifier) -> None:
    run(world, classifier)
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        victim = next(
            c.id for c in world.org.chats if (r := store.latest_for_chat(c.id)) is not None and r.findings
        )
    world.org.soft_delete(victim)
    report = run(world, classifier)
    assert report.complete and report.evidence_purged >= 1
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        latest = store.latest_for_chat(victim)
        assert latest is not None and latest.deleted and latest.findings == []
        assert store.chat_state(victim) is None
        evidence = [f.evidence for f in store.findings_for_chat(victim)]
        older = [store.get_record(rid) for rid in _record_ids(store)]
        old_findings = [f for r in older if r and r.chat_id == victim for f in r.findings]
    assert evidence == [] and old_findings and all(f.evidence == PURGED_EVIDENCE for f in old_findings)


def test_keep_policy_leaves_evidence(world: World, classifier: Classifier) -> None:
    run(world, classifier, deleted_chats="keep")
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        victim = next(c.id for c in world.org.chats if (r := store.latest_for_chat(c.id)) and r.findings)
    world.org.soft_delete(victim)
    assert run(world, classifier, deleted_chats="keep").evidence_purged == 0


def test_hard_deleted_between_list_and_read_is_recorded_not_fatal(
    world: World, classifier: Classifier
) -> None:
    gone = next(c.id for c in world.org.chats if c.deleted_at is None)
    world.faults.gone_messages.add(gone)
    report = run(world, classifier)
    assert report.complete and report.chats_gone == 1
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        rec = store.latest_for_chat(gone)
        assert rec is not None and rec.deleted and rec.status == "error"
        assert [e.code for e in rec.errors] == ["not_found"]
        assert store.pending_retries() == []


def test_first_run_walks_windows_then_keeps_a_plain_cursor(world: World, classifier: Classifier) -> None:
    report = run(world, classifier, window_days=7)
    assert report.windows >= 5 and report.complete
    assert {c for c in store_view(world)} == {c.id for c in world.org.chats}
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        cursor = store.get_cursor(NIGHTLY_CURSOR)
    assert cursor is not None and not cursor.startswith("{")
    before = world.requests(LIST)
    assert run(world, classifier).records_written == 0
    assert world.requests(LIST) - before == 1


def test_backfill_and_user_scans_never_move_the_nightly_cursor(world: World, classifier: Classifier) -> None:
    run(world, classifier)
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        nightly = store.get_cursor(NIGHTLY_CURSOR)
    latest = max(c.updated_at for c in world.org.chats)
    target = next(c for c in world.org.chats if c.deleted_at is None)
    world.org.append_message(target.id, "user", "one more thing")
    backfill = run(world, classifier, since=latest - timedelta(days=20), window_days=3)
    assert backfill.windows >= 6 and backfill.records_written == 1
    with open_runtime(world.settings(), classifier=classifier) as rt:
        scan_user(rt, target.user.id if target.user else "")
        assert rt.store.get_cursor(NIGHTLY_CURSOR) == nightly
        assert rt.store.get_cursor(BACKFILL_CURSOR) is None  # finished backfills leave nothing behind


def test_a_killed_backfill_resumes_where_it_stopped(world: World, classifier: Classifier) -> None:
    since = min(c.updated_at for c in world.org.chats)
    world.faults.fail_list_after_pages = 2
    world.faults.fail_list_status = Failure(500, no_retry=True)
    with open_runtime(world.settings(window_days=15), classifier=classifier) as rt:
        with pytest.raises(FetchError):
            scan(rt, since=since)
        assert rt.store.get_cursor(BACKFILL_CURSOR) is not None
    world.faults.clear()
    before = world.requests(LIST)
    resumed = run(world, classifier, since=since, window_days=15)
    assert resumed.complete and world.requests(LIST) - before >= 1
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean")


# -- faults: each run reports what failed, and a rerun completes the store -------------------------

Arrange = Callable[[World], None]


def _first_live(world: World, n: int = 0) -> str:
    return [c.id for c in world.org.chats if c.deleted_at is None][n]


FAULTS: list[tuple[str, Arrange, str | None]] = [
    # (name, arrange the fault, failure code the first run must report, or None if it recovers)
    ("429 storm", lambda w: w.faults.storm_429(2), None),
    ("500 502 transient", lambda w: w.faults.fail_next.extend([500, 502]), None),
    ("503 529 transient", lambda w: w.faults.fail_next.extend([503, 529]), None),
    (
        "500 with x-should-retry false",
        lambda w: w.faults.fail_messages.__setitem__(_first_live(w), Failure(500, no_retry=True)),
        "http_500",
    ),
    ("messages keep 503ing", lambda w: w.faults.fail_messages.__setitem__(_first_live(w), 503), "http_503"),
    ("read timeout", lambda w: w.faults.slow_messages.__setitem__(_first_live(w), 3.0), "timeout"),
    ("truncated JSON", lambda w: w.faults.malformed_messages.add(_first_live(w)), "malformed_json"),
    ("invalid JSON", lambda w: w.faults.invalid_json_messages.add(_first_live(w)), "malformed_json"),
]


@pytest.mark.parametrize(("name", "arrange", "code"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_reported_and_a_rerun_completes_the_store(
    world: World, classifier: Classifier, name: str, arrange: Arrange, code: str | None
) -> None:
    arrange(world)
    first = run(world, classifier)
    if code is None:
        assert first.complete, (name, first.failures)
        assert first.api_retries >= 1
    else:
        assert not first.complete and code in first.failures, (name, dict(first.failures))
        assert code in first.render()
    world.faults.clear()
    again = run(world, classifier)
    assert again.complete
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean"), name


def test_a_repeated_list_cursor_stops_the_run_and_the_rerun_completes(
    world: World, classifier: Classifier
) -> None:
    world.faults.repeat_list_cursor = True
    with open_runtime(world.settings(), classifier=classifier) as rt, pytest.raises(FetchError) as caught:
        scan(rt)
    assert caught.value.code == "pagination_loop"
    world.faults.clear()
    assert run(world, classifier).complete
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean")


@pytest.mark.parametrize("fault", ["truncated", "invalid"])
def test_a_broken_list_page_stops_the_run_and_the_rerun_completes(
    world: World, classifier: Classifier, fault: str
) -> None:
    world.faults.list_body_fault = (fault, 1)
    world.faults.fail_list_after_pages = None
    with open_runtime(world.settings(), classifier=classifier) as rt, pytest.raises(FetchError) as caught:
        scan(rt)
    assert caught.value.code == "malformed_json"
    assert run(world, classifier).complete
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean")


def test_a_repeated_message_cursor_fails_that_chat_only(world: World, classifier: Classifier) -> None:
    run(world, classifier)
    target = _first_live(world, 2)
    world.org.append_message(target, "user", "a follow-up")
    world.faults.repeat_messages_cursor.add(target)
    report = run(world, classifier)
    assert report.failures == {"pagination_loop": 1}
    world.faults.clear()
    assert run(world, classifier).complete
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean")


def test_a_chat_updated_during_the_run_ends_labelled_at_its_last_version(
    world: World, classifier: Classifier
) -> None:
    moved = [_first_live(world, 0), _first_live(world, 1)]
    world.faults.update_during_run = {1: moved}
    assert run(world, classifier).complete
    run(world, classifier)  # the nightly that follows
    run(world, classifier, "clean")
    view, clean = store_view(world), store_view(world, "clean")
    assert view == clean
    for chat_id in moved:
        assert view[chat_id][0] == world.org.chat(chat_id).updated_at.isoformat().replace("+00:00", "Z")


def test_large_and_unicode_chats_are_labelled_at_the_planted_offsets(
    world: World, classifier: Classifier
) -> None:
    big = world.org.add_large_chat(messages=1500, big_block_chars=1 << 20)
    odd = world.org.add_unicode_chat()
    report = run(world, classifier)
    assert report.complete
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        for chat_id in (big, odd):
            rec = store.latest_for_chat(chat_id)
            assert rec is not None and rec.status == "ok"
            found = {(f.message_id, f.block, f.start, f.end) for f in rec.findings}
            planted = [
                p for p in world.org.planted if p.chat_id == chat_id and p.valid and p.category != "pii"
            ]
            assert planted, chat_id
            missing = [p for p in planted if (p.message_id, p.block, p.start, p.end) not in found]
            assert missing == [], (chat_id, len(missing))


# -- attachments and activities -------------------------------------------------------------------


def test_text_attachments_are_scanned_and_binary_ones_recorded_as_not_scanned(
    world: World, classifier: Classifier
) -> None:
    report = run(world, classifier, attachment_max_bytes=1 << 20)
    assert report.complete and report.attachments_scanned > 0
    assert report.attachments_skipped["binary"] > 0
    reliable = {"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "US_SSN"}
    planted = [p for p in world.org.planted_attachments if p.valid and p.entity in reliable]
    assert planted
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        scans, found = {}, set()
        for chat in world.org.chats:
            rec = store.latest_for_chat(chat.id)
            assert rec is not None
            scans.update({a.id: a for a in rec.attachments})
            found |= {
                (f.attachment, f.message_id, f.block, f.start, f.end) for f in rec.findings if f.attachment
            }
    readable = [p for p in planted if scans[p.attachment_id].scanned]
    hits = [p for p in readable if (p.attachment_id, p.message_id, p.block, p.start, p.end) in found]
    # Recall is the detectors' business (issue 4); here: attachment contents are read, and located.
    assert readable and len(hits) >= 0.8 * len(readable), (len(hits), len(readable))
    big = [a for a in scans.values() if (a.size_bytes or 0) > 1 << 20 and a.reason != "binary"]
    assert big and all(a.reason == "too_large" and not a.scanned for a in big)


def test_an_attachment_that_keeps_failing_makes_the_chat_partial_then_the_rerun_completes_it(
    world: World, classifier: Classifier
) -> None:
    victim = next(p for p in world.org.planted_attachments if p.valid)
    world.faults.fail_attachments[victim.attachment_id] = Failure(500, no_retry=True)
    first = run(world, classifier)
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        rec = store.latest_for_chat(victim.chat_id)
        assert rec is not None and rec.status == "partial"
        assert [e.code for e in rec.errors] == ["attachment_http_500"]
        assert [r.chat_id for r in store.pending_retries()] == [victim.chat_id]
    assert first.attachments_skipped["http_500"] == 1
    world.faults.clear()
    assert run(world, classifier).complete
    run(world, classifier, "clean")
    assert store_view(world) == store_view(world, "clean")


def test_activities_are_stored_with_their_own_cursor_and_late_arrivals_caught(
    world: World, classifier: Classifier
) -> None:
    since = min(c.created_at for c in world.org.chats) - timedelta(days=1)
    first = run(world, classifier, first_run_since=since)
    assert first.activities_new == len(world.org.activities) > 0
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        stored = store.activities()
        cursor = store.get_cursor("activities")
    assert cursor is not None and len(stored) == first.activities_new
    names = [a.activity["filename"] for a in stored if isinstance(a.activity.get("filename"), str)]
    assert names and all(n.startswith("hmac-sha256:") for n in names)  # user-typed: fingerprint only
    newest = parse_rfc3339(cursor)
    user = world.org.chats[0].user
    assert user is not None
    late = world.org.add_activity(
        "claude_chat_viewed", user.id, newest - timedelta(minutes=3), claude_chat_id="x"
    )
    second = run(world, classifier, first_run_since=since)
    assert second.activities_new == 1
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        assert store.activities(chat_id="x")[0].activity_id == late
