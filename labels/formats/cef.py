"""ArcSight CEF lines: ``CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension``.

One line per chat, per finding, or per rollup, never a raw newline in it. Header fields escape
``\\`` and ``|`` (a newline in a header field becomes a space: the header has no escape for it);
extension values escape ``\\``, ``=`` and newlines (``\\n``, ``\\r``). The signature id is the
detector id of a finding, or ``chat.labelled`` / ``chat.clean`` / ``chat.failed`` / ``chat.deleted``
/ ``rollup.user`` / ``rollup.project``; severity is 0-10. ``externalId`` is the event id. The
redacted evidence (``cs4``) is the only chat text carried, capped for a whole chat with a
``+N more`` tail. ``parse`` reads a line back (for round-trip tests and receivers' checks).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from classifier.types import Severity
from labels.formats.base import Event, FeedItem, RenderOptions
from labels.formats.common import Unit, action, epoch_ms, outcome, score_pct, title, units
from labels.record import UserRef

CEF_SEVERITY: dict[Severity, int] = {"none": 0, "low": 3, "medium": 5, "high": 8, "critical": 10}
# The evidence slot of a whole chat holds at most this many characters (before escaping) and items.
EVIDENCE_MAX_CHARS = 1000
EVIDENCE_MAX_ITEMS = 10
_KEY = re.compile(r"[A-Za-z0-9_.]+")


class CefHeader(NamedTuple):
    """The seven header fields of a CEF line, unescaped."""

    version: str
    vendor: str
    product: str
    device_version: str
    signature_id: str
    name: str
    severity: str


def escape_header(value: str) -> str:
    """A header field: ``\\`` and ``|`` escaped, line breaks as spaces."""
    value = value.replace("\\", "\\\\").replace("|", "\\|")
    return value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def escape_value(value: str) -> str:
    """An extension value: ``\\``, ``=`` and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace("=", "\\=")
    return value.replace("\r", "\\r").replace("\n", "\\n")


def render(item: FeedItem, options: RenderOptions) -> list[Event]:
    """The CEF lines of ``item`` at ``options.granularity``."""
    return [render_unit(unit, options) for unit in units(item, options.granularity)]


def render_unit(unit: Unit, options: RenderOptions) -> Event:
    """The CEF line of one unit."""
    header = [
        "CEF:0",
        escape_header(options.vendor),
        escape_header(options.product),
        escape_header(options.product_version),
        escape_header(_signature(unit)),
        escape_header(title(unit)),
        str(CEF_SEVERITY[unit.severity]),
    ]
    pairs = _rollup_pairs(unit) if unit.is_rollup else _record_pairs(unit)
    # Extra keys (e.g. tenant) become extension keys of their own; CEF keys are word characters.
    for key, value in sorted(options.extra.items()):
        name = re.sub(r"[^A-Za-z0-9]", "", key)
        if name:
            pairs.append((name, value))
    extension = " ".join(f"{k}={escape_value(v)}" for k, v in pairs)
    return Event(unit.id, unit.time, "|".join(header) + "|" + extension)


def _signature(unit: Unit) -> str:
    if unit.is_rollup:
        return f"rollup.{unit.rollup.scope}"
    if unit.finding is not None:
        return unit.finding.detector
    return f"chat.{action(unit)}"


def _evidence(unit: Unit) -> str:
    """``ENTITY: evidence`` items; a whole chat's list is capped with a ``+N more`` tail."""
    items = [f"{f.entity}: {f.evidence}" for f in unit.findings]
    if unit.finding is not None:
        return items[0]
    kept: list[str] = []
    size = 0
    for text in items:
        if len(kept) == EVIDENCE_MAX_ITEMS or (kept and size + len(text) + 2 > EVIDENCE_MAX_CHARS):
            break
        kept.append(text[:EVIDENCE_MAX_CHARS])
        size += len(kept[-1]) + 2
    rest = len(items) - len(kept)
    return "; ".join(kept) + (f"; +{rest} more" if rest else "")


def _time_and_user(unit: Unit, user: UserRef | None) -> list[tuple[str, str]]:
    """``rt``, then ``suser`` (when there is an address) and ``suid`` of the chat's or rollup's user."""
    pairs = [("rt", str(epoch_ms(unit.time)))]
    if user is not None:
        if user.email_address:
            pairs.append(("suser", user.email_address))
        pairs.append(("suid", user.id))
    return pairs


