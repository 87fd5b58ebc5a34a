"""The committed JSON Schema matches the model, and real records validate against it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from labels import json_schema
from labels.schema import SCHEMA_FILE, render
from tests.labels.conftest import error_record, record

ROOT = Path(__file__).resolve().parents[2]


def _validator() -> jsonschema.Draft202012Validator:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(committed)
    return jsonschema.Draft202012Validator(committed, format_checker=jsonschema.FormatChecker())


def test_committed_schema_is_the_generated_one() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), (
        "labels/schema/chatsift.label.v1.json is stale: regenerate it with `python -m labels.schema`"
    )
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render()


def test_schema_header_and_contract_names() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/chatsift.label.v1.json") and schema["title"] == "chatsift.label.v1"
    assert "schema" in schema["properties"] and "schema_" not in json.dumps(schema)
    assert set(schema["required"]) == set(schema["properties"])  # every key is always present
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    "rec",
    [record(), record(findings=5), record(user=None), record(status="partial"), error_record()],
    ids=["ok", "many", "no-user", "partial", "error"],
)
def test_records_validate_against_the_committed_schema(rec) -> None:
    _validator().validate(json.loads(rec.model_dump_json(by_alias=True)))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema",), "chatsift.label.v0"),
        (("labels",), ["gossip"]),
        (("severity",), "extreme"),
        (("scores",), {"secrets": 2.0}),
        (("chat_updated_at",), "2026-03-01 12:00"),
        (("record_id",), "lr_XYZ"),
        (("findings", 0, "segment"), "poem"),
        (("findings", 0, "start"), -4),
        (("user", "id"), None),
    ],
)
def test_schema_rejects_broken_records(path: tuple, value: object) -> None:
    data = json.loads(record().model_dump_json())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not _validator().is_valid(data)


@pytest.mark.parametrize("key", ["schema", "record_id", "findings", "errors"])
def test_schema_rejects_missing_and_extra_keys(key: str) -> None:
    data = json.loads(record().model_dump_json())
    missing = {k: v for k, v in data.items() if k != key}
    assert not _validator().is_valid(missing)
    assert not _validator().is_valid(data | {"raw_text": "x"})


def test_python_m_labels_schema_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    proc = subprocess.run(
        [sys.executable, "-m", "labels.schema", str(out)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(out.read_text(encoding="utf-8")) == json_schema()
