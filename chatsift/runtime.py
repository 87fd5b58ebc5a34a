"""Build the parts a command needs from settings, once, and close them in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from chatsift import crashpoints
from chatsift.settings import Settings
from classifier import Classifier, build_classifier, load_or_create_key
from fetch import ComplianceClient
from fetch.client import RetryEvent
from fetch.ratelimit import RequestBudget
from labels import FeedWriter, JsonlFeedWriter, LabelRecord, LabelStore

log = logging.getLogger("chatsift")


def build_app_classifier(settings: Settings) -> Classifier:
    """The classifier the settings describe (loads the spaCy pipeline: about a second)."""
    return build_classifier(
        spacy_model=settings.spacy_model,
        ner=settings.ner,
        hmac_key=load_or_create_key(settings.key_path),
        min_score=settings.min_score,
        policy_path=settings.policy,
        models_dir=settings.models_dir,
    )


def build_client(settings: Settings) -> ComplianceClient:
    """An API client for the configured endpoint and key, pacing itself to the rate budget."""
    per_minute = settings.rate_limit_per_minute
    return ComplianceClient(
        settings.api_url,
        settings.require_api_key(),
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        anthropic_version=settings.anthropic_version,
        on_retry=_log_retry,
        budget=RequestBudget(per_minute, even=settings.rate_limit_pacing == "even") if per_minute else None,
        max_connections=settings.fetch_concurrency + 2,
    )


def _log_retry(event: RetryEvent) -> None:
    log.warning(
        "retrying %s after %s (attempt %d, waiting %.1fs)",
        event.path_template,
        event.code,
        event.attempt,
        event.delay,
    )


class _TracedFeed:
    """The feed writer, with the crash point between a durable write and its outbox ack."""

    def __init__(self, inner: JsonlFeedWriter) -> None:
        self.inner = inner
        self.name = inner.name

    def write(self, records: Sequence[LabelRecord]) -> None:
        self.inner.write(records)
        crashpoints.reached("feed_written")


@dataclass
class Runtime:
    """Everything an online command works with."""

    settings: Settings
    client: ComplianceClient
    store: LabelStore
    classifier: Classifier
    feed: FeedWriter
    pool: ThreadPoolExecutor
    hmac_key: bytes

    @property
    def ruleset(self) -> str:
        """The classifier's ruleset id, part of every record id."""
        return self.classifier.ruleset


@contextmanager
def open_runtime(settings: Settings, *, classifier: Classifier | None = None) -> Iterator[Runtime]:
    """Open client, store and feed (and the classifier unless given); close them all on exit."""
    with ExitStack() as stack:
        client = stack.enter_context(build_client(settings))
        store = stack.enter_context(LabelStore(settings.db_path, before_commit=_commit_point))
        feed = _TracedFeed(JsonlFeedWriter(settings.feed_dir))
        pool = ThreadPoolExecutor(settings.fetch_concurrency, thread_name_prefix="chatsift-fetch")
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        classifier = classifier or build_app_classifier(settings)
        key = load_or_create_key(settings.key_path)
        yield Runtime(settings, client, store, classifier, feed, pool, key)


def _commit_point() -> None:
    crashpoints.reached("commit")


@contextmanager
def open_store(settings: Settings) -> Iterator[tuple[LabelStore, JsonlFeedWriter]]:
    """The store and feed alone, for offline commands that were asked to write them."""
    with LabelStore(settings.db_path) as store:
        yield store, JsonlFeedWriter(settings.feed_dir)
