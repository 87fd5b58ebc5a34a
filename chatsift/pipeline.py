"""The online pipelines: the nightly ``scan`` (or a ``--since`` backfill) and the on-demand ``scan_user``.

Every walk goes list page by list page. A page's chats are planned (stored already? deleted? read
from the message cursor?), fetched by the worker pool, classified in order, and committed in ONE
store transaction together with the walk's new position; the outbox then goes to the feed. A crash
or an abort loses at most the pages in flight, and the rerun redoes them without duplicates: record
ids are deterministic and the store skips ids it has.

Pipelining: fetching, classifying and writing overlap across pages, so a scan takes about as long
as the slower of the API budget and the CPU, not their sum. A lister thread requests list pages
up to ``LIST_AHEAD`` pages ahead of the planner. The main thread plans each page as the fetch
window reaches it: one window of ``2 x fetch_concurrency`` chats runs over page boundaries, so the
next page's messages are fetched while this page is classified and committed. With ``workers``,
classification runs in worker processes, ``2 x workers`` chats ahead, results taken in order.
Writing stays in the main thread and in page order: a page commits only after every page before
it. A page's chats are planned before the pages ahead of it commit, which reads only that page's
chats' store state; should a chat appear on two pages in flight, planning waits for the earlier
pages to commit (a drain), so a run plans exactly as a page-by-page run would.

On an abort (API failures in a row, a fatal error, Ctrl-C) the page in flight commits its finished
chats without moving the cursor, the chats queued behind it are cancelled (running fetches and
classifications finish), the lister thread stops, and the error propagates.

Cursors: the nightly run moves only the nightly cursor (see ``chatsift.walk``); a backfill keeps
its own position under ``backfill`` until it finishes; ``scan_user`` moves no cursor at all.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Literal

from chatsift import crashpoints
from chatsift.activity import sync_activities
from chatsift.feeds import finish_feed
from chatsift.fetching import Fetched, FetchJob, fetch_one, ordered_stage
from chatsift.labeling import ChatOutcome, classifier_input, job_for, label_fetched, now, plan
from chatsift.report import RunReport
from chatsift.runtime import Classified, ClassifierPoolError, Runtime, classify_in_worker
from chatsift.settings import BACKFILL_CURSOR, NIGHTLY_CURSOR
from chatsift.walk import Walk, plain_cursor
from fetch import iter_changed_chat_pages, iter_user_chat_pages, resolve_user
from fetch.errors import RetriableFetchError
from fetch.models import ChatListPage
from labels import LabelRecord, StoreError

log = logging.getLogger("chatsift.pipeline")

Progress = Callable[[str], None]
CursorOf = Callable[[ChatListPage], "tuple[str, str] | None"]


def _quiet(_: str) -> None:
    return None


LIST_AHEAD = 2  # list pages requested and not yet planned, at most
_LISTER_JOIN_S = 5.0


@dataclass(frozen=True)
class _Mark:
    """A position in a walk's stream: a page starts or ends, an unchanged chat, a drain, an error."""

    kind: Literal["page", "end", "unchanged", "drain", "error"]
    page: ChatListPage | None = None
    error: BaseException | None = None


_UNCHANGED = _Mark("unchanged")
_DRAIN = _Mark("drain")


@dataclass(eq=False)
class _InFlight:
    """One chat to fetch, then to classify (here, or in a worker process when there is a pool)."""

    job: FetchJob
    fetched: Future[Fetched] | None = None
    classified: Future[Classified] | None = None


_Item = _Mark | ChatOutcome | _InFlight


@dataclass
class _PageState:
    """Outcomes of the page in flight, and the run of API failures that can abort the run."""

    outcomes: list[ChatOutcome] = field(default_factory=list)
    consecutive_api_failures: int = 0
    consecutive_classify_failures: int = 0


def scan(rt: Runtime, *, since: datetime | None = None, progress: Progress = _quiet) -> RunReport:
    """Nightly: retry failed chats, label every chat changed since the stored cursor, sync activities.

    With ``since``, a backfill of ``[since, now)`` instead, which never moves the nightly cursor.
    """
    report = RunReport(command="scan")
    started = time.monotonic()
    run_start = now()
    try:
        report.records_delivered += rt.deliverer.poll()  # anything a crashed or cut-off run left behind
        _retry_failed(rt, report, progress)
        if since is not None:
            _backfill(rt, since, run_start, report, progress)
        else:
            _nightly(rt, run_start, report, progress)
            if rt.settings.activities:
                sync_activities(rt, report, progress)
        finish_feed(rt.store, rt.deliverer, rt.settings, report, run_start)
    finally:
        _finish(rt, report, started)
    return report


