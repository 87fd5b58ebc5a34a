"""Cross-page pipelining and classifier worker processes, in-process against the loopback simulator.

* A pipelined scan (small pages, a fetch window spanning several pages) stores exactly what a
  page-by-page reference stores (one page holding the whole organisation, one fetch at a time),
  on the first run and on the incremental run after the organisation changed.
* The overlap, shown by an event log instead of timing: the first page's commit waits until the
  second page has been listed and one of its chats fetched, which only a pipelined scan can do.
* An abort mid-run (API failures in a row, Ctrl-C) loses nothing: the rerun completes the store
  exactly as a clean run, and the feed holds no record twice.
* Classification in worker processes stores what in-process classification stores; a
  classification that raises (in a worker or in-process) becomes a retriable ``classify_failed``
  chat whose error names the exception type only: a canary planted in the chat's text is nowhere.
"""

from __future__ import annotations

import io
import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from chatsift.pipeline import scan
from chatsift.report import RunReport
from chatsift.runtime import ClassifierPoolError, build_app_classifier, open_runtime
from chatsift.settings import Settings, load_settings
from classifier import Classifier
from classifier.types import ChatResult, ChatText
from fetch.errors import RetriableFetchError
from fetch.simulator import Faults, SimOrg, SimulatorServer, generate_org
from labels import LabelStore
from tests.chatsift.conftest import SIM_KEY, feed_items
from tests.chatsift.test_crash_resume import feed_snapshot, store_snapshot

LIST = "/v1/compliance/apps/chats"
MESSAGES = "/v1/compliance/apps/chats/{id}/messages"
CANARY = "zq-canary-7431-pelican-quartz"
PIPELINED = {"page_size": 3, "fetch_concurrency": 4}  # a fetch window of 8 chats: about 3 pages
REFERENCE = {"page_size": 1000, "fetch_concurrency": 1}  # one page, one chat at a time


@dataclass
class World:
    org: SimOrg
    server: SimulatorServer
    faults: Faults
    tmp: Path
    key: Path

    def settings(self, name: str, **extra: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": self.tmp / name,
            "hmac_key_file": self.key,
            "api_url": self.server.url,
            "api_key": SIM_KEY,
            "ner": "off",
            "max_retries": 1,
            "rate_limit_per_minute": 0,
            "timeout_s": 5.0,
            **PIPELINED,
        }
        values.update(extra)
        return load_settings(None, **values)

    def live(self) -> list[str]:
        return [c.id for c in self.org.chats if c.deleted_at is None]


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("key") / "hmac.key"


@pytest.fixture(scope="module")
def classifier(key_file: Path) -> Classifier:
    return build_app_classifier(load_settings(None, ner="off", hmac_key_file=key_file))


@pytest.fixture
def world(tmp_path: Path, key_file: Path, classifier: Classifier) -> Iterator[World]:
    org = generate_org(9, users=3, chats=20)
    faults = Faults()
    server = SimulatorServer(org, port=0, api_key=SIM_KEY, rate_limit_per_minute=None, faults=faults)
    server.start()
    try:
        yield World(org, server, faults, tmp_path, key_file)
    finally:
        server.stop()


def run(world: World, classifier: Classifier, name: str, **extra: Any) -> RunReport:
    with open_runtime(world.settings(name, **extra), classifier=classifier) as rt:
        return scan(rt)


def snapshot(world: World, name: str) -> dict[str, Any]:
    return store_snapshot(world.tmp / name / "chatsift.db")


def change(world: World) -> list[str]:
    """Messages added to nine chats (in this order of updated_at), one soft-deleted, one hard-deleted."""
    live = world.live()
    changed = live[:9]
    for chat_id in changed:
        world.org.append_message(chat_id, "user", "and the staging key is AKIAIOSFODNN7EXAMPLE, right?")
    world.org.soft_delete(live[10])
    world.org.hard_delete(live[11])
    return changed


def assert_no_duplicates(world: World, name: str) -> None:
    lines = feed_items(world.tmp / name)
    ids = [r.get("record_id") or r["rollup_id"] for r in lines]
    assert len(set(ids)) == len(lines)


def test_a_pipelined_scan_stores_what_a_page_by_page_scan_stores(
    world: World, classifier: Classifier
) -> None:
    first = run(world, classifier, "pipelined")
    run(world, classifier, "reference", **REFERENCE)
    assert first.complete and first.pages >= 5
    assert snapshot(world, "pipelined") == snapshot(world, "reference")
    assert feed_snapshot(world.tmp / "pipelined") == feed_snapshot(world.tmp / "reference")

    change(world)
    second = run(world, classifier, "pipelined")
    run(world, classifier, "reference", **REFERENCE)
    assert second.complete and second.pages >= 3 and second.chats_incremental >= 1
    assert snapshot(world, "pipelined") == snapshot(world, "reference")
    assert feed_snapshot(world.tmp / "pipelined") == feed_snapshot(world.tmp / "reference")
    assert_no_duplicates(world, "pipelined")


