"""Build the configured feed writers and the deliverer that drains the outbox to them."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chatsift import __version__
from chatsift.feedconfig import FeedConfig, HecFeed, JsonlFeed, StdoutFeed, SyslogFeed, WebhookFeed
from chatsift.report import RunReport
from chatsift.settings import Settings
from labels import Deliverer, FeedWriter, JsonlFeedWriter, LabelStore
from labels.formats import RenderOptions, renderer
from labels.store.database import Database
from labels.writers.http import HecWriter, WebhookWriter
from labels.writers.stdout import StdoutWriter
from labels.writers.syslog import SyslogWriter


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path)


def render_options(feed: FeedConfig) -> RenderOptions:
    """The render options of one feed: its granularity, chatsift's product fields, syslog's header."""
    if isinstance(feed, SyslogFeed):
        return RenderOptions(
            granularity=feed.granularity,
            product_version=__version__,
            hostname=feed.hostname or socket.gethostname() or "-",
            app_name=feed.app_name,
            facility=feed.facility,
            payload=feed.payload,
            sd_id=feed.sd_id,
        )
    return RenderOptions(granularity=feed.granularity, product_version=__version__)


def build_writer(feed: FeedConfig, settings: Settings) -> FeedWriter:
    """The writer one feed table describes."""
    options = render_options(feed)
    if isinstance(feed, JsonlFeed):
        return JsonlFeedWriter(
            feed.dir or settings.feed_dir,
            name=feed.name,
            filename=feed.filename,
            render=None if feed.format == "record" else renderer(feed.format, options),
            max_bytes=feed.max_bytes,
            keep=feed.keep,
        )
    if isinstance(feed, StdoutFeed):
        return StdoutWriter(feed.name, render=renderer(feed.format, options))
    if isinstance(feed, SyslogFeed):
        return SyslogWriter(
            feed.name,
            feed.host,
            feed.port,
            render=renderer("syslog", options),
            tls=feed.tls,
            ca_file=_path(feed.ca_file),
            verify=feed.verify,
            client_cert=_path(feed.client_cert),
            client_key=_path(feed.client_key),
            timeout=feed.timeout_s,
            max_message_bytes=feed.max_message_bytes,
        )
    http: dict[str, Any] = {
        "render": renderer(feed.format, options),
        "batch_max_bytes": feed.batch_max_bytes,
        "batch_max_events": feed.batch_max_events,
        "timeout": feed.timeout_s,
        "retries": feed.retries,
        "ca_file": _path(feed.ca_file),
        "verify": feed.verify,
    }
    if isinstance(feed, HecFeed):
        return HecWriter(
            feed.name,
            feed.url,
            feed.token.get_secret_value(),
            sourcetype=feed.sourcetype or f"chatsift:{feed.format}",
            source=feed.source,
            index=feed.index,
            host=feed.host,
            **http,
        )
    assert isinstance(feed, WebhookFeed)
    return WebhookWriter(
        feed.name,
        feed.url,
        headers={k: v.get_secret_value() for k, v in feed.headers.items()},
        signing_key=feed.signing_key.get_secret_value().encode("utf-8") if feed.signing_key else None,
        **http,
    )


def build_deliverer(
    settings: Settings, store: Database, *, only: Sequence[str] = (), wrap: type | None = None
) -> Deliverer:
    """A deliverer over ``store`` for the configured feeds (or only those named in ``only``)."""
    unknown = set(only) - {feed.name for feed in settings.feeds}
    if unknown:
        from chatsift.errors import ConfigurationError

        raise ConfigurationError(f"no feed named {', '.join(sorted(unknown))} is configured")
    writers = [build_writer(feed, settings) for feed in settings.feeds if not only or feed.name in only]
    if wrap is not None:
        writers = [wrap(w) for w in writers]
    return Deliverer(store, writers, batch=settings.feed_batch)


@dataclass(frozen=True)
class StoreTarget:
    """An open store with its feed writers, for commands that commit records outside a scan."""

    store: LabelStore
    deliverer: Deliverer
    settings: Settings


def finish_feed(
    store: LabelStore, deliverer: Deliverer, settings: Settings, report: RunReport, as_of: datetime
) -> None:
    """The end of a run: enqueue changed rollups, deliver with retries for ``feed_wait_s``, report."""
    report.rollups_changed += len(store.flush_rollups(as_of, settings.rollup_window_days))
    report.records_delivered += deliverer.drain(settings.feed_wait_s)
    report.feed = deliverer.outcomes()