def scan_user(
    rt: Runtime, email_or_id: str, *, progress: Progress = _quiet
) -> tuple[RunReport, list[LabelRecord]]:
    """On demand: label one user's chats (never moves the nightly cursor); return their records."""
    report = RunReport(command="scan-user")
    started = time.monotonic()
    try:
        user = resolve_user(rt.client, email_or_id)
        progress(f"user {user.id}: listing chats")
        pages = iter_user_chat_pages(rt.client, user.id, page_size=rt.settings.page_size)
        chat_ids = _walk(rt, pages, report, progress, lambda page: None)
        finish_feed(rt.store, rt.deliverer, rt.settings, report, now())
    finally:
        _finish(rt, report, started)
    records = [r for r in (rt.store.latest_for_chat(cid) for cid in chat_ids) if r is not None]
    return report, records


def _nightly(rt: Runtime, run_start: datetime, report: RunReport, progress: Progress) -> None:
    stored = rt.store.get_cursor(NIGHTLY_CURSOR)
    after = plain_cursor(stored)
    if after is not None:
        pages = iter_changed_chat_pages(
            rt.client, after_id=after, until=run_start, page_size=rt.settings.page_size
        )
        _walk(rt, pages, report, progress, _nightly_cursor)
        return
    walk = Walk.loads(stored) or _first_walk(rt, run_start)
    if walk is None:
        progress("the organisation has no chats yet")
        return
    progress(f"first run: reading chats updated from {walk.since} to {walk.until}")
    walk = _walk_windows(rt, walk, NIGHTLY_CURSOR, report, progress)
    # Done: from now on the nightly cursor is the plain position of the last chat read.
    final = (NIGHTLY_CURSOR, walk.last_id) if walk.last_id else None
    rt.store.commit([], cursor=final, forget_cursors=() if final else (NIGHTLY_CURSOR,))
    report.cursor_moved |= final is not None


def _nightly_cursor(page: ChatListPage) -> tuple[str, str] | None:
    return (NIGHTLY_CURSOR, page.last_id) if page.last_id else None


def _first_walk(rt: Runtime, run_start: datetime) -> Walk | None:
    """The first run's walk: from ``first_run_since``, else from the oldest change (one request)."""
    since = rt.settings.first_run_since
    if since is None:
        first = next(iter_changed_chat_pages(rt.client, page_size=1, until=run_start), None)
        if first is None or not first.data:
            return None
        since = first.data[0].updated_at
    return Walk.start(since, run_start)


def _backfill(
    rt: Runtime, since: datetime, run_start: datetime, report: RunReport, progress: Progress
) -> None:
    stored = Walk.loads(rt.store.get_cursor(BACKFILL_CURSOR))
    fresh = Walk.start(since, run_start)
    walk = stored if stored is not None and stored.since == fresh.since else fresh
    if walk is stored:
        progress(f"resuming the backfill from {walk.since} at window {walk.window_start}")
    else:
        progress(f"backfill: reading chats updated from {walk.since} to {walk.until}")
    _walk_windows(rt, walk, BACKFILL_CURSOR, report, progress)
    rt.store.commit([], forget_cursors=(BACKFILL_CURSOR,))


def _walk_windows(rt: Runtime, walk: Walk, name: str, report: RunReport, progress: Progress) -> Walk:
    """Walk every remaining window, committing the walk's position with each page; return the end."""
    days = rt.settings.window_days
    while (bounds := walk.window(days)) is not None:
        gte, lt = bounds
        report.windows += 1
        progress(f"window {gte:%Y-%m-%d %H:%M} .. {lt:%Y-%m-%d %H:%M}")
        pages = iter_changed_chat_pages(
            rt.client, after_id=walk.after_id, since=gte, until=lt, page_size=rt.settings.page_size
        )
        box = [walk]

        def position(page: ChatListPage, box: list[Walk] = box) -> tuple[str, str]:
            box[0] = box[0].advanced(page.last_id)
            return (name, box[0].dumps())

        _walk(rt, pages, report, progress, position)
        walk = box[0].next_window(lt)
        rt.store.commit([], cursor=(name, walk.dumps()))
    return walk


