"""Shared benchmark plumbing: a simulator in its own process, scan children, fresh dirs, result files.

The launcher (the benchmark's own process) stays small: it never builds an organisation and never
loads a model. The simulator runs in a spawned child (``SimulatorProcess``) that watches its own
request counters and answers snapshots over a pipe. Each measured ``chatsift scan`` is a separate
child (``run_scan``) reaped with ``os.wait4``, whose rusage is that one child's, not the sum or the
maximum over every child the launcher ever had. Linux also counts, in a child started with vfork
semantics, the launcher's own peak RSS at the moment of the spawn: a maximum, not a sum, so it only
matters if the launcher is larger than the scan; ``environment()`` records it to show it is not.

Errors: ``BenchError`` (the simulator did not start or died, a scan child ran over its time limit).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The simulator's key (not a secret: it only opens the simulator).
SIM_KEY = "sk-ant-api01-chatsift-simulator"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
_WATCH_INTERVAL_S = 0.02  # resolution of the first/last request times
_POLL_S = 0.2


class BenchError(RuntimeError):
    """The harness could not measure (simulator start-up failed, a scan overran its time limit)."""


@dataclass(frozen=True)
class SimSpec:
    """What the simulator serves and how: organisation size, rate limit, latency, chat length."""

    seed: int
    chats: int
    users: int
    rate_limit_per_minute: int | None
    latency_s: float = 0.0
    messages_per_chat: tuple[int, int] | None = None


@dataclass
class SimSnapshot:
    """The simulator's counters, and when its first and last answered requests were seen."""

    total: int
    by_status: dict[int, int]
    by_path: dict[str, int]
    first_at: float | None  # time.monotonic() of the first observed answer (system-wide clock)
    first_total: int  # requests answered when the first answer was observed (>= 1)
    last_at: float | None
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (time, total) at every change

    def status_share(self, status: int) -> float:
        """The share of answered requests that had this status."""
        return self.by_status.get(status, 0) / self.total if self.total else 0.0


def users_for(chats: int) -> int:
    """Users of a benchmark organisation: one per ten chats, at least four (as classify_throughput)."""
    return max(4, chats // 10)


def parse_range(text: str) -> tuple[int, int]:
    """``"2-4"`` -> ``(2, 4)``."""
    low, _, high = text.partition("-")
    first, last = int(low), int(high or low)
    if not 1 <= first <= last:
        raise ValueError(f"not a message-count range: {text!r} (want MIN-MAX, 1 <= MIN <= MAX)")
    return first, last


class _Watch:
    """Polls a simulator's ``Stats.total`` and notes when it changes (the simulator has no timestamps)."""

    def __init__(self, stats: Any) -> None:
        self._stats = stats
        self._lock = threading.Lock()
        self._timeline: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        last = 0
        while not self._stop.wait(_WATCH_INTERVAL_S):
            total = self._stats.total
            if total != last:
                with self._lock:
                    self._timeline.append((time.monotonic(), total))
                last = total

    def snapshot(self, with_timeline: bool) -> SimSnapshot:
        with self._lock:
            timeline = list(self._timeline)
        first = timeline[0] if timeline else None
        return SimSnapshot(
            total=self._stats.total,
            by_status=self._stats.by_status,
            by_path=self._stats.by_path,
            first_at=first[0] if first else None,
            first_total=first[1] if first else 0,
            last_at=timeline[-1][0] if timeline else None,
            timeline=timeline if with_timeline else [],
        )


def _generate(spec: SimSpec) -> tuple[Any, dict[str, Any]]:
    """Build the organisation; use ``messages_per_chat`` only if this simulator offers it."""
    import inspect

    from fetch.simulator import generate_org

    options: dict[str, Any] = {}
    if spec.messages_per_chat and "messages_per_chat" in inspect.signature(generate_org).parameters:
        options["messages_per_chat"] = spec.messages_per_chat
    return generate_org(spec.seed, users=spec.users, chats=spec.chats, **options), options


def _serve(spec: SimSpec, conn: Any) -> None:
    """The simulator child: generate, serve, answer "stats"/"final" with snapshots until "stop"."""
    from fetch.simulator import SimulatorServer

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the launcher's to handle; it says "stop"

    started = time.monotonic()
    org, options = _generate(spec)
    generate_s = time.monotonic() - started
    server = SimulatorServer(
        org, api_key=SIM_KEY, rate_limit_per_minute=spec.rate_limit_per_minute, latency_s=spec.latency_s
    )
    server.start()
    watch = _Watch(server.stats)
    watch.start()
    conn.send(
        {"url": server.url, "generate_s": generate_s, "applied": {k: list(v) for k, v in options.items()}}
    )
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the launcher is gone
                return
            if message == "stop":
                return
            conn.send(watch.snapshot(with_timeline=message == "final"))
    finally:
        watch.stop()
        server.stop()


class SimulatorProcess:
    """A simulator in a spawned child process: its memory and threads are not the scan's."""

    def __init__(self, spec: SimSpec, start_timeout_s: float = 900.0) -> None:
        self.spec = spec
        self.start_timeout_s = start_timeout_s
        self.url = ""
        self.generate_s = 0.0
        self.applied: dict[str, Any] = {}
        self._proc: Any = None
        self._conn: Any = None

    def __enter__(self) -> SimulatorProcess:
        ctx = mp.get_context("spawn")
        self._conn, child_conn = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(self.spec, child_conn), name="bench-simulator")
        self._proc.start()
        child_conn.close()
        try:
            if not self._conn.poll(self.start_timeout_s):
                raise BenchError(f"the simulator did not start within {self.start_timeout_s:.0f} s")
            hello = self._conn.recv()
        except EOFError:
            self._proc.join(timeout=5)
            raise BenchError(
                f"the simulator exited during start-up (exit code {self._proc.exitcode})"
            ) from None
        except BaseException:
            self._shutdown()
            raise
        self.url, self.generate_s, self.applied = hello["url"], hello["generate_s"], hello["applied"]
        return self

    def snapshot(self, final: bool = False) -> SimSnapshot:
        """The counters now; ``final`` also brings the whole (time, total) timeline."""
        try:
            self._conn.send("final" if final else "stats")
            snap: SimSnapshot = self._conn.recv()
        except (EOFError, OSError):
            raise BenchError(f"the simulator died (exit code {self._proc.exitcode})") from None
        return snap

    def __exit__(self, *exc: object) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        with suppress(OSError, ValueError):  # the child may be gone already
            self._conn.send("stop")
        self._proc.join(timeout=10)
        if self._proc.is_alive():  # only ever our own child, by its pid
            self._proc.terminate()
            self._proc.join(timeout=5)
        self._conn.close()


