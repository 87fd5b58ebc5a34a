"""OCSF 1.8.0 Data Security Finding (class 2006) events: one per chat, per finding, or per rollup.

Mapping (docs/feed/ocsf.md has the full table): ``finding_info.uid`` and ``metadata.uid`` are the
event id; ``metadata.correlation_uid`` is the chat id (a rollup's subject id), so per-finding
events of one chat correlate; ``activity_id`` is 1 Create, 3 Close for a deleted chat; the chat's
severity maps none..critical to ``severity_id`` 1..5; ``data_security.category_id`` comes from the
dominant label; ``discovery_details`` has one entry per entity with its count and where each
occurrence is (a JSON path into the chat's API JSON), never its value.

No chat text at all: not the redacted evidence either. ``data_security.pattern_match``, every
``message_context`` / prompt / response field and ``raw_data`` are never set. Field names and enum
values were checked against the JSON schema of OCSF 1.8.0 (the tests validate every event).
"""

from __future__ import annotations

from typing import Any

from classifier.types import Category, Severity
from labels.formats.base import Event, FeedItem, RenderOptions
from labels.formats.common import (
    Unit,
    by_entity,
    detectors,
    dominant_label,
    epoch_ms,
    error_codes,
    json_path,
    ruleset_version,
    score_pct,
    title,
    units,
)
from labels.record import FindingRecord, LabelRecord

OCSF_VERSION = "1.8.0"
CLASS_UID = 2006
CATEGORY_UID = 2

SEVERITY_IDS: dict[Severity, tuple[int, str]] = {
    "none": (1, "Informational"),
    "low": (2, "Low"),
    "medium": (3, "Medium"),
    "high": (4, "High"),
    "critical": (5, "Critical"),
}
# data_security.category_id: the OCSF data category of each chatsift category.
DATA_CATEGORIES: dict[Category, tuple[int, str]] = {
    "pii": (1, "Personal"),
    "regulated": (1, "Personal"),
    "payment": (3, "Financial"),
    "financial": (3, "Financial"),
    "customer_data": (4, "Business"),
    "secrets": (6, "Security"),
}
CONFIDENTIALITY_IDS: dict[Severity, tuple[int, str]] = {
    "none": (1, "Not Confidential"),
    "low": (2, "Confidential"),
    "medium": (6, "Restricted"),
    "high": (3, "Secret"),
    "critical": (4, "Top Secret"),
}
SCAN_STATUS_IDS = {"ok": (1, "Complete"), "partial": (2, "Partial"), "error": (3, "Fail")}
ACTIVITIES = {1: "Create", 3: "Close"}


def render(item: FeedItem, options: RenderOptions) -> list[Event]:
    """The OCSF events of ``item`` at ``options.granularity``."""
    return [render_unit(unit, options) for unit in units(item, options.granularity)]


def render_unit(unit: Unit, options: RenderOptions) -> Event:
    """The OCSF event of one unit."""
    body = _rollup_event(unit, options) if unit.is_rollup else _record_event(unit, options)
    return Event(unit.id, unit.time, body)


def _confidence_id(pct: int) -> tuple[int, str]:
    if pct >= 85:
        return 3, "High"
    return (2, "Medium") if pct >= 60 else (1, "Low")


def _base(unit: Unit, options: RenderOptions, activity_id: int, correlation: str) -> dict[str, Any]:
    """The class, activity, severity, time and metadata every event has."""
    severity_id, severity = SEVERITY_IDS[unit.severity]
    metadata: dict[str, Any] = {
        "version": OCSF_VERSION,
        "uid": unit.id,
        "correlation_uid": correlation,
        "product": {
            "name": options.product,
            "vendor_name": options.vendor,
            "version": options.product_version,
        },
        "log_name": f"chatsift.{unit.kind}",
        "labels": list(unit.labels),
    }
    if options.extra:
        metadata["tags"] = [{"name": k, "value": v} for k, v in sorted(options.extra.items())]
        if "tenant" in options.extra:
            metadata["tenant_uid"] = options.extra["tenant"]
    return {
        "class_uid": CLASS_UID,
        "class_name": "Data Security Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": ACTIVITIES[activity_id],
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Data Security Finding: {ACTIVITIES[activity_id]}",
        "severity_id": severity_id,
        "severity": severity,
        "time": epoch_ms(unit.time),
        "message": title(unit),
        "metadata": metadata,
    }