def _finish(rt: Runtime, report: RunReport, started: float) -> None:
    stats = rt.client.stats
    report.api_requests = stats.requests
    report.api_retries = stats.retries
    report.api_429s = stats.by_status.get(429, 0)
    report.throttled_s = round(getattr(stats, "throttled_s", 0.0), 1)
    report.elapsed_s = time.monotonic() - started
    try:
        totals = rt.store.counts()
    except StoreError:
        return  # runs in a finally: never mask the error that ended the run
    report.store_chats, report.store_retries = totals.chats, totals.retries
    report.store_categories = dict(totals.categories)


def _retry_failed(rt: Runtime, report: RunReport, progress: Progress) -> None:
    pending = rt.store.pending_retries()
    if not pending:
        return
    progress(f"retrying {len(pending)} chats that failed in an earlier run")
    state = _PageState()
    report.retried_chats += len(pending)
    chats = [_InFlight(job_for(rt, item.chat_id)) for item in pending]
    try:
        with closing(_outcomes(rt, chats)) as stream:
            for outcome in stream:
                assert isinstance(outcome, ChatOutcome)
                _take(rt, state, outcome, report)
    finally:
        _commit(rt, state, report, cursor=None)


def _walk(
    rt: Runtime, pages: Iterable[ChatListPage], report: RunReport, progress: Progress, cursor_of: CursorOf
) -> list[str]:
    """Label every chat of every page; commit page by page with ``cursor_of(page)``. Returns chat ids."""
    seen: list[str] = []
    flight: deque[set[str]] = deque()  # chat ids of the pages planned and not committed yet
    state: _PageState | None = None  # the page being taken (None between pages)
    page: ChatListPage | None = None
    with _Lister(pages) as listed, closing(_outcomes(rt, _planned(rt, listed, flight))) as stream:
        try:
            for item in stream:
                if isinstance(item, ChatOutcome):
                    assert state is not None
                    _take(rt, state, item, report)
                elif item.kind == "page":
                    page, state = item.page, _PageState()
                    assert page is not None
                    report.pages += 1
                    seen.extend(summary.id for summary in page.data)
                    report.chats_seen += len(page.data)
                elif item.kind == "unchanged":
                    report.chats_unchanged += 1
                elif item.kind == "end":
                    assert page is not None and state is not None
                    cursor = cursor_of(page)
                    done, state = state, None
                    _commit(rt, done, report, cursor=cursor)
                    flight.popleft()
                    report.cursor_moved |= cursor is not None and cursor[0] == NIGHTLY_CURSOR
                    progress(_page_line(report, page))
                elif item.kind == "error":
                    assert item.error is not None
                    raise item.error
        except BaseException as exc:
            if state is not None:
                # Keep every finished chat of this page; the cursor stays, so the rerun redoes the rest.
                report.aborted = type(exc).__name__ if not isinstance(exc, RetriableFetchError) else exc.code
                _commit(rt, state, report, cursor=None)
            raise
    return seen


def _planned(rt: Runtime, listed: Iterable[ChatListPage], flight: deque[set[str]]) -> Iterator[_Item]:
    """Each listed page as a mark, its chats (planned), and an end mark; a list error as a mark."""
    try:
        for page in listed:
            crashpoints.reached("list_page")
            ids = {summary.id for summary in page.data}
            if any(ids & earlier for earlier in flight):
                yield _DRAIN  # a chat of a page in flight: plan it once that page is committed
            flight.append(ids)
            yield _Mark("page", page)
            for summary in page.data:
                planned = plan(rt, summary)
                if planned is None:
                    yield _UNCHANGED
                elif isinstance(planned, FetchJob):
                    yield _InFlight(planned)
                else:
                    yield planned
            yield _Mark("end", page)
    except Exception as exc:  # surfaces in order: after every page before it is committed
        yield _Mark("error", error=exc)


def _outcomes(rt: Runtime, items: Iterable[_Item]) -> Generator[_Mark | ChatOutcome, None, None]:
    """Fetch (and with workers, classify) ahead; yield marks and chat outcomes in input order."""
    stages = [
        ordered_stage(items, partial(_start_fetch, rt), 2 * rt.settings.fetch_concurrency, drain=_drains)
    ]
    if rt.classifier_pool is not None:
        start = partial(_start_classify, rt.classifier_pool)
        stages.append(ordered_stage(stages[-1], start, 2 * rt.settings.workers, drain=_drains))
    try:
        for item in stages[-1]:
            if isinstance(item, _InFlight):
                assert item.fetched is not None
                yield label_fetched(rt, item.fetched.result(), item.classified)
            else:
                yield item
    finally:
        for stage in reversed(stages):  # an abort: cancel what is queued, newest stage first
            stage.close()


