"""Build the parts a command needs from settings, once, and close them in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from chatsift.settings import Settings
from classifier import Classifier, build_classifier, load_or_create_key
from fetch import ComplianceClient
from fetch.client import RetryEvent
from labels import JsonlFeedWriter, LabelStore

log = logging.getLogger("chatsift")


def build_app_classifier(settings: Settings) -> Classifier:
    """The classifier the settings describe (loads the spaCy pipeline: about a second)."""
    return build_classifier(
        spacy_model=settings.spacy_model,
        ner=settings.ner,
        hmac_key=load_or_create_key(settings.key_path),
        min_score=settings.min_score,
    )


def build_client(settings: Settings) -> ComplianceClient:
    """An API client for the configured endpoint and key."""
    return ComplianceClient(
        settings.api_url,
        settings.require_api_key(),
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        anthropic_version=settings.anthropic_version,
        on_retry=_log_retry,
    )


def _log_retry(event: RetryEvent) -> None:
    log.warning(
        "retrying %s after %s (attempt %d, waiting %.1fs)",
        event.path_template,
        event.code,
        event.attempt,
        event.delay,
    )


@dataclass
class Runtime:
    """Everything an online command works with."""

    settings: Settings
    client: ComplianceClient
    store: LabelStore
    classifier: Classifier
    feed: JsonlFeedWriter

    @property
    def ruleset(self) -> str:
        """The classifier's ruleset id, part of every record id."""
        return self.classifier.ruleset


@contextmanager
def open_runtime(settings: Settings, *, classifier: Classifier | None = None) -> Iterator[Runtime]:
    """Open client, store and feed (and the classifier unless given); close them all on exit."""
    with ExitStack() as stack:
        client = stack.enter_context(build_client(settings))
        store = stack.enter_context(LabelStore(settings.db_path))
        feed = JsonlFeedWriter(settings.feed_dir)
        yield Runtime(settings, client, store, classifier or build_app_classifier(settings), feed)


@contextmanager
def open_store(settings: Settings) -> Iterator[tuple[LabelStore, JsonlFeedWriter]]:
    """The store and feed alone, for offline commands that were asked to write them."""
    with LabelStore(settings.db_path) as store:
        yield store, JsonlFeedWriter(settings.feed_dir)
