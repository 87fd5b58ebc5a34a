"""Golden files: every fixed item rendered in every format and granularity, compared byte for byte.

JSON formats are stored as a pretty JSON array of event bodies, text formats as one event per line.
``CHATSIFT_UPDATE_GOLDEN=1`` rewrites the files (review the diff before keeping it). The same
files are the samples in docs/feed/.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from labels.formats import Event, RenderOptions, renderer
from tests.labels.formats.items import all_items

GOLDEN = Path(__file__).parent / "golden"
ITEMS = all_items()

# (format, granularity, syslog payload) -> file suffix
CASES: list[tuple[str, str, str]] = [("record", "chat", "ocsf")]
CASES += [(fmt, g, "ocsf") for fmt in ("ocsf", "ecs", "cef", "syslog") for g in ("chat", "finding")]
CASES += [("syslog", "chat", p) for p in ("ecs", "record", "cef")]


def _name(item: str, fmt: str, granularity: str, payload: str) -> str:
    ext = "json" if fmt in ("record", "ocsf", "ecs") else ("cef" if fmt == "cef" else "log")
    parts = [item, fmt]
    if fmt != "record":
        parts.append(granularity)
    if fmt == "syslog" and payload != "ocsf":
        parts.append(payload)
    return ".".join(parts) + "." + ext


def _text(events: list[Event]) -> str:
    if events and isinstance(events[0].body, dict):
        return json.dumps([e.body for e in events], indent=2, ensure_ascii=False) + "\n"
    return "".join(e.text() + "\n" for e in events)


PARAMS = [(item, *case) for item in ITEMS for case in CASES]


@pytest.mark.parametrize(("item", "fmt", "granularity", "payload"), PARAMS, ids=[_name(*p) for p in PARAMS])
def test_golden(item: str, fmt: str, granularity: str, payload: str) -> None:
    options = RenderOptions(granularity=granularity, payload=payload, hostname="labeler01")  # type: ignore[arg-type]
    text = _text(renderer(fmt, options)(ITEMS[item]))  # type: ignore[arg-type]
    path = GOLDEN / _name(item, fmt, granularity, payload)
    if os.environ.get("CHATSIFT_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes() == text.encode("utf-8")


def test_no_stray_golden_files() -> None:
    expected = {_name(*p) for p in PARAMS}
    assert {p.name for p in GOLDEN.iterdir()} == expected


# Golden files hold ids, names, counts and masked evidence only: after removing the masks
# (``[ENTITY]``, ``[ENTITY:…1111]``) and ellipses, no string value may look like a sentence.
_MASK = re.compile(r"\[[A-Z_]+(:[^\]]*)?\]|…")


def test_golden_files_hold_no_chat_text() -> None:
    for path in sorted(GOLDEN.iterdir()):
        text = path.read_text(encoding="utf-8")
        assert "CANARY" not in text
        found = re.findall(r'"(?:redacted|evidence)": ?"([^"]*)"', text)
        found += [
            part.split(": ", 1)[1]
            for cs4 in re.findall(r" cs4=(.*?) cs5Label=", text)
            for part in cs4.split("; ")
        ]
        for evidence in found:
            assert _MASK.sub("", evidence).strip() == "", path.name
        # The check has something to check: every evidence-carrying flagged file yields evidence.
        carries = path.name.startswith("flagged.") and not re.search(
            r"\.ocsf\.|syslog\.(chat|finding)\.log", path.name
        )
        assert bool(found) == carries, path.name


def test_rendering_is_deterministic() -> None:
    for item in all_items().values():
        for fmt, granularity, payload in CASES:
            options = RenderOptions(granularity=granularity, payload=payload)  # type: ignore[arg-type]
            first = renderer(fmt, options)(item)  # type: ignore[arg-type]
            again = renderer(fmt, options)(item.model_validate(item.model_dump(by_alias=True)))  # type: ignore[arg-type]
            assert first == again
