"""ECS: the allowed values of event.kind/category/type, datasets, and what sits under chatsift.*."""

from __future__ import annotations

from typing import Any

import pytest

from labels.formats import RenderOptions, renderer
from tests.labels.formats.items import all_items, flagged

# From elastic/ecs schemas/event.yml (9.x): the allowed values we rely on.
KINDS = {"alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"}
OUTCOMES = {"failure", "success", "unknown"}


@pytest.mark.parametrize("granularity", ["chat", "finding"])
def test_allowed_values(granularity: str) -> None:
    datasets = set()
    for item in all_items().values():
        for event in renderer("ecs", RenderOptions(granularity=granularity))(item):  # type: ignore[arg-type]
            doc: Any = event.body
            assert doc["ecs"]["version"] == "9.4.0"
            assert doc["event"]["kind"] == "alert" and doc["event"]["kind"] in KINDS
            assert doc["event"]["category"] == ["intrusion_detection"] and doc["event"]["type"] == ["info"]
            assert doc["event"]["outcome"] in OUTCOMES
            assert doc["@timestamp"].endswith("Z") and len(doc["@timestamp"]) == 24
            assert "gen_ai" not in doc
            datasets.add(doc["event"]["dataset"])
    expected = {"chatsift.label", "chatsift.rollup"} | (
        {"chatsift.finding"} if granularity == "finding" else set()
    )
    assert datasets == expected


def test_flagged_chat_fields() -> None:
    record = flagged()
    doc: Any = renderer("ecs", RenderOptions(extra={"tenant": "t-1"}))(record)[0].body
    assert doc["user"] == {"id": "user_01AliceExample", "email": "alice@example.com"}
    assert doc["rule"] == {"ruleset": record.ruleset, "version": "v2"}
    assert doc["labels"] == {"chat_id": record.chat_id, "tenant": "t-1"}
    assert doc["tags"] == ["payment", "pii", "secrets"]
    assert doc["event"]["risk_score"] == 99.0 and doc["event"]["severity"] == 73
    assert [e["redacted"] for e in doc["chatsift"]["evidence"]] == [f.evidence for f in record.findings]
    per_finding: Any = renderer("ecs", RenderOptions(granularity="finding"))(record)[2].body
    assert per_finding["chatsift"]["message"] == {"id": "claude_chat_msg_02Second"}
    assert per_finding["rule"]["id"] == "payment.card"
    assert len(per_finding["chatsift"]["evidence"]) == 1
