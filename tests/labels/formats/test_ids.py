"""Event ids: deterministic, one per chat / finding / rollup, and equal to the documented body field."""

from __future__ import annotations

from typing import Any

import pytest

from labels.formats import FORMAT_NAMES, Event, RenderOptions, cef, renderer, syslog
from labels.record import LabelRecord
from tests.labels.formats.items import all_items

ITEMS = all_items()


def _body_id(fmt: str, event: Event) -> str:
    """Where each format documents the event id."""
    body: Any = event.body
    if fmt == "record":
        return str(body.get("record_id") or body.get("rollup_id"))
    if fmt == "ocsf":
        assert body["metadata"]["uid"] == body["finding_info"]["uid"]
        return str(body["finding_info"]["uid"])
    if fmt == "ecs":
        return str(body["event"]["id"])
    if fmt == "cef":
        return cef.parse(body)[1]["externalId"]
    return syslog.parse(body).sd["chatsift@32473"]["id"]


@pytest.mark.parametrize("granularity", ["chat", "finding"])
@pytest.mark.parametrize("fmt", FORMAT_NAMES)
@pytest.mark.parametrize("name", list(ITEMS))
def test_event_ids(name: str, fmt: str, granularity: str) -> None:
    item = ITEMS[name]
    events = renderer(fmt, RenderOptions(granularity=granularity))(item)  # type: ignore[arg-type]
    if isinstance(item, LabelRecord):
        per_finding = granularity == "finding" and fmt != "record" and item.findings
        expected = (
            [f"{item.record_id}:{f.finding_id}" for f in item.findings] if per_finding else [item.record_id]
        )
        assert all(e.time.isoformat() == "2026-03-01T13:00:00.250000+00:00" for e in events)
    else:
        expected = [item.rollup_id]
        assert [e.time.isoformat() for e in events] == ["2026-03-02T00:00:00+00:00"]
    assert [e.id for e in events] == expected
    assert [_body_id(fmt, e) for e in events] == expected
    assert all(e.time.utcoffset() is not None for e in events)


def test_record_body_is_the_item() -> None:
    for item in ITEMS.values():
        (event,) = renderer("record")(item)
        assert event.body == item.model_dump(mode="json", by_alias=True)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown feed format"):
        renderer("leef")  # type: ignore[arg-type]


def test_default_options_are_used() -> None:
    assert renderer("cef")(ITEMS["clean"]) == renderer("cef", RenderOptions())(ITEMS["clean"])
