"""Scan memory: peak RSS of ``chatsift scan`` over a small and a ten-times-larger organisation.

Each size gets its own simulator process (no rate limit, no latency; the scan's own pacing off;
short chats when the simulator offers ``messages_per_chat``) and its own ``chatsift scan`` child
with a fresh data directory and NER off; the child's peak RSS comes from ``os.wait4`` (that child
alone, never the simulator). "Stream, don't load": the peak should stay nearly flat as the organisation grows.
Run: ``python -m bench.scan_memory`` (2,000 vs 20,000 chats: several minutes), or smaller sizes
with ``--small 500 --large 5000`` to check the harness.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS_DIR,
    SimSpec,
    SimulatorProcess,
    cli,
    environment,
    fresh_workdir,
    parse_range,
    proc_memory_mb,
    run_scan,
    scan_env,
    users_for,
    verdict,
    write_result,
)

ACCEPT_RATIO = 1.5


def measure_size(spec: SimSpec, tick_s: float, timeout_s: float) -> dict[str, Any]:
    """One scan of one organisation size: peak RSS, times, throughput."""
    label = f"[{spec.chats} chats]"
    print(f"{label} starting the simulator ({spec.users} users, no rate limit, no latency)", flush=True)
    with SimulatorProcess(spec) as sim, fresh_workdir() as work:
        short = f"messages_per_chat={spec.messages_per_chat}" if sim.applied else "default chat lengths"
        print(f"{label} simulator ready in {sim.generate_s:.1f} s ({short}); scanning, NER off", flush=True)

        def tick(elapsed: float, pid: int) -> None:
            memory = proc_memory_mb(pid)
            rss = f"RSS {memory[0]:.0f} MB, peak so far {memory[1]:.0f} MB" if memory else "RSS -"
            print(f"{label} {elapsed:6.0f} s  {sim.snapshot().total} requests answered, {rss}", flush=True)

        scan = run_scan(
            work,
            scan_env(sim.url, work / "data", extra={"CHATSIFT_RATE_LIMIT_PER_MINUTE": "0"}),
            on_tick=tick,
            tick_s=tick_s,
            timeout_s=timeout_s,
        )
        requests = sim.snapshot().total
    report = scan.report or {}
    chats_seen = report.get("chats_seen") or 0
    pipeline_s = report.get("elapsed_s") or scan.wall_s
    row = {
        "chats": spec.chats,
        "users": spec.users,
        "messages_per_chat": sim.applied.get("messages_per_chat"),
        "exit_code": scan.exit_code,
        "peak_rss_mb": scan.peak_rss_mb,
        "wall_s": scan.wall_s,
        "pipeline_s": pipeline_s,
        "cpu_s": scan.cpu_s,
        "chats_seen": chats_seen,
        "chats_failed": report.get("chats_failed"),
        "messages_scanned": report.get("messages_scanned"),
        "chats_per_s": chats_seen / pipeline_s if pipeline_s else 0.0,
        "requests": requests,
    }
    print(
        f"{label} done: exit code {scan.exit_code}, peak RSS {scan.peak_rss_mb:.0f} MB, "
        f"{row['chats_per_s']:.1f} chats/s",
        flush=True,
    )
    if scan.exit_code != 0:
        print(f"{label} scan's last lines: " + " | ".join(scan.stderr_tail), flush=True)
    return row


def render(rows: list[dict[str, Any]]) -> str:
    """The figures as a text table."""
    heads = (
        ("chats", 7),
        ("peak RSS MB", 13),
        ("x smallest", 12),
        ("wall s", 9),
        ("scan s", 9),
        ("chats/s", 9),
    )
    lines = ["  " + "".join(f"{name:>{width}}" for name, width in heads) + f"{'exit':>6}"]
    for r in rows:
        lines.append(
            f"  {r['chats']:>7}{r['peak_rss_mb']:>13.0f}{r['peak_rss_mb'] / rows[0]['peak_rss_mb']:>12.2f}"
            f"{r['wall_s']:>9.1f}{r['pipeline_s']:>9.1f}{r['chats_per_s']:>9.1f}{r['exit_code']:>6}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", type=int, default=2000, help="chats in the small organisation")
    parser.add_argument("--large", type=int, default=20000, help="chats in the large organisation")
    parser.add_argument(
        "--messages",
        type=parse_range,
        default=(2, 4),
        help="MIN-MAX messages per chat, if the simulator supports it (default 2-4)",
    )
    parser.add_argument("--tick", type=float, default=30.0, help="seconds between progress lines")
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds allowed per scan")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "scan_memory.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the criterion fails")
    args = parser.parse_args(argv)

    rows = []
    for chats in (args.small, args.large):
        spec = SimSpec(args.seed, chats, users_for(chats), None, 0.0, args.messages)
        rows.append(measure_size(spec, args.tick, args.timeout))
    ratio = rows[1]["peak_rss_mb"] / rows[0]["peak_rss_mb"]
    print("\nscan memory (peak RSS of the chatsift scan child alone, via os.wait4)")
    print(render(rows))
    print(
        "\n"
        + verdict(
            f"peak RSS ratio {args.large} / {args.small} chats",
            ratio <= ACCEPT_RATIO,
            f"{ratio:.2f}",
            f"<= {ACCEPT_RATIO}",
        )
    )
    notes = []
    if any(r["exit_code"] != 0 for r in rows):
        notes.append("a scan did not finish cleanly: its peak may not cover a whole run")
    if (args.small, args.large) != (2000, 20000):
        notes.append("not the acceptance sizes (2,000 vs 20,000 chats)")
    for note in notes:
        print(f"note: {note}")
    result = {
        "benchmark": "scan_memory",
        "runs": rows,
        "ratio": ratio,
        "acceptance_ratio": ACCEPT_RATIO,
        "notes": notes,
        "environment": environment(),
    }
    print(f"\nwritten to {write_result(args.out, result)}")
    return 1 if args.strict and ratio > ACCEPT_RATIO else 0


if __name__ == "__main__":
    sys.exit(cli(main))
