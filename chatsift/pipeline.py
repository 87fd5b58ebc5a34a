"""The online pipelines: the nightly ``scan`` (or a ``--since`` backfill) and the on-demand ``scan_user``.

Every walk goes list page by list page. A page's chats are planned (stored already? deleted? read
from the message cursor?), fetched by the worker pool, classified in order, and committed in ONE
store transaction together with the walk's new position; the outbox then goes to the feed. A crash
or an abort loses at most the page in flight, and the rerun redoes it without duplicates: record
ids are deterministic and the store skips ids it has.

Cursors: the nightly run moves only the nightly cursor (see ``chatsift.walk``); a backfill keeps
its own position under ``backfill`` until it finishes; ``scan_user`` moves no cursor at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from chatsift import crashpoints
from chatsift.activity import sync_activities
from chatsift.fetching import FetchJob, fetch_one, ordered_map
from chatsift.labeling import ChatOutcome, job_for, label_fetched, now, plan
from chatsift.report import RunReport
from chatsift.runtime import Runtime
from chatsift.settings import BACKFILL_CURSOR, NIGHTLY_CURSOR
from chatsift.walk import Walk, plain_cursor
from fetch import iter_changed_chat_pages, iter_user_chat_pages, resolve_user
from fetch.errors import RetriableFetchError
from fetch.models import ChatListPage, ChatSummary
from labels import LabelRecord, StoreError, deliver

log = logging.getLogger("chatsift.pipeline")

Progress = Callable[[str], None]
CursorOf = Callable[[ChatListPage], "tuple[str, str] | None"]


def _quiet(_: str) -> None:
    return None


@dataclass
class _PageState:
    """Outcomes of the page in flight, and the run of API failures that can abort the run."""

    outcomes: list[ChatOutcome] = field(default_factory=list)
    consecutive_api_failures: int = 0


def scan(rt: Runtime, *, since: datetime | None = None, progress: Progress = _quiet) -> RunReport:
    """Nightly: retry failed chats, label every chat changed since the stored cursor, sync activities.

    With ``since``, a backfill of ``[since, now)`` instead, which never moves the nightly cursor.
    """
    report = RunReport(command="scan")
    started = time.monotonic()
    run_start = now()
    try:
        report.records_delivered += deliver(rt.store, rt.feed)  # anything a crashed run left behind
        _retry_failed(rt, report, progress)
        if since is not None:
            _backfill(rt, since, run_start, report, progress)
        else:
            _nightly(rt, run_start, report, progress)
            if rt.settings.activities:
                sync_activities(rt, report, progress)
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
    try:
        for outcome in _fetch_and_label(rt, [job_for(rt, item.chat_id) for item in pending]):
            _take(rt, state, outcome, report)
    finally:
        _commit(rt, state, report, cursor=None)


def _walk(
    rt: Runtime, pages: Iterable[ChatListPage], report: RunReport, progress: Progress, cursor_of: CursorOf
) -> list[str]:
    """Label every chat of every page; commit page by page with ``cursor_of(page)``. Returns chat ids."""
    seen: list[str] = []
    for page in _counted(pages, report):
        crashpoints.reached("list_page")
        state = _PageState()
        try:
            seen.extend(summary.id for summary in page.data)
            report.chats_seen += len(page.data)
            for outcome in _page_outcomes(rt, page.data, report):
                _take(rt, state, outcome, report)
        except BaseException as exc:
            # Keep every finished chat of this page; the cursor stays, so the rerun redoes the rest.
            report.aborted = type(exc).__name__ if not isinstance(exc, RetriableFetchError) else exc.code
            _commit(rt, state, report, cursor=None)
            raise
        cursor = cursor_of(page)
        _commit(rt, state, report, cursor=cursor)
        report.cursor_moved |= cursor is not None and cursor[0] == NIGHTLY_CURSOR
        progress(_page_line(report, page))
    return seen


def _page_outcomes(rt: Runtime, summaries: list[ChatSummary], report: RunReport) -> Iterator[ChatOutcome]:
    jobs: list[FetchJob] = []
    for summary in summaries:
        planned = plan(rt, summary)
        if planned is None:
            report.chats_unchanged += 1
        elif isinstance(planned, FetchJob):
            jobs.append(planned)
        else:
            yield planned
    yield from _fetch_and_label(rt, jobs)


def _fetch_and_label(rt: Runtime, jobs: list[FetchJob]) -> Iterator[ChatOutcome]:
    fetch = partial(fetch_one, rt.client, rt.settings)
    ahead = 2 * rt.settings.fetch_concurrency
    for fetched in ordered_map(rt.pool, fetch, jobs, ahead):
        yield label_fetched(rt, fetched)


def _counted(pages: Iterable[ChatListPage], report: RunReport) -> Iterator[ChatListPage]:
    for page in pages:
        report.pages += 1
        yield page


def _take(rt: Runtime, state: _PageState, outcome: ChatOutcome, report: RunReport) -> None:
    state.outcomes.append(outcome)
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
    report.records_delivered += deliver(rt.store, rt.feed)


def _page_line(report: RunReport, page: ChatListPage) -> str:
    return (
        f"page {report.pages}: {len(page.data)} chats; so far {report.chats_labelled} labelled, "
        f"{report.chats_unchanged} unchanged, {report.chats_failed} failed"
    )