def _record_pairs(unit: Unit) -> list[tuple[str, str]]:
    record = unit.record
    pairs = _time_and_user(unit, record.user)
    pairs += [
        ("externalId", unit.id),
        ("cat", ",".join(unit.labels)),
        ("act", action(unit)),
        ("outcome", outcome(unit)),
        ("msg", title(unit)),
        ("cs1Label", "chatId"),
        ("cs1", record.chat_id),
    ]
    if unit.finding is not None and unit.finding.message_id is not None:
        pairs += [("cs2Label", "messageId"), ("cs2", unit.finding.message_id)]
    pairs += [("cs3Label", "labels"), ("cs3", ",".join(unit.labels))]
    if unit.findings:
        pairs += [("cs4Label", "evidence"), ("cs4", _evidence(unit))]
    pairs += [
        ("cs5Label", "ruleset"),
        ("cs5", record.ruleset),
        ("cs6Label", "status"),
        ("cs6", record.status + "".join(f" {e.code}" for e in record.errors)),
    ]
    pct = score_pct(unit)
    if pct is not None:
        pairs += [("cn1Label", "scorePct"), ("cn1", str(pct))]
    pairs += [("cn2Label", "findingCount"), ("cn2", str(len(unit.findings)))]
    return pairs


def _rollup_pairs(unit: Unit) -> list[tuple[str, str]]:
    rollup = unit.rollup
    pairs = _time_and_user(unit, rollup.user)
    counts = ",".join(f"{c}:{rollup.categories[c].chats}" for c in unit.labels)
    pairs += [
        ("externalId", unit.id),
        ("cat", ",".join(unit.labels)),
        ("act", "rollup"),
        ("msg", title(unit)),
        ("cs1Label", "subjectId"),
        ("cs1", rollup.subject_id),
        ("cs2Label", "scope"),
        ("cs2", rollup.scope),
        ("cs3Label", "labels"),
        ("cs3", ",".join(unit.labels)),
        ("cs4Label", "categoryChats"),
        ("cs4", counts),
        ("cn1Label", "chats"),
        ("cn1", str(rollup.chats)),
        ("cn2Label", "chatsLabelled"),
        ("cn2", str(rollup.chats_labelled)),
        ("cn3Label", "windowDays"),
        ("cn3", str(rollup.window_days)),
    ]
    return pairs


def _split_header(line: str) -> tuple[list[str], str]:
    """The seven header fields (unescaped) and the raw extension."""
    fields: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line) and len(fields) < 7:
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current.append(line[i + 1])
            i += 2
            continue
        if ch == "|":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    if len(fields) < 7:
        raise ValueError(f"not a CEF line: {len(fields)} header fields")
    return fields, line[i:]


_UNESCAPE = {"\\": "\\", "=": "=", "n": "\n", "r": "\r", "|": "|"}


def _unescape_value(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw) and raw[i + 1] in _UNESCAPE:
            out.append(_UNESCAPE[raw[i + 1]])
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def _parse_extension(text: str) -> dict[str, str]:
    """``key=value`` pairs: a key starts after a space and ends at an unescaped ``=``."""
    equals = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "=":
            equals.append(i)
        i += 1
    result: dict[str, str] = {}
    starts = []
    for pos in equals:
        start = text.rfind(" ", 0, pos) + 1
        key = text[start:pos]
        if not _KEY.fullmatch(key):
            raise ValueError(f"bad CEF extension key at offset {start}")
        starts.append((start, pos))
    if (starts[0][0] if starts else len(text)) != 0 and text:
        raise ValueError("CEF extension does not start with a key")
    for n, (start, pos) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(text)
        result[text[start:pos]] = _unescape_value(text[pos + 1 : end])
    return result


def parse(line: str) -> tuple[CefHeader, dict[str, str]]:
    """The header and the extension of a CEF line, both unescaped."""
    fields, extension = _split_header(line)
    if not fields[0].startswith("CEF:"):
        raise ValueError("not a CEF line: no CEF: prefix")
    return CefHeader(*fields), _parse_extension(extension)
