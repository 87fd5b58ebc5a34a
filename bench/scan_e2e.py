"""End to end: is a real ``chatsift scan`` bounded by the API's budget or by the CPU?

A simulator with the API's limit (600 requests/minute sliding window per parent organisation) and
50 ms of latency per request serves a generated organisation (default chat lengths) from its own
process; ``chatsift scan --json`` runs against it as a child process with a fresh data directory and
the app's DEFAULT NER mode (``CHATSIFT_NER`` is not set), once per ``--workers`` value, each run
with its own fresh simulator. Figures per run:

* budget use: as ``bench.fetch_budget`` (requests answered from the first to the last answer, per
  minute, over 600);
* CPU share: the scan child's CPU seconds (``os.wait4`` rusage, user + system, its worker
  processes included once reaped) over its wall seconds times the machine's cores;
* classifier busy share: the classifier's busy seconds (``classify_seconds`` of the scan's
  ``--json`` summary: clock time around the classify calls, summed over worker processes) over the
  pipeline's elapsed seconds (times the number of workers, when there are workers); the CPU time of
  those calls (``classify_cpu_seconds``) is printed next to it: well below the busy time, the
  classifier waited for a core the machine gave to something else;
* tail: the pipeline's seconds after the last answered request (store, feed, and any classifying
  that lags behind the fetching).

Verdict per run: "API-bound: yes" when budget use >= 90% and the classifier busy share < 60%.
Run: ``python -m bench.scan_e2e`` (about 3 minutes per run; ``--workers 0`` for one run,
``--quick`` for a smoke run that is not the acceptance figure).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS_DIR,
    ScanRun,
    SimSpec,
    SimulatorProcess,
    cli,
    environment,
    fresh_workdir,
    run_scan,
    scan_env,
    users_for,
    verdict,
    write_result,
)
from bench.fetch_budget import WINDOW_S, measure

ACCEPT_BUDGET_USE = 0.90
ACCEPT_BUSY_SHARE = 0.60
DEFAULT_CHATS = 1000  # about 1,800 requests (messages, attachments, list pages): about 3 minutes at 600/min
QUICK_CHATS = 150


def parse_workers(text: str) -> list[int]:
    """``"0,2"`` -> ``[0, 2]``: the ``CHATSIFT_WORKERS`` value of each run."""
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(v < 0 for v in values):
        raise ValueError(f"not a list of worker counts: {text!r} (want e.g. 0 or 0,2)")
    return values


def figures(m: dict[str, Any], scan: ScanRun, workers: int, cores: int) -> dict[str, Any]:
    """The run's CPU and classifier figures next to the simulator's budget figures."""
    report = scan.report or {}
    elapsed = float(report.get("elapsed_s") or 0.0)
    busy = float(report.get("classify_seconds") or 0.0)
    busy_capacity = elapsed * max(1, workers)
    startup = m["startup_s"] or 0.0
    return {
        "workers": workers,
        "exit_code": scan.exit_code,
        "wall_s": scan.wall_s,
        "pipeline_s": elapsed,
        "cpu_s": scan.cpu_s,
        "cpu_share": scan.cpu_s / (scan.wall_s * cores) if scan.wall_s > 0 else 0.0,
        "classify_s": busy,
        "classify_cpu_s": float(report.get("classify_cpu_seconds") or 0.0),
        "classify_busy_share": busy / busy_capacity if busy_capacity > 0 else 0.0,
        "tail_after_last_request_s": max(0.0, scan.wall_s - startup - m["span_s"]),
        "chats_seen": report.get("chats_seen"),
        "chats_labelled": report.get("chats_labelled"),
        "chats_failed": report.get("chats_failed"),
        "messages_classified": report.get("messages_classified"),
        "api_requests": report.get("api_requests"),
        "throttled_s": report.get("throttled_s"),
        "aborted": report.get("aborted"),
        "peak_rss_mb": scan.peak_rss_mb,
    }


def api_bound(m: dict[str, Any], f: dict[str, Any]) -> bool:
    """Budget (nearly) all used while the classifier still had room."""
    return m["budget_use"] >= ACCEPT_BUDGET_USE and f["classify_busy_share"] < ACCEPT_BUSY_SHARE


def render(m: dict[str, Any], f: dict[str, Any]) -> str:
    """One run's figures as a text table."""
    rows = [
        ("requests answered", f"{m['requests_answered']} ({m['share_429']:.2%} 429)"),
        ("first -> last request", f"{m['span_s']:.1f} s"),
        ("budget use", f"{m['budget_use']:.1%} ({m['requests_per_min']:.0f} of {m['budget_per_min']}/min)"),
        ("scan wall time (process)", f"{f['wall_s']:.1f} s (pipeline {f['pipeline_s']:.1f} s)"),
        ("tail after the last request", f"{f['tail_after_last_request_s']:.1f} s"),
        ("scan CPU (user+system)", f"{f['cpu_s']:.1f} s = {f['cpu_share']:.0%} of the machine's cores"),
        (
            "classifier busy",
            f"{f['classify_s']:.1f} s (CPU {f['classify_cpu_s']:.1f} s) = {f['classify_busy_share']:.0%} of "
            "the pipeline's time" + (f" x {f['workers']} workers" if f["workers"] else ""),
        ),
        (
            "chats seen / labelled / failed",
            f"{f['chats_seen']} / {f['chats_labelled']} / {f['chats_failed']}",
        ),
        ("messages classified", f"{f['messages_classified']}"),
        ("scan exit code", f"{f['exit_code']}"),
    ]
    return "\n".join(f"  {name:<32}{value}" for name, value in rows)


