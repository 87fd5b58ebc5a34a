"""The ``chatsift`` command line: parse options, build settings, call the library, map errors.

Every command's errors go through ``_run``, the one place that turns an exception into a message on
standard error and a documented exit code. Messages carry ids, codes and paths; an unexpected
error prints its type and code locations, never its message (which could hold content) and never
local variables.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from chatsift import __version__
from chatsift.errors import ExitCode, exit_code_for
from chatsift.settings import Settings, load_settings

_APP_INFO: dict[str, Any] = {
    "name": "chatsift",
    "help": "Sensitive-content labels for Claude Compliance API chats: labels and redacted evidence only.",
    "no_args_is_help": True,
    "add_completion": False,
}
# Tracebacks must never print local variables (they hold chat text): no locals, no pretty printer.
app = typer.Typer(pretty_exceptions_show_locals=False, pretty_exceptions_enable=False, **_APP_INFO)

T = TypeVar("T")

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="TOML settings file (also CHATSIFT_CONFIG).", show_default=False),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Store, feed and key directory (CHATSIFT_DATA_DIR).", show_default=False),
]
ApiUrlOpt = Annotated[
    str | None,
    typer.Option("--api-url", help="Compliance API base URL (CHATSIFT_API_URL).", show_default=False),
]
NerOpt = Annotated[
    str | None,
    typer.Option(
        "--ner",
        help="spaCy NER for names and places: auto (the default: only where a name could change the "
        "chat's labels or severity), always or off (CHATSIFT_NER).",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Classify in this many worker processes, each with its own classifier; 0 classifies "
        "in this process (CHATSIFT_WORKERS).",
        min=0,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the run summary as one JSON object.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines on standard error.")]


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _fail(exc: BaseException) -> NoReturn:
    code = exit_code_for(exc)
    if code is ExitCode.INTERNAL:
        where = "; ".join(
            f"{Path(f.filename).name}:{f.lineno} in {f.name}"
            for f in traceback.extract_tb(exc.__traceback__)[-4:]
        )
        _err(f"chatsift: internal error {type(exc).__name__} (at {where}); please report it")
    elif code is ExitCode.INTERRUPTED:
        _err("chatsift: interrupted; committed work is kept, rerun to continue")
    elif code is ExitCode.OUTPUT_CLOSED:
        # The reader went away (`| head`): nothing to say, and nothing more can be written there.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    else:
        _err(f"chatsift: {exc}")
    raise typer.Exit(int(code))


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except typer.Exit:
        raise
    except BaseException as exc:  # the one place errors become exit codes
        _fail(exc)


def _settings(config: Path | None, **overrides: object) -> Settings:
    settings = load_settings(config, **overrides)
    _setup_logging(settings.log_level)
    return settings


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # presidio can log every token of the text it analyses at DEBUG: keep it quiet whatever the level.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    # httpx logs full request URLs (cursors, user ids) at INFO: ids stay out of logs below WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def _progress(quiet: bool) -> Callable[[str], None]:
    return (lambda _: None) if quiet else _err


@app.command()
def simulate(
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8787,
    seed: Annotated[int, typer.Option(help="Seed of the generated organisation.")] = 1,
    users: Annotated[int, typer.Option(help="Users in the organisation.", min=1)] = 20,
    chats: Annotated[int, typer.Option(help="Chats in the organisation.", min=0)] = 200,
    api_key: Annotated[str, typer.Option(help="Key clients must send as x-api-key.")] = (
        "sk-ant-api01-chatsift-simulator"
    ),
    rate_limit: Annotated[int, typer.Option(help="Requests per minute (0: unlimited).", min=0)] = 600,
    latency_ms: Annotated[float, typer.Option(help="Added to every response, in milliseconds.", min=0)] = 0,
    ready_file: Annotated[
        Path | None, typer.Option(help="Write the base URL to this file once listening (for scripts).")
    ] = None,
) -> None:
    """Serve a generated organisation over the Compliance API on loopback (no API key needed)."""
    from fetch.simulator import SimulatorServer, generate_org

    def serve() -> None:
        org = generate_org(seed, users=users, chats=chats)
        server = SimulatorServer(
            org,
            host=host,
            port=port,
            api_key=api_key,
            rate_limit_per_minute=rate_limit or None,
            latency_s=latency_ms / 1000,
        )
        server.start()
        if ready_file is not None:
            _write_atomic(ready_file, server.url + "\n")
        _err(f"chatsift simulator: {server.url} ({users} users, {chats} chats, seed {seed}); Ctrl-C stops it")
        try:
            server.serve_forever()
        finally:
            server.stop()

    try:
        _run(serve)
    except typer.Exit as done:
        if done.exit_code == ExitCode.INTERRUPTED:
            raise typer.Exit(0) from None
        raise


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@app.command()
def scan(
    since: Annotated[
        datetime | None,
        typer.Option(
            help="Backfill: label chats updated at or after this RFC 3339 time, in time windows "
            "(resumable; never moves the nightly cursor).",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d"],
        ),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    api_url: ApiUrlOpt = None,
    ner: NerOpt = None,
    workers: WorkersOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Nightly batch: label every chat changed since the stored cursor; write store and feed."""
    from chatsift.pipeline import scan as run_scan
    from chatsift.runtime import open_runtime

    def go() -> int:
        settings = _settings(config, data_dir=data_dir, api_url=api_url, ner=ner, workers=workers)
        when = since if since is None or since.tzinfo else since.replace(tzinfo=UTC)
        with open_runtime(settings) as rt:
            report = run_scan(rt, since=when, progress=_progress(quiet))
        typer.echo(report.to_json() if as_json else report.render())
        return int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE)

    raise typer.Exit(_run(go))


