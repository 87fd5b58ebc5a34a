"""The JSON Schema of ``chatsift.label.v1``, generated from ``LabelRecord`` and committed beside it.

``python -m labels.schema`` rewrites ``chatsift.label.v1.json`` from the model; a test fails when
the committed file and the model disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from labels.record import SCHEMA_NAME, LabelRecord

SCHEMA_ID = f"https://chatsift.dev/schema/{SCHEMA_NAME}.json"
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = Path(__file__).with_name(f"{SCHEMA_NAME}.json")


def json_schema() -> dict[str, Any]:
    """The record's JSON Schema (draft 2020-12), as records are serialised (by alias)."""
    generated = LabelRecord.model_json_schema(by_alias=True, mode="serialization")
    header = {
        "$schema": SCHEMA_DRAFT,
        "$id": SCHEMA_ID,
        "title": SCHEMA_NAME,
        "description": (
            "chatsift label record: one per chat and per change of it. Labels and redacted "
            "evidence only, never raw chat text. Consumers deduplicate on record_id."
        ),
    }
    return {**header, **{k: v for k, v in generated.items() if k not in header}}


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write(path: Path = SCHEMA_FILE) -> Path:
    """Write the schema file (the committed one by default)."""
    path.write_text(render(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m labels.schema [PATH]``: regenerate the committed schema file."""
    args = sys.argv[1:] if argv is None else argv
    target = write(Path(args[0]) if args else SCHEMA_FILE)
    print(f"wrote {target}")
    return 0