@contextmanager
def fresh_workdir(prefix: str = "chatsift-bench-") -> Iterator[Path]:
    """A new temporary directory (data dir and the scan's output files), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def scan_env(
    api_url: str, data_dir: Path, ner: str | None = "off", extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The launcher's environment without any CHATSIFT_* setting of its own, plus the scan's.

    ``ner``: the scan's ``CHATSIFT_NER``; None leaves it unset, so the scan uses the app's default.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSIFT_")}
    env.update(CHATSIFT_API_URL=api_url, CHATSIFT_API_KEY=SIM_KEY, CHATSIFT_DATA_DIR=str(data_dir))
    if ner is not None:
        env["CHATSIFT_NER"] = ner
    env.update(extra or {})
    return env


@dataclass
class ScanRun:
    """One ``chatsift scan`` child: exit code, times, its own peak RSS, its ``--json`` summary."""

    exit_code: int
    started_at: float  # time.monotonic() just before the spawn
    wall_s: float
    peak_rss_mb: float
    cpu_s: float
    report: dict[str, Any] | None
    stderr_tail: list[str]


Tick = Callable[[float, int], None]


def run_scan(
    workdir: Path,
    env: dict[str, str],
    *,
    on_tick: Tick | None = None,
    tick_s: float = 15.0,
    timeout_s: float = 3600.0,
) -> ScanRun:
    """Run ``python -m chatsift scan --json`` as a child and reap it with ``os.wait4``."""
    out, err = workdir / "scan.stdout", workdir / "scan.stderr"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(out), flags, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, str(err), flags, 0o600),
    ]
    argv = [sys.executable, "-m", "chatsift", "scan", "--json"]
    started = time.monotonic()
    pid = os.posix_spawn(sys.executable, argv, env, file_actions=actions)
    status, usage = _reap(pid, started, on_tick, tick_s, timeout_s)
    wall = time.monotonic() - started
    return ScanRun(
        exit_code=os.waitstatus_to_exitcode(status),
        started_at=started,
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        cpu_s=usage.ru_utime + usage.ru_stime,
        report=_last_json_line(out),
        stderr_tail=err.read_text(encoding="utf-8", errors="replace").splitlines()[-5:],
    )


def _reap(pid: int, started: float, on_tick: Tick | None, tick_s: float, timeout_s: float) -> tuple[int, Any]:
    next_tick = started + tick_s
    reaped = False
    try:
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                reaped = True
                return status, usage
            now = time.monotonic()
            if now - started > timeout_s:
                raise BenchError(f"the scan ran over its time limit of {timeout_s:.0f} s")
            if on_tick is not None and now >= next_tick:
                on_tick(now - started, pid)
                next_tick += tick_s
            time.sleep(_POLL_S)
    finally:
        if not reaped:  # interrupted or over time: stop our own child and reap it
            _stop_child(pid)


def _stop_child(pid: int, grace_s: float = 10.0) -> None:
    """SIGTERM our scan child, SIGKILL it if it is still there after ``grace_s``, and reap it."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if os.wait4(pid, os.WNOHANG)[0]:
            return
        time.sleep(_POLL_S)
    os.kill(pid, signal.SIGKILL)
    os.wait4(pid, 0)


def _last_json_line(path: Path) -> dict[str, Any] | None:
    for line in reversed(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) else None
    return None


def proc_memory_mb(pid: int) -> tuple[float, float] | None:
    """(current RSS, peak RSS so far) of a running process from /proc, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    try:
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (KeyError, ValueError, IndexError):
        return None  # a zombie has no memory lines


def environment() -> dict[str, Any]:
    """Where and when: the figures only compare within one run on a shared machine."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "launcher_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def write_result(path: Path, payload: Any) -> Path:
    """Write a benchmark's result as indented JSON (creating the directory) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def cli(main: Callable[[], int]) -> int:
    """Run a benchmark's ``main``: harness errors and Ctrl-C become a message and an exit code."""
    try:
        return main()
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: children stopped, nothing written", file=sys.stderr)
        return 130


def verdict(name: str, ok: bool, figure: str, criterion: str) -> str:
    """One line per acceptance criterion."""
    return f"{'PASS' if ok else 'FAIL'}  {name}: {figure} (acceptance: {criterion})"
