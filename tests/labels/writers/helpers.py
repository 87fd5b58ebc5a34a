"""Local renderers for writer tests (independent of labels/formats) and parsers to read events back.

``syslog_render`` turns a label record into one RFC 5424 message: PRI 108 (facility 13, severity
4), the record's time, an SD element with the record id and labels, then a BOM and a compact JSON
payload holding the chat id and every finding's (redacted) evidence, newlines included.
``json_render`` makes one JSON event per record; ``finding_render`` one per finding (several events
per item). ``parse_syslog`` splits a received message back into its parts.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from labels import LabelRecord
from labels.formats.base import Event, FeedItem
from tests.labels.conftest import record

SD_ID = "test@32473"
BOM = "\ufeff"


def records(n: int, *, prefix: str = "claude_chat_", evidence: str | None = None) -> list[LabelRecord]:
    """``n`` records with multi-line, non-ASCII evidence (distinct per record) and 0-2 findings."""
    return [
        record(
            f"{prefix}{i}",
            findings=1 + i % 2,
            evidence=evidence or f"key [AWS_ACCESS_KEY:AKIA…{i:02d}] «grüße» 日本\nsecond line ✓ {i}",
        )
        for i in range(n)
    ]


def _label(item: FeedItem) -> LabelRecord:
    assert isinstance(item, LabelRecord)
    return item


def _time(item: LabelRecord) -> datetime:
    return datetime.fromisoformat(item.scanned_at.replace("Z", "+00:00")).astimezone(UTC)


def _sd_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def syslog_render(item: FeedItem) -> list[Event]:
    """One RFC 5424 message per record."""
    rec = _label(item)
    when = _time(rec)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    params = f'record_id="{rec.record_id}" labels="{_sd_value(",".join(rec.labels))}" note="a\\"b\\]c"'
    payload = {"chat_id": rec.chat_id, "evidence": [f.evidence for f in rec.findings]}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = f"<108>1 {stamp} testhost chatsift - LABEL [{SD_ID} {params}] {BOM}{body}"
    return [Event(id=rec.record_id, time=when, body=text)]


def json_render(item: FeedItem) -> list[Event]:
    """One JSON object per record: the record itself."""
    rec = _label(item)
    return [Event(id=rec.record_id, time=_time(rec), body=rec.model_dump(mode="json", by_alias=True))]


def finding_render(item: FeedItem) -> list[Event]:
    """One JSON object per finding, with id ``record_id:finding_id``."""
    rec = _label(item)
    return [
        Event(
            id=f"{rec.record_id}:{f.finding_id}", time=_time(rec), body={"chat": rec.chat_id, "f": f.evidence}
        )
        for f in rec.findings
    ]


def text_render(item: FeedItem) -> list[Event]:
    """One text line per record (HEC then sends ``event`` as a string)."""
    return [Event(id=e.id, time=e.time, body=str(e.body)) for e in syslog_render(item)]


_HEADER = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<version>1) (?P<timestamp>\S+) (?P<hostname>\S+) (?P<app>\S+) "
    r"(?P<procid>\S+) (?P<msgid>\S+) \[(?P<sd_id>[^ \]]+)(?P<params>(?: [^=]+=\"(?:[^\"\\]|\\.)*\")*)\] "
    r"(?P<msg>.*)$",
    re.DOTALL,
)
_PARAM = re.compile(r' ([^=]+)="((?:[^"\\]|\\.)*)"')


def parse_syslog(raw: str) -> dict[str, Any]:
    """The parts of one RFC 5424 message with one SD element; fails on anything malformed."""
    match = _HEADER.match(raw)
    assert match is not None, "not an RFC 5424 message with one SD element"
    parts: dict[str, Any] = match.groupdict()
    parts["sd"] = {
        key: re.sub(r"\\(.)", r"\1", value) for key, value in _PARAM.findall(match.group("params"))
    }
    msg = parts.pop("msg")
    assert msg.startswith(BOM), "MSG must start with a BOM"
    parts["payload"] = json.loads(msg[len(BOM) :])
    return parts