def test_the_next_page_is_listed_and_fetched_before_this_page_commits(
    world: World, classifier: Classifier
) -> None:
    run(world, classifier, "d")
    changed = change(world)
    events: list[tuple[str, Any]] = []
    seen = threading.Condition()

    def page_two_started() -> bool:
        listed = [ids for kind, ids in events if kind == "list"]
        fetched = {chat for kind, chat in events if kind == "messages"}
        return len(listed) >= 2 and bool(fetched & set(listed[1]))

    with open_runtime(world.settings("d"), classifier=classifier) as rt:
        real_get, real_commit = rt.client.get_json, rt.store.commit

        def get_json(path: str, params: Any = None, *, path_params: Any = None) -> dict[str, Any]:
            body = real_get(path, params, path_params=path_params)
            with seen:
                if path == LIST:
                    events.append(("list", [c["id"] for c in body["data"]]))
                elif path == MESSAGES:
                    events.append(("messages", path_params["id"]))
                seen.notify_all()
            return body

        def commit(records: Any, **kw: Any) -> Any:
            if records and not any(kind == "commit" for kind, _ in events):
                with seen:  # a deadlock guard, not a timing assert: page-by-page waits forever
                    seen.wait_for(page_two_started, timeout=60)
            events.append(("commit", sorted(r.chat_id for r in records)))
            return real_commit(records, **kw)

        rt.client.get_json = get_json  # type: ignore[method-assign,assignment]
        rt.store.commit = commit  # type: ignore[method-assign]
        report = scan(rt)
    assert report.complete and report.pages == 4  # 9 changed + 1 soft-deleted + 1 gone, 3 a page
    kinds = [kind for kind, _ in events]
    first_commit = kinds.index("commit")
    pages = [ids for kind, ids in events if kind == "list"]
    assert pages[0] == changed[:3] and events[first_commit][1] == sorted(changed[:3])
    second_listed = events.index(("list", pages[1]))
    second_fetched = min(i for i, (kind, x) in enumerate(events) if kind == "messages" and x in pages[1])
    assert second_listed < first_commit and second_fetched < first_commit, events


@pytest.mark.parametrize("abort", ["api_failures", "ctrl_c"])
def test_an_abort_with_pages_in_flight_loses_nothing(
    world: World, classifier: Classifier, abort: str
) -> None:
    run(world, classifier, "d")
    shutil.copytree(world.tmp / "d", world.tmp / "clean")
    changed = change(world)
    with open_runtime(world.settings("d", max_consecutive_chat_failures=2), classifier=classifier) as rt:
        if abort == "api_failures":
            for chat_id in changed[3:5]:  # the first two chats of the second page
                world.faults.fail_messages[chat_id] = 503
            with pytest.raises(RetriableFetchError) as caught:
                scan(rt)
            assert caught.value.code == "api_unavailable"
            committed, failed, behind = changed[:3], changed[3:5], changed[5:]
        else:

            def progress(line: str) -> None:
                if line.startswith("page 2:"):
                    raise KeyboardInterrupt  # the test's Ctrl-C, with the third page in flight

            with pytest.raises(KeyboardInterrupt):
                scan(rt, progress=progress)
            committed, failed, behind = changed[:6], [], changed[6:]
    assert not [t for t in threading.enumerate() if t.name.startswith(("chatsift-list", "chatsift-fetch"))]
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        latest = {chat_id: store.latest_for_chat(chat_id) for chat_id in changed}
    now_at = {chat_id: _stamp(world, chat_id) for chat_id in changed}
    for chat_id, record in latest.items():
        assert record is not None
        if chat_id in committed:
            assert (record.status, record.chat_updated_at) == ("ok", now_at[chat_id]), chat_id
        elif chat_id in failed:
            assert (record.status, record.chat_updated_at) == ("error", now_at[chat_id]), chat_id
        else:
            assert chat_id in behind and record.chat_updated_at < now_at[chat_id], chat_id

    world.faults.clear()
    assert run(world, classifier, "d").complete
    assert run(world, classifier, "clean").complete  # the same start, never interrupted
    assert_no_duplicates(world, "d")
    mine, clean = snapshot(world, "d"), snapshot(world, "clean")
    errors = {rid for rid, r in mine["records"].items() if r["status"] == "error" and r["chat_id"] in failed}
    assert len(errors) == len(failed)
    mine["records"] = {k: v for k, v in mine["records"].items() if k not in errors}
    mine["outbox"] = [k for k in mine["outbox"] if k not in errors]
    assert mine == clean


