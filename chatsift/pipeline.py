"""The online pipelines: the nightly ``scan`` and the on-demand ``scan_user``.

Both walk list pages; each page's records commit in one store transaction, together with the
nightly cursor (``scan`` only), and are then delivered from the outbox to the feed. A crash or an
abort loses at most the page in flight, and the rerun redoes it without duplicates: record ids are
deterministic and the store skips ids it has.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from chatsift.labeling import ChatOutcome, label_chat_id, label_summary
from chatsift.report import RunReport
from chatsift.runtime import Runtime
from chatsift.settings import NIGHTLY_CURSOR
from fetch import iter_changed_chat_pages, iter_user_chat_pages, resolve_user
from fetch.errors import RetriableFetchError
from fetch.models import ChatListPage
from labels import LabelRecord, StoreError, deliver

log = logging.getLogger("chatsift.pipeline")

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class _PageState:
    """Outcomes of the page in flight, and the run of API failures that can abort the run."""

    outcomes: list[ChatOutcome] = field(default_factory=list)
    consecutive_api_failures: int = 0


def scan(rt: Runtime, *, since: datetime | None = None, progress: Progress = _quiet) -> RunReport:
    """Nightly: retry failed chats, then label every chat changed since the stored cursor."""
    report = RunReport(command="scan")
    started = time.monotonic()
    try:
        report.records_delivered += deliver(rt.store, rt.feed)  # anything a crashed run left behind
        _retry_failed(rt, report, progress)
        cursor = None if since is not None else rt.store.get_cursor(NIGHTLY_CURSOR)
        pages = iter_changed_chat_pages(
            rt.client, after_id=cursor, since=since, page_size=rt.settings.page_size
        )
        _walk(rt, pages, report, progress, move_cursor=True)
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
        chat_ids = _walk(rt, pages, report, progress, move_cursor=False)
    finally:
        _finish(rt, report, started)
    records = [r for r in (rt.store.latest_for_chat(cid) for cid in chat_ids) if r is not None]
    return report, records


def _finish(rt: Runtime, report: RunReport, started: float) -> None:
    report.api_requests = rt.client.stats.requests
    report.api_retries = rt.client.stats.retries
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
    try:
        for item in pending:
            report.retried_chats += 1
            _take(rt, state, label_chat_id(rt, item.chat_id), report)
    finally:
        _commit(rt, state, report, cursor=None)


def _walk(
    rt: Runtime, pages: Iterable[ChatListPage], report: RunReport, progress: Progress, *, move_cursor: bool
) -> list[str]:
    """Label every chat of every page; commit page by page. Returns the chat ids seen."""
    seen: list[str] = []
    for page in _counted(pages, report):
        state = _PageState()
        try:
            for summary in page.data:
                seen.append(summary.id)
                report.chats_seen += 1
                _take(rt, state, label_summary(rt, summary), report)
        except BaseException as exc:
            # Keep every finished chat of this page; the cursor stays, so the rerun redoes the rest.
            report.aborted = type(exc).__name__ if not isinstance(exc, RetriableFetchError) else exc.code
            _commit(rt, state, report, cursor=None)
            raise
        cursor = page.last_id if move_cursor and page.last_id else None
        _commit(rt, state, report, cursor=cursor)
        report.cursor_moved |= cursor is not None
        progress(_page_line(report, page))
    return seen


def _counted(pages: Iterable[ChatListPage], report: RunReport) -> Iterator[ChatListPage]:
    for page in pages:
        report.pages += 1
        yield page


def _take(rt: Runtime, state: _PageState, outcome: ChatOutcome, report: RunReport) -> None:
    state.outcomes.append(outcome)
    if outcome.record is None and outcome.retry is None:
        report.chats_unchanged += 1
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


def _commit(rt: Runtime, state: _PageState, report: RunReport, *, cursor: str | None) -> None:
    outcomes = state.outcomes
    if not outcomes and cursor is None:
        return
    records = [o.record for o in outcomes if o.record is not None]
    result = rt.store.commit(
        records,
        cursor=(NIGHTLY_CURSOR, cursor) if cursor else None,
        retries=[o.retry for o in outcomes if o.retry is not None],
        resolved=[o.chat_id for o in outcomes if o.resolved],
    )
    new = set(result.new)
    for record in records:
        if record.record_id in new:
            report.add_record(record)
    report.records_written += len(result.new)
    report.records_skipped += len(result.skipped)
    failed_without_record = sum(1 for o in outcomes if o.retry is not None and o.record is None)
    report.chats_failed += failed_without_record
    state.outcomes = []
    report.records_delivered += deliver(rt.store, rt.feed)


def _page_line(report: RunReport, page: ChatListPage) -> str:
    return (
        f"page {report.pages}: {len(page.data)} chats; so far {report.chats_labelled} labelled, "
        f"{report.chats_unchanged} unchanged, {report.chats_failed} failed"
    )
