"""Feed throughput: rendering per format, and delivery through the outbox to each kind of writer.

One seeded set of label records (``--records``, default 5,000, four findings each over two
categories) is committed to a fresh store. Then, in this one process and one after the other:

* **render**: every record rendered in each format (chat granularity; OCSF also per finding);
  events/s, as a ratio to ``record`` (the record's own compact JSON, the JSONL feed's line);
* **scan**: a real ``chatsift scan`` (NER off, so the feed's share is as large as it gets) of a
  simulated organisation (``--chats``, default 400), paced by the client's default budget of 600
  requests/minute as in production, with the JSONL feed only and with JSONL plus syslog TCP, syslog
  TLS and HEC, alternated twice; wall and CPU time (best of two) of the second as ratios to the first;
* **deliver**: the whole outbox drained by ``Deliverer`` (batches of 500, acks in the store) to the
  JSONL file (the baseline), syslog over TCP and over TLS to a real rsyslog on loopback (confirmed
  delivery: one connection per batch), and Splunk HEC to a local HTTP stub; items/s as a ratio to
  JSONL. Each writer's receiver must hold every item once (checked, not assumed).

The machine is shared: compare the ratios, not the absolute rates. ``python -m bench.feed_throughput``
(about 5 minutes); needs rsyslog (``make test`` installs it). Results: ``bench/results/feed_throughput.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS_DIR,
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
from classifier.types import ChatResult, Finding
from labels import Deliverer, FeedWriter, JsonlFeedWriter, LabelRecord, LabelStore
from labels.formats import RenderOptions, renderer
from labels.writers.http import HecWriter
from labels.writers.syslog import SyslogWriter
from tests.labels.httpstub import HttpStub
from tests.labels.rsyslog import RsyslogServer

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def make_records(n: int) -> list[LabelRecord]:
    """``n`` records of ``n // 50`` users, four redacted findings each (secrets and payment)."""
    out = []
    for i in range(n):
        findings = tuple(
            Finding(
                finding_id=f"fd_{i}_{k}",
                category="secrets" if k % 2 else "payment",
                entity="AWS_ACCESS_KEY" if k % 2 else "CREDIT_CARD",
                detector="secrets.aws" if k % 2 else "payment.card",
                score=0.97,
                message_id=f"claude_chat_msg_{i}_{k // 2}",
                role="user",
                block=0,
                segment="prose",
                start=40 * k,
                end=40 * k + 20,
                evidence="deploy with [AWS_ACCESS_KEY:AKIA…6Q] then"
                if k % 2
                else "card [CREDIT_CARD:…1111] ok",
                fingerprint=f"hmac-sha256:{i:032x}{k:032x}",
            )
            for k in range(4)
        )
        result = ChatResult(
            chat_id=f"claude_chat_{i:06d}",
            findings=findings,
            labels=("payment", "secrets"),
            scores={"payment": 0.97, "secrets": 0.97},
            severity="high",
            messages_scanned=6,
            status="ok",
            errors=(),
        )
        out.append(
            LabelRecord.from_result(
                result,
                ruleset="bench",
                scanned_at=T0 + timedelta(hours=1),
                href=None,
                user_id=f"user_{i % max(1, n // 50)}",
                user_email=None,
                organization_uuid="org",
                project_id=None,
                model=None,
                chat_created_at=T0,
                chat_updated_at=T0 + timedelta(seconds=i),
                deleted=False,
            )
        )
    return out


def bench_render(records: list[LabelRecord]) -> list[dict[str, Any]]:
    rows = []
    cases = [(f, "chat") for f in ("record", "ocsf", "ecs", "cef", "syslog")] + [("ocsf", "finding")]
    for fmt, granularity in cases:
        render = renderer(fmt, RenderOptions(granularity=granularity))  # type: ignore[arg-type]
        started = time.perf_counter()
        events = sum(len(render(r)) for r in records)
        seconds = time.perf_counter() - started
        rows.append({"format": fmt, "granularity": granularity, "events": events, "seconds": seconds})
    base = rows[0]["events"] / rows[0]["seconds"]
    for row in rows:
        row["events_per_s"] = row["events"] / row["seconds"]
        row["vs_record"] = row["events_per_s"] / base
    return rows


def bench_deliver(store: LabelStore, writers: list[FeedWriter]) -> list[dict[str, Any]]:
    rows = []
    for writer in writers:
        deliverer = Deliverer(store, [writer], batch=500)
        started = time.perf_counter()
        sent = deliverer.drain(wait_s=0)
        seconds = time.perf_counter() - started
        (outcome,) = deliverer.outcomes()
        deliverer.close()
        rows.append({"writer": writer.name, "items": sent, "pending": outcome.pending, "seconds": seconds})
    base = rows[0]["items"] / rows[0]["seconds"]
    for row in rows:
        row["items_per_s"] = row["items"] / row["seconds"]
        row["vs_jsonl"] = row["items_per_s"] / base
    return rows


