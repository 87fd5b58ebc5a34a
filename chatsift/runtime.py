"""Build the parts a command needs from settings, once, and close them in one place.

With ``workers >= 1`` the runtime also holds a pool of that many spawned classifier processes
(``classifier_pool``). Each builds its classifier once, at start-up, from the same settings (the
API key left out), then classifies one ``ChatText`` per call and sends back the ``ChatResult`` and
how long it took. A worker ignores SIGINT: Ctrl-C is the scan process's to handle, and it shuts
the pool down (queued calls cancelled, running ones finished). A classification that raises in a
worker comes back as ``WorkerClassifyError`` naming the exception type only, with no chained cause
and so no message: the original could quote the chat's text.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from chatsift import crashpoints
from chatsift.errors import ChatsiftError
from chatsift.feeds import StoreTarget, build_deliverer
from chatsift.settings import Settings
from classifier import Classifier, build_classifier, load_or_create_key
from classifier.types import ChatResult, ChatText
from fetch import ComplianceClient
from fetch.client import RetryEvent
from fetch.ratelimit import RequestBudget
from labels import Deliverer, FeedWriter, LabelStore
from labels.formats.base import FeedItem

log = logging.getLogger("chatsift")


@dataclass(frozen=True)
class Classified:
    """A classifier result, the seconds the call took, and the CPU seconds its thread used."""

    result: ChatResult
    seconds: float
    cpu_seconds: float


def classify_timed(classifier: Classifier, text: ChatText) -> Classified:
    """``classifier.classify(text)``, timed by the clock and by the calling thread's CPU time."""
    started, cpu = time.perf_counter(), time.thread_time()
    result = classifier.classify(text)
    return Classified(result, time.perf_counter() - started, time.thread_time() - cpu)


ClassifierFactory = Callable[[Settings], Classifier]


class ClassifierPoolError(ChatsiftError):
    """The classifier cannot go on (a worker process died, or chats fail to classify in a row)."""


class WorkerClassifyError(Exception):
    """Classification raised in a worker process; the message is the exception's type name only."""


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
    """A feed writer, with the crash point between a durable write and its outbox ack."""

    def __init__(self, inner: FeedWriter) -> None:
        self.inner = inner
        self.name = inner.name

    def write(self, items: Sequence[FeedItem]) -> None:
        self.inner.write(items)
        crashpoints.reached("feed_written")

    def close(self) -> None:
        self.inner.close()


@dataclass
class Runtime:
    """Everything an online command works with."""

    settings: Settings
    client: ComplianceClient
    store: LabelStore
    classifier: Classifier
    deliverer: Deliverer
    pool: ThreadPoolExecutor
    hmac_key: bytes
    classifier_pool: ProcessPoolExecutor | None = None  # settings.workers >= 1: classify there

    @property
    def ruleset(self) -> str:
        """The classifier's ruleset id, part of every record id."""
        return self.classifier.ruleset


@contextmanager
def open_runtime(
    settings: Settings,
    *,
    classifier: Classifier | None = None,
    worker_classifier: ClassifierFactory = build_app_classifier,
) -> Iterator[Runtime]:
    """Open client, store and feed (and the classifier unless given); close them all on exit.

    ``worker_classifier`` is what each worker process calls to build its classifier when
    ``settings.workers >= 1``; it must be a module-level function (it is sent by name).
    """
    with ExitStack() as stack:
        client = stack.enter_context(build_client(settings))
        store = stack.enter_context(LabelStore(settings.db_path, before_commit=_commit_point))
        deliverer = build_deliverer(settings, store, wrap=_TracedFeed)
        stack.callback(deliverer.close)
        pool = ThreadPoolExecutor(settings.fetch_concurrency, thread_name_prefix="chatsift-fetch")
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        classifier = classifier or build_app_classifier(settings)
        key = load_or_create_key(settings.key_path)  # before any worker could race to create it
        workers = None
        if settings.workers:
            workers = open_classifier_pool(settings, worker_classifier)
            stack.callback(workers.shutdown, wait=True, cancel_futures=True)
        yield Runtime(settings, client, store, classifier, deliverer, pool, key, workers)


def open_classifier_pool(settings: Settings, factory: ClassifierFactory) -> ProcessPoolExecutor:
    """``settings.workers`` spawned processes, each building its classifier once with ``factory``."""
    # Only what a classifier is built from crosses to the workers: never the API key.
    plain = Settings.model_construct(**{**dict(settings), "api_key": None})
    return ProcessPoolExecutor(
        settings.workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(plain, factory),
    )


_WORKER_CLASSIFIER: Classifier | None = None  # in a worker process: its one classifier


def _start_worker(settings: Settings, factory: ClassifierFactory) -> None:
    global _WORKER_CLASSIFIER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the scan process shuts the pool down
    _WORKER_CLASSIFIER = factory(settings)


def classify_in_worker(text: ChatText) -> Classified:
    """Run in a worker process: classify one chat; a failure is reported by its type name only."""
    classifier = _WORKER_CLASSIFIER
    if classifier is None:
        raise WorkerClassifyError("no classifier in this process (not a pool worker)")
    try:
        return classify_timed(classifier, text)
    except Exception as exc:
        failed = type(exc).__name__
    # Raised outside the handler, so with no cause and no context: the pool sends the formatted
    # traceback back, and the original exception's message could quote the chat.
    raise WorkerClassifyError(failed)


def _commit_point() -> None:
    crashpoints.reached("commit")


@contextmanager
def open_store(settings: Settings) -> Iterator[StoreTarget]:
    """The store and its feed writers alone, for offline commands that were asked to write them."""
    with LabelStore(settings.db_path) as store:
        deliverer = build_deliverer(settings, store)
        try:
            yield StoreTarget(store, deliverer, settings)
        finally:
            deliverer.close()
