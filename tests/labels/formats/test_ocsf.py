"""Every OCSF event validates against the official OCSF 1.8.0 JSON schema (``ocsf-json-schema``).

The validator lives here, not in the library: ``ocsf-json-schema`` is a development dependency.
A negative table proves the same validator rejects broken events, so a pass means something.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema
from referencing import Registry, Resource

from labels.formats import RenderOptions, renderer
from tests.labels.formats.items import all_items, flagged

FORBIDDEN = ("pattern_match", "prompt_text", "response_text", "message_context", "raw_data")


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """A validator of OCSF 1.8.0 Data Security Finding events, references resolved offline."""
    embedded = OcsfJsonSchemaEmbedded(get_ocsf_schema("1.8.0"))
    schema = embedded.get_class_schema("data_security_finding")

    def retrieve(uri: str) -> Resource[Any]:
        return Resource.from_contents(embedded.get_schema_from_uri(uri))

    return Draft202012Validator(schema, registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]


def _events() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, item in all_items().items():
        for granularity in ("chat", "finding"):
            for event in renderer("ocsf", RenderOptions(granularity=granularity, extra={"tenant": "t-1"}))(
                item
            ):
                assert isinstance(event.body, dict)
                out.append((f"{name}-{granularity}-{event.id}", event.body))
    return out


EVENTS = _events()


@pytest.mark.parametrize(("name", "body"), EVENTS, ids=[n for n, _ in EVENTS])
def test_every_event_validates(validator: Draft202012Validator, name: str, body: dict[str, Any]) -> None:
    errors = sorted(e.message for e in validator.iter_errors(body))
    assert errors == []


def test_all_items_and_granularities_are_covered() -> None:
    # 4 findings per finding event + 5 single events per granularity.
    assert len(EVENTS) == (1 + 5) + (4 + 5)


def _walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _walk_keys(v)}
    return set()


@pytest.mark.parametrize(("name", "body"), EVENTS, ids=[n for n, _ in EVENTS])
def test_no_forbidden_field(name: str, body: dict[str, Any]) -> None:
    assert not _walk_keys(body) & set(FORBIDDEN)


def test_no_evidence_reaches_ocsf() -> None:
    canary = "CANARY-ocsf-5e1d"
    record = flagged()
    findings = tuple(f.model_copy(update={"evidence": f"…{canary}…"}) for f in record.findings)
    planted = record.model_copy(update={"findings": list(findings)})
    for granularity in ("chat", "finding"):
        for event in renderer("ocsf", RenderOptions(granularity=granularity))(planted):
            assert canary not in event.text()
    # The plant is real: the ECS rendering of the same record does carry the evidence.
    assert canary in renderer("ecs")(planted)[0].text()


def _drop(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BROKEN = {
    "severity_id out of enum": _set(("severity_id",), 7),
    "activity_id out of enum": _set(("activity_id",), 9),
    "missing finding_info.uid": _drop(("finding_info", "uid")),
    "missing metadata.product": _drop(("metadata", "product")),
    "missing time": _drop(("time",)),
    "time as string": _set(("time",), "2026-03-01T13:00:00Z"),
    "unknown top-level field": _set(("chat_text",), "x"),
    "bad email": _set(("actor", "user", "email_addr"), "not an email"),
    "data_security category out of enum": _set(("data_security", "category_id"), 42),
    "type_uid of another class": _set(("type_uid",), 200401),
}


@pytest.mark.parametrize("change", BROKEN.values(), ids=list(BROKEN))
def test_broken_events_are_rejected(validator: Draft202012Validator, change: Any) -> None:
    body = renderer("ocsf")(flagged())[0].body
    assert isinstance(body, dict)
    assert validator.is_valid(body)
    broken = copy.deepcopy(body)
    change(broken)
    assert not validator.is_valid(broken)


def test_mapping_of_the_flagged_chat() -> None:
    record = flagged()
    body = renderer("ocsf")(record)[0].body
    assert isinstance(body, dict)
    assert body["type_uid"] == 200601 and body["severity_id"] == 4
    assert body["metadata"]["correlation_uid"] == record.chat_id
    assert body["confidence_score"] == 99 and body["confidence_id"] == 3
    security = body["data_security"]
    assert security["category_id"] == 6  # secrets has the highest score
    assert security["detection_pattern"] == "payment.card; pii.email; secrets.aws_access_key"
    assert [(d["type"], d["count"]) for d in security["discovery_details"]] == [
        ("AWS_ACCESS_KEY", 1),
        ("CREDIT_CARD", 1),
        ("EMAIL_ADDRESS", 2),
    ]
    assert all("value" not in d for d in security["discovery_details"])
    paths = [o["json_path"] for o in security["discovery_details"][2]["occurrences"]]
    assert paths == [
        "$.chat_messages[?(@.id=='claude_chat_msg_01First')].content[0]",
        "$.chat_messages[?(@.id=='claude_chat_msg_02Second')].files[?(@.id=='claude_file_01Attached')]",
    ]


def test_record_without_user_or_ids_validates(validator: Draft202012Validator) -> None:
    from tests.labels.formats.test_privacy import _planted_error

    (event,) = renderer("ocsf")(_planted_error())
    assert isinstance(event.body, dict)
    assert "actor" not in event.body
    assert sorted(e.message for e in validator.iter_errors(event.body)) == []
