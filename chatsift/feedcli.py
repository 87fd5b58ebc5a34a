"""``chatsift feed …``: render label records as SIEM events, show delivery lag, replay, deliver.

These commands open the store with ``FeedOutbox``, which does not take the store's lock: they can
run beside a scan. Only one process delivers to a given feed at a time (its own lock file).
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TypeVar, get_args

from pydantic import ValidationError

from chatsift.errors import ConfigurationError, InputError
from chatsift.feeds import build_deliverer
from chatsift.report import describe_outcome
from chatsift.settings import Settings
from labels import FeedOutbox, LabelRecord, RollupRecord, WriterOutcome, WriterStatus, rfc3339
from labels.formats import FORMAT_NAMES, RenderOptions, renderer
from labels.formats.base import FeedItem, Granularity, SyslogPayload
from labels.timestamps import parse_rfc3339

T = TypeVar("T")


def read_items(source: str, problem: Callable[[str], None]) -> Iterator[FeedItem]:
    """Label records and rollups from a JSONL file (or ``-``); a bad line is reported by number only."""
    name = "<stdin>" if source == "-" else source
    try:
        # Bytes, decoded line by line: a line that is not UTF-8 is one bad line, not a failed file.
        stream: IO[bytes] = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None
    with contextlib.nullcontext(stream) if source == "-" else stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                yield _item(raw.decode("utf-8"))
            except (ValueError, ValidationError) as exc:
                # The reason names fields only: the line itself could hold anything.
                problem(f"{name} line {number}: not a chatsift label record or rollup ({_why(exc)})")


def _item(line: str) -> FeedItem:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    schema = data.get("schema")
    if schema == "chatsift.rollup.v1":
        return RollupRecord.model_validate(data)
    if schema == "chatsift.label.v1":
        return LabelRecord.model_validate(data)
    raise ValueError("no known schema field")


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(p) for p in e["loc"]) or "(root)" for e in exc.errors()})
        return f"{exc.error_count()} invalid fields: {', '.join(fields[:5])}"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at column {exc.colno}"
    return str(exc) if str(exc) in ("not a JSON object", "no known schema field") else type(exc).__name__


def render_file(
    source: str,
    fmt: str,
    *,
    granularity: str,
    payload: str,
    hostname: str,
    out: IO[str],
    problem: Callable[[str], None],
) -> tuple[int, int]:
    """Render every item of ``source`` to ``out``, one event per line; return (events, bad lines)."""
    from chatsift import __version__

    options = RenderOptions(
        granularity=_choice("--granularity", granularity, get_args(Granularity)),
        payload=_choice("--payload", payload, get_args(SyslogPayload)),
        hostname=hostname,
        product_version=__version__,
    )
    render = renderer(_choice("--format", fmt, FORMAT_NAMES), options)
    bad = 0

    def count(text: str) -> None:
        nonlocal bad
        bad += 1
        problem(text)

    events = 0
    for item in read_items(source, count):
        for event in render(item):
            out.write(event.text() + "\n")
            events += 1
    out.flush()
    return events, bad


def _choice(option: str, value: str, allowed: tuple[T, ...]) -> T:
    for choice in allowed:
        if value == choice:
            return choice
    raise ConfigurationError(f"{option} must be one of {', '.join(map(str, allowed))}")


def open_outbox(settings: Settings) -> FeedOutbox:
    """The store for feed work; a missing store is a clear error, not a new empty file."""
    if not settings.db_path.exists():
        raise ConfigurationError(f"no label store at {settings.db_path}: run `chatsift scan` first")
    return FeedOutbox(settings.db_path)


def status_rows(settings: Settings) -> list[WriterStatus]:
    """The status of every configured feed, then of any other writer the store knows."""
    with open_outbox(settings) as outbox:
        return outbox.feed_status([feed.name for feed in settings.feeds])


def render_status(rows: list[WriterStatus], configured: set[str], now: datetime) -> str:
    """A table of feeds: backlog, how old its oldest item is, last success, failures."""
    lines = [f"{'feed':<16}{'pending':>9}{'lag':>10}  {'last delivery':<22}{'failures':>9}  last error"]
    for row in rows:
        lag = _age(row.oldest_pending_at, now) if row.pending else "-"
        name = row.writer if row.writer in configured else f"{row.writer} (not configured)"
        lines.append(
            f"{name:<16}{row.pending:>9}{lag:>10}  {row.last_success_at or 'never':<22}{row.failures:>9}  "
            f"{row.last_error if row.failures else ''}"
        )
    return "\n".join(lines)


def _age(stamp: str | None, now: datetime) -> str:
    if stamp is None:
        return "-"
    seconds = max(0, int((now - parse_rfc3339(stamp)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def status_json(rows: list[WriterStatus], now: datetime) -> str:
    """``feed status --json``: one object, a list of feeds with their lag in seconds."""
    feeds = []
    for row in rows:
        data = asdict(row)
        oldest = row.oldest_pending_at if row.pending else None
        data["lag_s"] = int((now - parse_rfc3339(oldest)).total_seconds()) if oldest else 0
        feeds.append(data)
    return json.dumps({"as_of": rfc3339(now), "feeds": feeds}, sort_keys=True)


def replay(settings: Settings, since: datetime, names: list[str]) -> dict[str, int]:
    """Rewind the named feeds (default: every configured one) to ``since``; return items per feed."""
    targets = names or [feed.name for feed in settings.feeds]
    unknown = set(targets) - {feed.name for feed in settings.feeds}
    if unknown:
        raise ConfigurationError(f"no feed named {', '.join(sorted(unknown))} is configured")
    with open_outbox(settings) as outbox:
        return {name: outbox.rewind(name, rfc3339(since)) for name in targets}


def deliver(
    settings: Settings,
    names: list[str],
    *,
    follow: bool,
    interval: float,
    progress: Callable[[str], None],
    stop: threading.Event | None = None,
) -> list[WriterOutcome]:
    """Drain the outbox to the configured feeds; with ``follow``, keep doing so until stopped."""
    stop = stop or threading.Event()
    with open_outbox(settings) as outbox:
        deliverer = build_deliverer(settings, outbox, only=names)
        try:
            if not follow:
                deliverer.drain(settings.feed_wait_s)
                return deliverer.outcomes()
            feeds = ", ".join(w.name for w in deliverer.writers)
            progress(f"delivering every {interval:g}s to {feeds}; Ctrl-C stops")
            while not stop.is_set():
                if deliverer.poll():
                    for outcome in deliverer.outcomes():
                        progress(f"{datetime.now(UTC):%H:%M:%S} " + describe_outcome(outcome))
                stop.wait(interval)
            return deliverer.outcomes()
        finally:
            deliverer.close()
