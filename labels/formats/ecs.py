"""Elastic Common Schema 9.x documents: one per chat, per finding, or per rollup.

``event.kind`` is ``alert`` (raised by a detector outside the Elastic Stack), ``event.category``
``intrusion_detection`` with ``event.type`` ``info`` (ECS has no DLP category; these are its expected
values for a security product's alert). ``event.id`` is the event id and ``event.dataset`` says
what the document is about: ``chatsift.label`` (a chat), ``chatsift.finding`` or ``chatsift.rollup``.
Everything ECS has no field for lives under the custom ``chatsift.*`` namespace. The only chat text
carried is the redacted ``evidence`` of each finding (``chatsift.evidence``), never raw text; the
beta ``gen_ai.*`` message fields are never set.
"""

from __future__ import annotations

from typing import Any

from classifier.types import Severity
from labels.formats.base import Event, FeedItem, RenderOptions
from labels.formats.common import (
    Unit,
    action,
    error_codes,
    iso_ms,
    outcome,
    ruleset_version,
    score_pct,
    title,
    units,
)
from labels.record import FindingRecord

ECS_VERSION = "9.4.0"
# event.severity (a long): the numbers Elastic's own detection rules use for each severity.
SEVERITY_NUMBERS: dict[Severity, int] = {"none": 0, "low": 21, "medium": 47, "high": 73, "critical": 99}


def render(item: FeedItem, options: RenderOptions) -> list[Event]:
    """The ECS documents of ``item`` at ``options.granularity``."""
    return [render_unit(unit, options) for unit in units(item, options.granularity)]


def render_unit(unit: Unit, options: RenderOptions) -> Event:
    """The ECS document of one unit."""
    doc: dict[str, Any] = {
        "@timestamp": iso_ms(unit.time),
        "ecs": {"version": ECS_VERSION},
        "message": title(unit),
        "event": _event(unit, options),
    }
    user = unit.item.user
    if user is not None:
        doc["user"] = {"id": user.id, **({"email": user.email_address} if user.email_address else {})}
        doc["related"] = {"user": [v for v in (user.id, user.email_address) if v]}
    doc["observer"] = {
        "vendor": options.vendor,
        "product": options.product,
        "version": options.product_version,
        "type": "dlp",
    }
    if unit.is_rollup:
        doc["labels"] = {"subject_id": unit.rollup.subject_id, **options.extra}
        doc["tags"] = list(unit.labels)
        doc["chatsift"] = _rollup_fields(unit)
        return Event(unit.id, unit.time, doc)
    record = unit.record
    doc["rule"] = {
        "ruleset": record.ruleset,
        "version": ruleset_version(record.ruleset),
        **({"id": unit.finding.detector, "name": unit.finding.entity} if unit.finding else {}),
    }
    doc["labels"] = {"chat_id": record.chat_id, **options.extra}
    doc["tags"] = list(unit.labels)
    doc["chatsift"] = _record_fields(unit)
    return Event(unit.id, unit.time, doc)


def _event(unit: Unit, options: RenderOptions) -> dict[str, Any]:
    event: dict[str, Any] = {
        "kind": "alert",
        "category": ["intrusion_detection"],
        "type": ["info"],
        "id": unit.id,
        "dataset": f"chatsift.{unit.kind}",
        "module": "chatsift",
        "provider": "anthropic-compliance-api",
        "action": action(unit),
        "outcome": outcome(unit),
        "severity": SEVERITY_NUMBERS[unit.severity],
        "created": iso_ms(unit.time),
    }
    pct = score_pct(unit)
    if pct is not None:
        event["risk_score"] = float(pct)
    if unit.labels:
        event["reason"] = ",".join(unit.labels)
    return event


def _evidence(finding: FindingRecord) -> dict[str, Any]:
    return {
        "finding_id": finding.finding_id,
        "category": finding.category,
        "entity": finding.entity,
        "detector": finding.detector,
        "score": finding.score,
        "message_id": finding.message_id,
        "role": finding.role,
        "block": finding.block,
        "segment": finding.segment,
        "start": finding.start,
        "end": finding.end,
        "attachment": finding.attachment,
        "fingerprint": finding.fingerprint,
        "redacted": finding.evidence,
    }


def _record_fields(unit: Unit) -> dict[str, Any]:
    record = unit.record
    fields: dict[str, Any] = {
        "record_id": record.record_id,
        "chat": {
            "id": record.chat_id,
            "href": record.href,
            "created_at": record.chat_created_at,
            "updated_at": record.chat_updated_at,
            "deleted": record.deleted,
            "model": record.model,
        },
        "organization_uuid": record.organization_uuid,
        "project_id": record.project_id,
        "labels": list(unit.labels),
        "scores": {c: record.scores[c] for c in unit.labels if c in record.scores},
        "severity": record.severity,
        "status": record.status,
        "error_codes": error_codes(record),
        "messages_scanned": record.messages_scanned,
        "findings_count": len(record.findings),
        "ruleset": record.ruleset,
        "scanned_at": record.scanned_at,
        "evidence": [_evidence(f) for f in unit.findings],
    }
    if unit.finding is not None:
        fields["finding_id"] = unit.finding.finding_id
        fields["message"] = {"id": unit.finding.message_id}
    return fields


def _rollup_fields(unit: Unit) -> dict[str, Any]:
    rollup = unit.rollup
    return {
        "rollup": {
            "id": rollup.rollup_id,
            "scope": rollup.scope,
            "subject_id": rollup.subject_id,
            "revision": rollup.revision,
            "as_of": rollup.as_of,
            "window_days": rollup.window_days,
            "chats": rollup.chats,
            "chats_labelled": rollup.chats_labelled,
            "categories": {c: rollup.categories[c].model_dump(mode="json") for c in unit.labels},
        },
        "organization_uuid": rollup.organization_uuid,
        "labels": list(unit.labels),
        "severity": rollup.severity,
    }