def _user(user_id: str, email: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"uid": user_id, "type_id": 1, "type": "User"}
    if email:
        user["email_addr"] = email
    return user


def _observables(user_id: str | None, email: str | None, resource: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if user_id:
        found.append({"name": "actor.user.uid", "type_id": 31, "type": "User Object: uid", "value": user_id})
    if email:
        found.append({"name": "actor.user.email_addr", "type_id": 5, "type": "Email Address", "value": email})
    found.append({"name": "resources[0].uid", "type_id": 10, "type": "Resource UID", "value": resource})
    return found


def _record_event(unit: Unit, options: RenderOptions) -> dict[str, Any]:
    record = unit.record
    event = _base(unit, options, 3 if record.deleted else 1, record.chat_id)
    # A deleted chat's finding is closed; every other one is new to the consumer (ids dedupe replays).
    event["status_id"], event["status"] = (6, "Deleted") if record.deleted else (1, "New")
    pct = score_pct(unit)
    if pct is not None:
        event["confidence_id"], event["confidence"] = _confidence_id(pct)
        event["confidence_score"] = pct
    event["is_alert"] = bool(unit.labels) and not record.deleted
    event["finding_info"] = _finding_info(unit)
    if record.user is not None:
        event["actor"] = {"user": _user(record.user.id, record.user.email_address)}
    event["resources"] = [_resource(unit)]
    user = record.user
    event["observables"] = _observables(
        user.id if user else None, user.email_address if user else None, record.chat_id
    )
    event["data_security"] = _data_security(unit, options)
    return event


def _finding_info(unit: Unit) -> dict[str, Any]:
    record = unit.record
    info: dict[str, Any] = {
        "uid": unit.id,
        "title": title(unit),
        "types": list(unit.labels),
        "created_time": epoch_ms(record.scanned_at),
        "modified_time": epoch_ms(record.chat_updated_at),
        "data_sources": ["anthropic-compliance-api"],
        "product": {"name": "Claude", "vendor_name": "Anthropic"},
    }
    if unit.finding is not None:
        info["analytic"] = {
            "uid": unit.finding.detector,
            "name": unit.finding.entity,
            "type_id": 1,
            "type": "Rule",
        }
    elif unit.findings:
        info["analytic"] = {
            "uid": record.ruleset,
            "name": "+".join(detectors(unit.findings)),
            "type_id": 1,
            "type": "Rule",
        }
    return info


def _resource(unit: Unit) -> dict[str, Any]:
    """The conversation: ids and scan metadata only (no name: a chat's name is chat text)."""
    record = unit.record
    data: dict[str, Any] = {
        "record_id": record.record_id,
        "organization_uuid": record.organization_uuid,
        "project_id": record.project_id,
        "model": record.model,
        "href": record.href,
        "messages_scanned": record.messages_scanned,
        "status": record.status,
        "ruleset": record.ruleset,
    }
    if record.errors:
        data["error_codes"] = error_codes(record)
    f = unit.finding
    if f is not None:
        data.update(
            finding_id=f.finding_id,
            message_id=f.message_id,
            role=f.role,
            block=f.block,
            segment=f.segment,
            start=f.start,
            end=f.end,
            attachment=f.attachment,
            fingerprint=f.fingerprint,
        )
    return {
        "uid": record.chat_id,
        "type": "ai_chat_conversation",
        "created_time": epoch_ms(record.chat_created_at),
        "modified_time": epoch_ms(record.chat_updated_at),
        "data": {k: v for k, v in data.items() if v is not None},
    }


def _discovery(record: LabelRecord, findings: list[FindingRecord]) -> list[dict[str, Any]]:
    """One entry per entity: its count and where each occurrence is; the value stays unset."""
    details = []
    for entity, group in by_entity(findings).items():
        paths = [json_path(record, f) for f in group]
        entry: dict[str, Any] = {"type": entity, "count": len(group)}
        if len(paths) == 1:
            entry["occurrence_details"] = {"json_path": paths[0]}
        else:
            entry["occurrences"] = [{"json_path": p} for p in paths]
        details.append(entry)
    return details


def _data_security(unit: Unit, options: RenderOptions) -> dict[str, Any]:
    record = unit.record
    security: dict[str, Any] = {}
    dominant = dominant_label(unit)
    if dominant is not None:
        security["category_id"], security["category"] = DATA_CATEGORIES[dominant]
    security["confidentiality_id"], security["confidentiality"] = CONFIDENTIALITY_IDS[unit.severity]
    security["data_lifecycle_state_id"], security["data_lifecycle_state"] = 1, "Data at-Rest"
    security["detection_system_id"] = 4
    security["detection_system"] = "Data Discovery & Classification"
    if unit.findings:
        security["detection_pattern"] = "; ".join(detectors(unit.findings))
        security["discovery_details"] = _discovery(record, unit.findings)
    security["policy"] = {
        "uid": record.ruleset,
        "name": f"{options.product} detection ruleset",
        "version": ruleset_version(record.ruleset),
        "is_applied": True,
    }
    security["status_id"], security["status"] = SCAN_STATUS_IDS[record.status]
    if record.errors:
        security["status_details"] = error_codes(record)
    return security


def _rollup_event(unit: Unit, options: RenderOptions) -> dict[str, Any]:
    rollup = unit.rollup
    event = _base(unit, options, 1, rollup.subject_id)
    event["status_id"], event["status"] = 1, "New"
    event["is_alert"] = False
    info: dict[str, Any] = {
        "uid": unit.id,
        "title": title(unit),
        "types": list(unit.labels),
        "created_time": epoch_ms(rollup.as_of),
        "data_sources": [f"{options.product}-label-store"],
    }
    if rollup.categories:
        info["first_seen_time"] = min(epoch_ms(c.first_seen) for c in rollup.categories.values())
        info["last_seen_time"] = max(epoch_ms(c.last_seen) for c in rollup.categories.values())
    event["finding_info"] = info
    if rollup.user is not None:
        event["actor"] = {"user": _user(rollup.user.id, rollup.user.email_address)}
    categories = {c: rollup.categories[c].model_dump(mode="json") for c in unit.labels}
    event["resources"] = [
        {
            "uid": rollup.subject_id,
            "type": f"ai_chat_{rollup.scope}",
            "data": {
                "rollup_id": rollup.rollup_id,
                "scope": rollup.scope,
                "revision": rollup.revision,
                "organization_uuid": rollup.organization_uuid,
                "window_days": rollup.window_days,
                "chats": rollup.chats,
                "chats_labelled": rollup.chats_labelled,
                "categories": categories,
            },
        }
    ]
    user = rollup.user
    event["observables"] = _observables(
        user.id if user else None, user.email_address if user else None, rollup.subject_id
    )
    security: dict[str, Any] = {}
    dominant = dominant_label(unit)
    if dominant is not None:
        security["category_id"], security["category"] = DATA_CATEGORIES[dominant]
    security["confidentiality_id"], security["confidentiality"] = CONFIDENTIALITY_IDS[unit.severity]
    security["data_lifecycle_state_id"], security["data_lifecycle_state"] = 1, "Data at-Rest"
    security["detection_system_id"] = 4
    security["detection_system"] = "Data Discovery & Classification"
    security["discovery_details"] = [{"type": c, "count": rollup.categories[c].chats} for c in unit.labels]
    security["status_id"], security["status"] = 1, "Complete"
    event["data_security"] = security
    return event
