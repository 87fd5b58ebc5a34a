"""Attachment contents, rebuilt on demand from a seed key: text with planted values, or binary.

Nothing is kept: ``render(recipe)`` makes the same bytes and the same planted spans every time, so
an org of 20,000 chats holds only each attachment's size and md5, never its bytes.

Text kinds (by MIME type): CSV, JSON, prose (Markdown, plain text), code, HTML. A ``big`` text
recipe is padded past ``BIG_TEXT_BYTES`` with its first plant at offset 0 and its last one ending
the content, so a consumer can prove it read everything (or test a size cap). Binary kinds (PDF,
PNG, DOCX, ...) are a real magic header and then seeded random bytes, with no planted values.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from fetch.simulator import corpus
from fetch.simulator.planted import (
    KINDS_BY_NAME,
    PLANT_KINDS,
    Group,
    Piece,
    PlantKind,
    Span,
    TextBuilder,
    Val,
)
from fetch.simulator.values import us_phone

BIG_TEXT_BYTES = (2 << 20) + (64 << 10)  # over 2 MiB, so a 2 MiB download cap has something to refuse
_TEXT_APPLICATIONS = frozenset(
    {"application/json", "application/vnd.ant.code", "application/vnd.ant.react", "application/x-python"}
)
_MAGIC = {
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK\x03\x04\x14\x00\x06\x00",
}


def is_text(mime: str | None) -> bool:
    """Whether attachments of this type get generated text (else seeded binary)."""
    return mime is not None and (mime.startswith("text/") or mime in _TEXT_APPLICATIONS)


@dataclass(frozen=True, slots=True)
class Recipe:
    """How to (re)make one attachment: its seed key, MIME type, plant count, and size class."""

    key: str
    mime: str
    plants: int = 0
    big: bool = False


def render(recipe: Recipe) -> tuple[bytes, list[Span]]:
    """The attachment's bytes and the spans of its planted values (offsets into the decoded text)."""
    rng = random.Random(recipe.key)
    if not is_text(recipe.mime):
        return _MAGIC.get(recipe.mime, b"") + rng.randbytes(rng.randint(256, 12_000)), []
    kinds = [rng.choice(PLANT_KINDS) for _ in range(recipe.plants)]
    text = TextBuilder()
    if recipe.big:
        _big(rng, text, kinds)
    else:
        _writer(recipe.mime)(rng, text, kinds)
    return text.text.encode(), text.spans


def _writer(mime: str) -> Callable[[random.Random, TextBuilder, list[PlantKind]], None]:
    if mime == "text/csv":
        return _csv
    if mime == "application/json":
        return _json
    if mime == "text/html":
        return _html
    if mime in ("application/vnd.ant.code", "application/vnd.ant.react", "application/x-python"):
        return _code
    return _prose


def _sentences(rng: random.Random, count: int) -> str:
    topic = corpus.TOPICS[rng.choice(tuple(corpus.TOPICS))]
    return " ".join(
        corpus.fill(rng, rng.choice(topic[rng.choice(("user", "assistant"))])) for _ in range(count)
    )


def _prose(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """Markdown-ish notes: a heading, paragraphs, each plant in a paragraph of its own."""
    text.add("# ", corpus.fill(rng, "Notes on {feature} for {quarter}"), "\n\n", _sentences(rng, 3))
    for kind in kinds:
        text.add("\n\n", *kind.make(rng), "\n\n", _sentences(rng, 2))
    text.add("\n")


def _csv(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """A customer export when planted (every cell labelled), else a metrics table."""
    if not kinds:
        text.add(corpus.fill(rng, "week,{column},count\n"))
        for week in range(1, rng.randint(6, 30)):
            text.add(f"{week},{rng.choice(corpus.FILLERS['team'])},{rng.randint(0, 9999)}\n")
        return
    rows: list[Piece] = ["name,email,phone"]
    for _ in range(2 + len(kinds)):
        email = _value("email", rng)
        rows += [
            "\n",
            Val(corpus.full_name(rng), "PERSON"),
            ",",
            email,
            ",",
            Val(us_phone(rng), "PHONE_NUMBER"),
        ]
    text.add(Group("CUSTOMER_RECORDS", tuple(rows)), "\n")


def _json(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """A JSON document whose ``notes`` strings carry the plants (JSON-safe kinds only)."""
    text.add('{"title": "', corpus.fill(rng, "{metric} review"), '", "notes": [')
    notes = [(kind if kind.json_safe else KINDS_BY_NAME["email"]).make(rng) for kind in kinds]
    for i, pieces in enumerate(notes or [(_sentences(rng, 1),)]):
        text.add(", " if i else "", '"')
        text.add(*pieces, escape_json=True)
        text.add('"')
    text.add("], ", f'"count": {rng.randint(1, 500)}', "}\n")


def _code(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """A code file: a header comment, a snippet, then each plant pasted below it."""
    text.add("// ", corpus.fill(rng, "{service} helper"), "\n", corpus.code_block(rng).strip("`\n"), "\n")
    for kind in kinds:
        text.add("\n", *kind.make(rng), "\n")


def _html(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """A small HTML page, one paragraph per plant."""
    title = corpus.fill(rng, "{doc} for {feature}")
    text.add("<!doctype html>\n<html><head><title>", title, "</title></head><body>\n")
    text.add("<p>", _sentences(rng, 2), "</p>\n")
    for kind in kinds:
        text.add("<p>", *kind.make(rng), "</p>\n")
    text.add("</body></html>\n")


def _value(kind_name: str, rng: random.Random) -> Val:
    """Just the labelled value of one plant kind's snippet."""
    return next(piece for piece in KINDS_BY_NAME[kind_name].make(rng) if isinstance(piece, Val))


def _big(rng: random.Random, text: TextBuilder, kinds: list[PlantKind]) -> None:
    """Over ``BIG_TEXT_BYTES`` of log lines; a plant starts it and a plant ends it."""
    if kinds:
        text.add(_value("email", rng), " opened this export.\n")
    line = corpus.fill(rng, "INFO {service} processed a batch of {table} rows without errors\n")
    text.add(line * (BIG_TEXT_BYTES // len(line) + 1))
    if kinds:
        text.add("last card seen: ", _value("card_visa16", rng))