def _start_fetch(rt: Runtime, item: _Item) -> Future[Fetched] | None:
    if not isinstance(item, _InFlight):
        return None
    item.fetched = rt.pool.submit(fetch_one, rt.client, rt.settings, item.job)
    return item.fetched


def _start_classify(pool: ProcessPoolExecutor, item: _Item) -> Future[Classified] | None:
    if not isinstance(item, _InFlight) or item.fetched is None:
        return None
    try:
        fetched = item.fetched.result()
    except Exception:  # the run-ending fetch error surfaces when the chat's turn comes
        return None
    text = classifier_input(fetched)
    if text is None:
        return None
    try:
        item.classified = pool.submit(classify_in_worker, text)
    except BrokenExecutor as exc:  # surfaces in order, as the chat's classification failure
        item.classified = Future()
        item.classified.set_exception(exc)
    return item.classified


def _drains(item: _Item) -> bool:
    return item is _DRAIN


class _Lister:
    """Requests list pages in a thread, at most ``LIST_AHEAD`` pages before the planner reads them.

    The thread alone advances ``pages``; a page, the end, or the error that ended the listing
    reaches the planner in order. Closing stops the thread (it may be inside a request: it is
    a daemon, and its result is dropped).
    """

    def __init__(self, pages: Iterable[ChatListPage]) -> None:
        self._pages = pages
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=LIST_AHEAD - 1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chatsift-list", daemon=True)

    def __enter__(self) -> Iterator[ChatListPage]:
        self._thread.start()
        return self._read()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=_LISTER_JOIN_S)

    def _run(self) -> None:
        try:
            for page in self._pages:
                if not self._put(("page", page)):
                    return
        except BaseException as exc:
            self._put(("error", exc))
            return
        self._put(("done", None))

    def _put(self, entry: tuple[str, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def _read(self) -> Iterator[ChatListPage]:
        while True:
            kind, value = self._queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value


def _take(rt: Runtime, state: _PageState, outcome: ChatOutcome, report: RunReport) -> None:
    state.outcomes.append(outcome)
    report.classify_seconds += outcome.classify_s
    report.classify_cpu_seconds += outcome.classify_cpu_s
    report.chats_incremental += int(outcome.incremental)
    report.messages_classified += outcome.messages_classified
    for scan in outcome.attachments:
        report.count_attachment(scan.scanned, scan.reason)
    if outcome.retriable_failure:
        state.consecutive_api_failures += 1
        if state.consecutive_api_failures >= rt.settings.max_consecutive_chat_failures:
            raise RetriableFetchError(
                f"{state.consecutive_api_failures} chats in a row failed with API errors "
                f"(last: {outcome.retry.error_code if outcome.retry else 'unknown'}); stopping this run",
                code="api_unavailable",
            )
    else:
        state.consecutive_api_failures = 0
    state.consecutive_classify_failures = (
        state.consecutive_classify_failures + 1 if outcome.classify_failure else 0
    )
    if state.consecutive_classify_failures >= rt.settings.max_consecutive_chat_failures:
        raise ClassifierPoolError(
            f"{state.consecutive_classify_failures} chats in a row could not be classified "
            f"(last: {outcome.chat_id}); stopping this run: the classifier is broken, not the chats. "
            "Finished chats are kept; a rerun retries the failed ones"
        )


def _commit(rt: Runtime, state: _PageState, report: RunReport, *, cursor: tuple[str, str] | None) -> None:
    outcomes = state.outcomes
    if not outcomes and cursor is None:
        return
    records = [o.record for o in outcomes if o.record is not None]
    result = rt.store.commit(
        records,
        cursor=cursor,
        retries=[o.retry for o in outcomes if o.retry is not None],
        resolved=[o.chat_id for o in outcomes if o.resolved],
        states=[o.state for o in outcomes if o.state is not None],
        purge=[o.chat_id for o in outcomes if o.purge],
    )
    crashpoints.reached("committed")
    new = set(result.new)
    for record in records:
        if record.record_id in new:
            report.add_record(record)
    report.records_written += len(result.new)
    report.records_skipped += len(result.skipped)
    report.evidence_purged += result.purged
    report.chats_failed += sum(1 for o in outcomes if o.retry is not None and o.record is None)
    state.outcomes = []
    report.records_delivered += rt.deliverer.poll()


def _page_line(report: RunReport, page: ChatListPage) -> str:
    return (
        f"page {report.pages}: {len(page.data)} chats; so far {report.chats_labelled} labelled, "
        f"{report.chats_unchanged} unchanged, {report.chats_failed} failed"
    )
