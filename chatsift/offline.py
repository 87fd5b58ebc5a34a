"""Offline classification: chat objects in the messages-endpoint shape in, label records out.

Input is JSONL (one chat per line), a JSON array of chats, or ``-`` for standard input; the format
is recognised by the first non-blank character. A chat that cannot be parsed is reported by its
place (``file:line`` or ``file[index]``) and the reason's location and type, never its content,
and every other chat is still labelled.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from chatsift.errors import InputError
from chatsift.feeds import StoreTarget, finish_feed
from chatsift.labeling import classify_chat
from chatsift.report import RunReport
from classifier import Classifier
from fetch.models import Chat
from fetch.parsing import summarize_validation
from labels import LabelRecord

STORE_BATCH = 100


@dataclass(frozen=True)
class InputItem:
    """One chat object read from input, or the reason it could not be read."""

    where: str
    obj: Any = None
    problem: str | None = None


def iter_items(source: str) -> Iterator[InputItem]:
    """Every chat object in ``source`` (a path or ``-``)."""
    with _open_source(source) as stream:
        name = "<stdin>" if source == "-" else source
        yield from _items(stream, name)


@contextmanager
def _open_source(source: str) -> Iterator[IO[str]]:
    if source == "-":
        yield sys.stdin
        return
    try:
        stream = open(source, encoding="utf-8", errors="strict")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise InputError(f"input not found: {source}") from None
    except OSError as exc:
        raise InputError(f"cannot read input {source}: {exc.strerror}") from None
    with stream:
        yield stream


def _items(stream: IO[str], name: str) -> Iterator[InputItem]:
    lines = enumerate(_lines(stream, name), 1)
    first = next(((n, line) for n, line in lines if line.strip()), None)
    if first is None:
        return
    lineno, line = first
    if line.lstrip().startswith("["):
        text = line + "".join(rest for _, rest in lines)
        yield from _array_items(text, name)
        return
    yield _jsonl_item(line, f"{name}:{lineno}")
    for lineno, rest in lines:
        if rest.strip():
            yield _jsonl_item(rest, f"{name}:{lineno}")


def _lines(stream: IO[str], name: str) -> Iterator[str]:
    try:
        yield from stream
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte offset {exc.start})") from None


def _array_items(text: str, name: str) -> Iterator[InputItem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputItem(name, problem=_json_problem(exc))
        return
    if not isinstance(data, list):
        yield InputItem(name, problem="expected a JSON array of chats")
        return
    for index, obj in enumerate(data):
        yield InputItem(f"{name}[{index}]", obj)


def _jsonl_item(line: str, where: str) -> InputItem:
    try:
        return InputItem(where, json.loads(line))
    except json.JSONDecodeError as exc:
        return InputItem(where, problem=_json_problem(exc))


def _json_problem(exc: json.JSONDecodeError) -> str:
    # exc.msg is the decoder's fixed text ("Expecting value"); exc.doc would be the content.
    return f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def parse_chat(item: InputItem) -> Chat:
    """Validate one input object as a chat; errors name locations and types, never values."""
    if item.problem is not None:
        raise InputError(f"{item.where}: {item.problem}")
    try:
        return Chat.model_validate(item.obj)
    except ValidationError as exc:
        raise InputError(f"{item.where}: not a chat object: {summarize_validation(exc)}") from None


@contextmanager
def open_output(out: str) -> Iterator[IO[str]]:
    """The output stream: ``-`` for stdout, else a file created with 0600 permissions."""
    if out == "-":
        yield sys.stdout
        return
    path = Path(out)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        yield stream


def classify_inputs(
    sources: list[str],
    out: str,
    classifier: Classifier,
    *,
    store: StoreTarget | None = None,
    problem: Callable[[str], None] = lambda _: None,
) -> RunReport:
    """Label every chat in ``sources`` into ``out``; optionally commit them to the store too."""
    report = RunReport(command="classify", output="<stdout>" if out == "-" else out)
    started = time.monotonic()
    batch: list[LabelRecord] = []
    with open_output(out) as stream:
        for source in sources:
            for item in iter_items(source):
                report.chats_seen += 1
                try:
                    chat = parse_chat(item)
                except InputError as exc:
                    report.chats_failed += 1
                    report.failures["invalid_chat"] += 1
                    problem(str(exc))
                    continue
                record = classify_chat(classifier, chat)
                stream.write(record.model_dump_json(by_alias=True) + "\n")
                stream.flush()
                report.records_output += 1
                report.add_record(record)
                if store is not None:
                    batch.append(record)
                    if len(batch) >= STORE_BATCH:
                        _store(store, batch, report)
    if store is not None:
        _store(store, batch, report)
        finish_feed(store.store, store.deliverer, store.settings, report, datetime.now(UTC))
    report.elapsed_s = time.monotonic() - started
    return report


def _store(target: StoreTarget, records: list[LabelRecord], report: RunReport) -> None:
    if records:
        result = target.store.commit(records)
        report.records_written += len(result.new)
        report.records_skipped += len(result.skipped)
        records.clear()
    report.records_delivered += target.deliverer.poll()