def one_run(args: argparse.Namespace, workers: int, cores: int) -> dict[str, Any]:
    """A fresh simulator, a fresh data directory, one scan child; the figures."""
    spec = SimSpec(args.seed, args.chats, users_for(args.chats), args.rate_limit, args.latency)
    label = f"[workers={workers}]"
    with SimulatorProcess(spec) as sim, fresh_workdir() as work:
        ner = f"NER {args.ner}" if args.ner else "the app's default NER mode"
        print(f"{label} simulator ready in {sim.generate_s:.1f} s; scanning with {ner}", flush=True)

        def tick(elapsed: float, _pid: int) -> None:
            print(f"{label} {elapsed:6.0f} s  {sim.snapshot().total} requests answered", flush=True)

        extra = {"CHATSIFT_WORKERS": str(workers)}
        env = scan_env(sim.url, work / "data", ner=args.ner, extra=extra)
        scan = run_scan(work, env, on_tick=tick, tick_s=args.tick)
        final = sim.snapshot(final=True)
    if final.total == 0 or scan.report is None:
        print(
            f"{label} the scan did not finish (exit code {scan.exit_code}); its last lines:", file=sys.stderr
        )
        print("\n".join(scan.stderr_tail), file=sys.stderr)
    m = measure(final, args.rate_limit, scan)
    m.pop("by_path", None)
    f = figures(m, scan, workers, cores)
    return {"workers": workers, "measured": m, "scan": f, "api_bound": api_bound(m, f)}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--chats", type=int, default=None, help=f"organisation size (default {DEFAULT_CHATS})"
    )
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_CHATS} chats")
    parser.add_argument("--workers", type=parse_workers, default=[0, 2], help="runs' CHATSIFT_WORKERS (0,2)")
    parser.add_argument("--ner", default=None, help="CHATSIFT_NER of the scans (default: not set)")
    parser.add_argument("--rate-limit", type=int, default=600, help="the simulator's requests per minute")
    parser.add_argument("--latency", type=float, default=0.05, help="simulated seconds per request")
    parser.add_argument("--tick", type=float, default=30.0, help="seconds between progress lines")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "scan_e2e.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless the workers=0 run is API-bound")
    args = parser.parse_args(argv)
    args.chats = args.chats or (QUICK_CHATS if args.quick else DEFAULT_CHATS)
    cores = os.cpu_count() or 1
    print(
        f"scan e2e: {args.chats} chats, {args.rate_limit}/min, {args.latency * 1000:.0f} ms latency, "
        f"runs with workers {', '.join(map(str, args.workers))}; {cores} cores",
        flush=True,
    )
    runs = [one_run(args, workers, cores) for workers in args.workers]
    lines: list[str] = []
    for run in runs:
        m, f = run["measured"], run["scan"]
        print(f"\nworkers={run['workers']}")
        print(render(m, f))
        lines.append(
            verdict(
                f"API-bound: {'yes' if run['api_bound'] else 'no'} (workers={run['workers']})",
                run["api_bound"],
                f"budget use {m['budget_use']:.1%}, classifier busy {f['classify_busy_share']:.0%}, "
                f"CPU {f['cpu_share']:.0%} of {cores} cores",
                f"budget use >= {ACCEPT_BUDGET_USE:.0%} and classifier busy < {ACCEPT_BUSY_SHARE:.0%}",
            )
        )
    notes = []
    if args.chats < DEFAULT_CHATS:
        notes.append(f"smoke run ({args.chats} chats): the acceptance figure needs --chats {DEFAULT_CHATS}")
    if any(run["measured"]["span_s"] < 2 * WINDOW_S for run in runs):
        notes.append(
            "a run's requests spanned under two minutes: the 60 s sliding window admits a whole minute's "
            "budget at once, so budget use over a short span says little (it can pass 100%)"
        )
    print("\n" + "\n".join(lines + [f"note: {n}" for n in notes]))
    result = {
        "benchmark": "scan_e2e",
        "simulator": {
            "chats": args.chats,
            "seed": args.seed,
            "rate_limit_per_minute": args.rate_limit,
            "latency_s": args.latency,
        },
        "ner": args.ner or "app default (CHATSIFT_NER not set)",
        "runs": runs,
        "notes": notes,
        "environment": environment(),
    }
    print(f"\nwritten to {write_result(args.out, result)}")
    baseline = next((run for run in runs if run["workers"] == 0), runs[0])
    return 1 if args.strict and not baseline["api_bound"] else 0


if __name__ == "__main__":
    sys.exit(cli(main))