def _stamp(world: World, chat_id: str) -> str:
    return world.org.chat(chat_id).updated_at.isoformat().replace("+00:00", "Z")


class _Failing:
    """A classifier that raises, quoting the chat's text, on any chat holding the canary (or on all)."""

    def __init__(self, inner: Classifier, *, every_chat: bool = False) -> None:
        self._inner = inner
        self._every_chat = every_chat

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def classify(self, chat: ChatText) -> ChatResult:
        for block in chat.blocks:
            if self._every_chat or CANARY in block.text:
                raise ValueError(f"cannot read {block.text!r}")
        return self._inner.classify(chat)


def failing_classifier(settings: Settings) -> Classifier:
    """The worker processes' classifier factory (module level: it is sent to them by name)."""
    return cast(Classifier, _Failing(build_app_classifier(settings)))


def test_worker_processes_store_what_in_process_classification_stores(
    world: World, classifier: Classifier
) -> None:
    in_process = run(world, classifier, "zero")
    with open_runtime(world.settings("two", workers=2), classifier=classifier) as rt:
        assert rt.classifier_pool is not None
        pooled = scan(rt)
    assert in_process.complete and pooled.complete
    assert in_process.classify_seconds > 0 and pooled.classify_seconds > 0
    assert snapshot(world, "zero") == snapshot(world, "two")
    assert feed_snapshot(world.tmp / "zero") == feed_snapshot(world.tmp / "two")


@pytest.mark.parametrize("workers", [0, 1])
def test_a_classification_that_raises_is_a_retriable_failure_without_the_text(
    world: World,
    classifier: Classifier,
    workers: int,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    target = world.live()[4]
    world.org.append_message(target, "user", f"my note for later: {CANARY}")
    caplog.set_level(logging.DEBUG)
    here = cast(Classifier, _Failing(classifier)) if workers == 0 else classifier
    settings = world.settings("d", workers=workers)
    # A handler that fails: logging then prints the exception being handled to stderr, and that
    # must never be the classifier's (its message quotes the chat).
    broken = logging.StreamHandler(io.StringIO())
    broken.stream.close()
    logging.getLogger("chatsift").addHandler(broken)
    try:
        with open_runtime(settings, classifier=here, worker_classifier=failing_classifier) as rt:
            report = scan(rt)
    finally:
        logging.getLogger("chatsift").removeHandler(broken)
    assert not report.complete and dict(report.failures) == {"classify_failed": 1}
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        record = store.latest_for_chat(target)
        retries = [(r.chat_id, r.error_code) for r in store.pending_retries()]
    assert record is not None and record.status == "error"
    assert [(e.code, e.detail) for e in record.errors] == [
        ("classify_failed", "classification raised ValueError")
    ]
    assert retries == [(target, "classify_failed")]
    printed = capfd.readouterr()
    assert "Logging error" in printed.err  # the broken handler did fail
    for text in (caplog.text, printed.out, printed.err, report.to_json(), report.render()):
        assert CANARY not in text
    assert target in caplog.text  # the failure is logged, by chat id and exception type
    for path in (world.tmp / "d").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path

    again = run(world, classifier, "d")  # a classifier that works: the retry completes the chat
    assert again.complete and again.retried_chats == 1
    with LabelStore(world.tmp / "d" / "chatsift.db") as store:
        fixed = store.latest_for_chat(target)
        assert store.pending_retries() == []
    assert fixed is not None and fixed.status == "ok"


def test_a_run_of_classify_failures_stops_the_run_and_keeps_what_it_did(
    world: World, classifier: Classifier, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = world.settings("broken", max_consecutive_chat_failures=3)
    broken = cast(Classifier, _Failing(classifier, every_chat=True))  # a bug, not a bad chat
    with (
        open_runtime(settings, classifier=broken) as rt,
        pytest.raises(ClassifierPoolError, match="3 chats in a row could not be classified"),
    ):
        scan(rt)
    with LabelStore(world.tmp / "broken" / "chatsift.db") as store:
        retries = store.pending_retries()
    assert 3 <= len(retries) < len(world.live())  # stopped early; the failed chats wait for a retry
    assert {r.error_code for r in retries} == {"classify_failed"}
    again = run(world, classifier, "broken")  # fixed classifier: the rerun completes everything
    assert again.complete
    with LabelStore(world.tmp / "broken" / "chatsift.db") as store:
        assert store.pending_retries() == []
        assert all(store.latest_for_chat(c) is not None for c in world.live())