@app.command("scan-user")
def scan_user(
    user: Annotated[str, typer.Argument(help="The user's email address or user id (user_…).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    api_url: ApiUrlOpt = None,
    ner: NerOpt = None,
    workers: WorkersOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """On demand: label one user's chats, print a table of them, and write store and feed."""
    from chatsift.pipeline import scan_user as run_scan_user
    from chatsift.runtime import open_runtime
    from chatsift.tables import rollup_table, user_table

    def go() -> int:
        settings = _settings(config, data_dir=data_dir, api_url=api_url, ner=ner, workers=workers)
        with open_runtime(settings) as rt:
            report, records = run_scan_user(rt, user, progress=_progress(quiet))
            owner = next((r.user.id for r in records if r.user), None)
            rollup = rt.store.rollup("user", owner) if owner else None
        if as_json:
            typer.echo(report.to_json())
        else:
            typer.echo(user_table(records))
            if rollup is not None:
                typer.echo("\n" + rollup_table(rollup))
            typer.echo(report.render())
        return int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE)

    raise typer.Exit(_run(go))


@app.command()
def classify(
    inputs: Annotated[list[str], typer.Argument(help="Chat files (JSONL or a JSON array), or - for stdin.")],
    out: Annotated[
        str, typer.Option("--out", "-o", help="Where to write label records (JSONL); - for stdout.")
    ],
    store: Annotated[
        bool, typer.Option("--store", help="Also commit the records to the store and feed.")
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    ner: NerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Offline: label chats in the messages-endpoint shape; no network, no store unless --store."""
    from chatsift.offline import classify_inputs
    from chatsift.runtime import build_app_classifier, open_store

    def go() -> int:
        settings = _settings(config, data_dir=data_dir, ner=ner)
        classifier = build_app_classifier(settings)
        if store:
            with open_store(settings) as opened:
                report = classify_inputs(inputs, out, classifier, store=opened, problem=_err)
        else:
            report = classify_inputs(inputs, out, classifier, problem=_err)
        summary = report.to_json() if as_json else report.render()
        typer.echo(summary, err=out == "-")
        return int(ExitCode.OK if report.complete else ExitCode.INCOMPLETE)

    raise typer.Exit(_run(go))


_FEED_INFO: dict[str, Any] = {
    "help": "The label feed: render records as SIEM events, show delivery lag, replay, deliver.",
    "no_args_is_help": True,
}
# Like ``app``: tracebacks never print local variables.
feed_app = typer.Typer(pretty_exceptions_show_locals=False, pretty_exceptions_enable=False, **_FEED_INFO)
app.add_typer(feed_app, name="feed")
FeedNamesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--feed", help="Only this configured feed (repeatable); default: every feed.", show_default=False
    ),
]


def _outcomes(outcomes: list[Any]) -> int:
    """Print one line per feed; exit 6 when a feed this process serves is still behind."""
    from chatsift.report import describe_outcome

    for outcome in outcomes:
        typer.echo(describe_outcome(outcome))
    return int(ExitCode.INCOMPLETE if any(o.pending and not o.busy for o in outcomes) else ExitCode.OK)


@feed_app.command("render")
def feed_render(
    labels_file: Annotated[
        str, typer.Argument(help="Label records (JSONL, as in feed/labels.jsonl), or - for stdin.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="ocsf, ecs, cef, syslog or record.")],
    granularity: Annotated[str, typer.Option(help="One event per chat, or per finding.")] = "chat",
    payload: Annotated[
        str, typer.Option(help="syslog only: what follows the structured data (ocsf, ecs, record, cef).")
    ] = "ocsf",
    hostname: Annotated[str, typer.Option(help="syslog only: the HOSTNAME field.")] = "-",
) -> None:
    """Render label records (and rollups) as SIEM events on standard output, one per line."""
    from chatsift.feedcli import render_file

    def go() -> int:
        _, bad = render_file(
            labels_file,
            fmt,
            granularity=granularity,
            payload=payload,
            hostname=hostname,
            out=sys.stdout,
            problem=_err,
        )
        return int(ExitCode.INCOMPLETE if bad else ExitCode.OK)

    raise typer.Exit(_run(go))


@feed_app.command("status")
def feed_status(config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Each feed's backlog (pending items, age of the oldest), last delivery and last error."""
    from chatsift.feedcli import render_status, status_json, status_rows

    def go() -> int:
        settings = _settings(config, data_dir=data_dir)
        rows = status_rows(settings)
        now = datetime.now(UTC)
        configured = {feed.name for feed in settings.feeds}
        typer.echo(status_json(rows, now) if as_json else render_status(rows, configured, now))
        return int(ExitCode.OK)

    raise typer.Exit(_run(go))


@feed_app.command("replay")
def feed_replay(
    since: Annotated[
        datetime,
        typer.Option(
            help="Send again everything that entered the feed at or after this RFC 3339 time.",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d"],
        ),
    ],
    feeds: FeedNamesOpt = None,
    send: Annotated[
        bool, typer.Option("--send/--no-send", help="Deliver right away (default) or at the next run.")
    ] = True,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Re-send feed items from a point in time (consumers dedupe on the ids)."""
    from chatsift.feedcli import deliver, replay

    def go() -> int:
        settings = _settings(config, data_dir=data_dir)
        when = since if since.tzinfo else since.replace(tzinfo=UTC)
        for name, count in replay(settings, when, feeds or []).items():
            typer.echo(f"feed {name}: {count} items to send again")
        if not send:
            return int(ExitCode.OK)
        outcomes = deliver(settings, feeds or [], follow=False, interval=0, progress=_progress(quiet))
        return _outcomes(outcomes)

    raise typer.Exit(_run(go))


@feed_app.command("deliver")
def feed_deliver(
    feeds: FeedNamesOpt = None,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep delivering as scans add records (Ctrl-C stops).")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="--follow: seconds between looks at the outbox.", min=0.1)
    ] = 5.0,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Send what the feeds have not acknowledged yet (a SIEM that was down, a new feed)."""
    from chatsift.feedcli import deliver

    def go() -> int:
        settings = _settings(config, data_dir=data_dir)
        outcomes = deliver(settings, feeds or [], follow=follow, interval=interval, progress=_progress(quiet))
        return _outcomes(outcomes)

    try:
        raise typer.Exit(_run(go))
    except typer.Exit as done:
        if follow and done.exit_code == ExitCode.INTERRUPTED:
            raise typer.Exit(0) from None
        raise


@app.command()
def rollups(
    projects: Annotated[bool, typer.Option("--projects", help="Projects instead of users.")] = False,
    category: Annotated[
        str | None, typer.Option(help="Only subjects with chats in this category, most such chats first.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One chatsift.rollup.v1 object per line.")] = False,
) -> None:
    """Access review: per user (or project), how many chats hold each category, recently and in all."""
    from chatsift.errors import ConfigurationError
    from chatsift.feedcli import open_outbox
    from chatsift.tables import rollups_table
    from classifier.types import CATEGORIES

    def go() -> int:
        if category is not None and category not in CATEGORIES:
            raise ConfigurationError(f"--category must be one of {', '.join(CATEGORIES)}")
        settings = _settings(config, data_dir=data_dir)
        with open_outbox(settings) as store:
            found = store.rollups("project" if projects else "user")
        if category is not None:
            found = [r for r in found if category in r.categories and r.categories[category].chats]
            found.sort(key=lambda r: -r.categories[category].chats)
        if as_json:
            for r in found:
                typer.echo(r.model_dump_json(by_alias=True))
        else:
            typer.echo(rollups_table(found))
        return int(ExitCode.OK)

    raise typer.Exit(_run(go))


@app.command()
def version() -> None:
    """Print chatsift's version."""
    typer.echo(f"chatsift {__version__}")


def main() -> None:
    """Console-script entry point."""
    app()
