"""What the feed formats share: the unit an event is rendered from, and the maps between vocabularies.

``units`` splits a feed item into what one event describes. A label record gives one unit per chat
(granularity ``chat``) or one per finding (``finding``); a record without findings (a clean chat,
an error record, a deleted chat) still gives one chat-level unit, so every record is represented
in every feed. A rollup always gives one unit. The unit's ``id`` is the deterministic event id:
``record_id``, ``record_id:finding_id`` or ``rollup_id``; its ``time`` is the record's
``scanned_at`` (a rollup's ``as_of``), an aware UTC datetime.

The texts built here (titles, locations) are made of ids, entity and category names and counts
only: no chat text, and no evidence either (formats that carry evidence add it themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from classifier.types import CATEGORIES, Category, Severity
from labels.formats.base import FeedItem, Granularity
from labels.record import FindingRecord, LabelRecord
from labels.rollup import RollupRecord
from labels.timestamps import parse_rfc3339

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Unit:
    """What one event describes: a whole record, one finding of it, or a rollup."""

    id: str
    time: datetime
    item: FeedItem
    finding: FindingRecord | None = None

    @property
    def record(self) -> LabelRecord:
        """The label record (only for record units)."""
        assert isinstance(self.item, LabelRecord)
        return self.item

    @property
    def rollup(self) -> RollupRecord:
        """The rollup (only for rollup units)."""
        assert isinstance(self.item, RollupRecord)
        return self.item

    @property
    def is_rollup(self) -> bool:
        """Whether the unit is a rollup."""
        return isinstance(self.item, RollupRecord)

    @property
    def findings(self) -> list[FindingRecord]:
        """The findings this unit is about: its one finding, or all of the record's."""
        if self.finding is not None:
            return [self.finding]
        return [] if self.is_rollup else list(self.record.findings)

    @property
    def labels(self) -> list[Category]:
        """The categories this unit is about."""
        if self.is_rollup:
            return [c for c in CATEGORIES if c in self.rollup.categories]
        if self.finding is not None:
            return [self.finding.category]
        return list(self.record.labels)

    @property
    def severity(self) -> Severity:
        """The severity of the chat (or of the rollup's subject)."""
        return self.item.severity

    @property
    def kind(self) -> str:
        """``label``, ``finding`` or ``rollup``: the event's kind (syslog MSGID, ECS dataset)."""
        if self.is_rollup:
            return "rollup"
        return "finding" if self.finding is not None else "label"


def units(item: FeedItem, granularity: Granularity) -> list[Unit]:
    """The units ``item`` is rendered from, in a fixed order."""
    if isinstance(item, RollupRecord):
        return [Unit(item.rollup_id, parse_rfc3339(item.as_of), item)]
    time = parse_rfc3339(item.scanned_at)
    if granularity == "finding" and item.findings:
        return [Unit(f"{item.record_id}:{f.finding_id}", time, item, f) for f in item.findings]
    return [Unit(item.record_id, time, item)]


def epoch_ms(value: str | datetime) -> int:
    """Milliseconds since the epoch of an RFC 3339 string or an aware datetime."""
    dt = parse_rfc3339(value) if isinstance(value, str) else value
    return (dt - _EPOCH) // timedelta(milliseconds=1)


def iso_ms(value: str | datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``: ``2026-03-01T13:00:00.000Z``."""
    dt = (parse_rfc3339(value) if isinstance(value, str) else value).astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def score_pct(unit: Unit) -> int | None:
    """The highest score of the unit's findings as a whole percentage; None without findings."""
    if unit.finding is not None:
        return round(unit.finding.score * 100)
    if unit.is_rollup or not unit.record.scores:
        return None
    return round(max(unit.record.scores.values()) * 100)


def dominant_label(unit: Unit) -> Category | None:
    """The unit's main category: the highest score (rollups: the most chats); ties by category order."""
    labels = unit.labels
    if not labels:
        return None
    if unit.is_rollup:
        weight = {c: float(r.chats) for c, r in unit.rollup.categories.items()}
    elif unit.finding is not None:
        return unit.finding.category
    else:
        weight = {c: float(s) for c, s in unit.record.scores.items()}
    return max(labels, key=lambda c: (weight.get(c, 0.0), -CATEGORIES.index(c)))


def detectors(findings: Iterable[FindingRecord]) -> list[str]:
    """The distinct detector ids of ``findings``, sorted."""
    return sorted({f.detector for f in findings})


def by_entity(findings: Sequence[FindingRecord]) -> dict[str, list[FindingRecord]]:
    """``findings`` grouped by entity name, entities sorted, findings in record order."""
    groups: dict[str, list[FindingRecord]] = {}
    for f in findings:
        groups.setdefault(f.entity, []).append(f)
    return dict(sorted(groups.items()))


_ATTACHMENT_ARRAYS = {"file": ("files", "id"), "generated_file": ("generated_files", "id")}


def json_path(record: LabelRecord, finding: FindingRecord) -> str:
    """Where in the chat's API JSON the finding is: the chat's name, a content block or an attachment."""
    if finding.message_id is None:
        return "$.name"
    message = f"$.chat_messages[?(@.id=='{finding.message_id}')]"
    if finding.attachment is None:
        return f"{message}.content[{finding.block}]"
    kind = next((a.kind for a in record.attachments if a.id == finding.attachment), None)
    if kind == "artifact":
        return f"{message}.artifacts[?(@.version_id=='{finding.attachment}')]"
    array, key = _ATTACHMENT_ARRAYS.get(kind or "file", ("files", "id"))
    return f"{message}.{array}[?(@.{key}=='{finding.attachment}')]"


def ruleset_version(ruleset: str) -> str:
    """The version part of a ruleset id (``v2`` of ``v2-0123abcd``), or the whole id."""
    match = re.match(r"^(v\d+)-", ruleset)
    return match.group(1) if match else ruleset


def error_codes(record: LabelRecord) -> list[str]:
    """The record's distinct error codes, in first-seen order."""
    return list(dict.fromkeys(e.code for e in record.errors))


def title(unit: Unit) -> str:
    """A one-line description made of ids, names and counts only."""
    if unit.is_rollup:
        r = unit.rollup
        counts = ", ".join(f"{c} {r.categories[c].chats}" for c in unit.labels) or "no categories"
        head = f"{r.scope.capitalize()} {r.subject_id}"
        return f"{head}: {r.chats_labelled} of {r.chats} chats labelled ({counts})"
    record = unit.record
    if unit.finding is not None:
        f = unit.finding
        return f"{f.entity} ({f.category}) found in AI chat {record.chat_id}"
    if record.status == "error":
        return f"AI chat {record.chat_id} could not be labelled ({', '.join(error_codes(record))})"
    if record.deleted and not record.labels:
        return f"AI chat {record.chat_id} was deleted"
    if not record.labels:
        return f"AI chat {record.chat_id} has no sensitive content"
    n = len(record.findings)
    return f"AI chat {record.chat_id} contains {', '.join(record.labels)} ({n} finding{'s' * (n != 1)})"


def action(unit: Unit) -> str:
    """What happened, as a short keyword (ECS ``event.action``, CEF ``act``)."""
    if unit.is_rollup:
        return "rollup"
    record = unit.record
    if record.deleted:
        return "deleted"
    if record.status == "error":
        return "failed"
    return "labelled" if record.labels else "clean"


def outcome(unit: Unit) -> str:
    """ECS ``event.outcome`` (and CEF ``outcome``): whether the scan succeeded."""
    if unit.is_rollup or unit.record.status == "ok":
        return "success"
    return "failure" if unit.record.status == "error" else "unknown"