def bench_scan(chats: int, rsyslog: RsyslogServer, hec: HttpStub) -> dict[str, Any]:
    """Scans with the JSONL feed only, then with four feeds, alternated: wall and CPU ratios."""
    feeds = {
        "jsonl": [{"type": "jsonl"}],
        "four feeds": [
            {"type": "jsonl"},
            {"type": "syslog", "name": "tcp", "host": "127.0.0.1", "port": rsyslog.port, "tls": False},
            {
                "type": "syslog",
                "name": "tls",
                "host": "127.0.0.1",
                "port": rsyslog.tls_port,
                "ca_file": str(rsyslog.ca_file),
            },
            {"type": "hec", "url": hec.url, "token": "bench-token"},
        ],
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in feeds}
    spec = SimSpec(seed=1, chats=chats, users=users_for(chats), rate_limit_per_minute=None)
    with SimulatorProcess(spec) as sim:
        for _ in range(2):
            for name, config in feeds.items():
                with fresh_workdir() as work:
                    extra = {
                        "CHATSIFT_FEEDS": json.dumps(config),
                        "CHATSIFT_FIRST_RUN_SINCE": "2000-01-01T00:00:00Z",
                    }
                    run = run_scan(work, scan_env(sim.url, work / "data", extra=extra))
                    report = run.report or {}
                    ok = run.exit_code == 0 and all(f["pending"] == 0 for f in report.get("feed", []))
                    runs[name].append({"wall_s": run.wall_s, "cpu_s": run.cpu_s, "ok": ok})
    best = {name: (min(r["wall_s"] for r in rs), min(r["cpu_s"] for r in rs)) for name, rs in runs.items()}
    return {
        "chats": chats,
        "runs": runs,
        "wall_ratio": best["four feeds"][0] / best["jsonl"][0],
        "cpu_ratio": best["four feeds"][1] / best["jsonl"][1],
        "ok": all(r["ok"] for rs in runs.values() for r in rs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=400)
    args = parser.parse_args()
    records = make_records(args.records)
    render_rows = bench_render(records)
    print(f"render: {args.records} records")
    print(f"  {'format':<8}{'granularity':<13}{'events':>8}{'events/s':>11}{'vs record':>11}")
    for r in render_rows:
        rate = f"{r['events_per_s']:>11.0f}{r['vs_record']:>10.2f}x"
        print(f"  {r['format']:<8}{r['granularity']:<13}{r['events']:>8}{rate}")

    with tempfile.TemporaryDirectory(prefix="chatsift-bench-feed-") as tmp:
        work = Path(tmp)
        with (
            LabelStore(work / "chatsift.db") as store,
            RsyslogServer(work / "rsyslog") as rsyslog,
            HttpStub() as hec,
        ):
            for start in range(0, len(records), 500):
                store.commit(records[start : start + 500])
            items = store.undelivered("jsonl")
            syslog = renderer("syslog", RenderOptions(hostname="bench"))
            writers: list[FeedWriter] = [
                JsonlFeedWriter(work / "feed"),
                SyslogWriter("syslog-tcp", "127.0.0.1", rsyslog.port, render=syslog),
                SyslogWriter(
                    "syslog-tls",
                    "127.0.0.1",
                    rsyslog.tls_port,
                    render=syslog,
                    tls=True,
                    ca_file=str(rsyslog.ca_file),
                ),
                HecWriter("hec", hec.url, "bench-token", render=renderer("ocsf")),
            ]
            deliver_rows = bench_deliver(store, writers)
            hec_before = len(hec.requests)
            received = rsyslog.received_records()
            got = {
                "syslog-tcp": sum(r.input == "plain" for r in received),
                "syslog-tls": sum(r.input == "tls" for r in received),
                "hec": sum(len(q.body.splitlines()) for q in hec.requests[:hec_before]),
                "jsonl": len((work / "feed" / "labels.jsonl").read_text().splitlines()),
            }
            scan = bench_scan(args.chats, rsyslog, hec)
    print(f"deliver: {items} outbox items, batches of 500")
    print(f"  {'writer':<12}{'items':>7}{'items/s':>10}{'vs jsonl':>10}{'received':>10}")
    for r in deliver_rows:
        r["received"] = got[r["writer"]]
        rate = f"{r['items_per_s']:>10.0f}{r['vs_jsonl']:>9.2f}x"
        print(f"  {r['writer']:<12}{r['items']:>7}{rate}{r['received']:>10}")
    complete = all(r["items"] == items and r["pending"] == 0 and r["received"] == items for r in deliver_rows)
    print(verdict("every writer got every item once", complete, f"{items} items each", "received == outbox"))
    print(f"scan: {scan['chats']} chats, NER off, best of two runs each")
    for name, rs in scan["runs"].items():
        walls = ", ".join(f"{r['wall_s']:.1f}s" for r in rs)
        print(f"  {name:<11} wall {walls}")
    print(f"  four feeds vs jsonl only: wall {scan['wall_ratio']:.2f}x, CPU {scan['cpu_ratio']:.2f}x")
    print(verdict("every scan complete, every feed caught up", scan["ok"], "exit 0, 0 pending", "all runs"))
    payload = {
        "environment": environment(),
        "records": args.records,
        "render": render_rows,
        "deliver": deliver_rows,
        "scan": scan,
    }
    print(f"written: {write_result(RESULTS_DIR / 'feed_throughput.json', payload)}")
    return 0 if complete and scan["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(cli(main))
