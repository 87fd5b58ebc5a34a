"""The samples in docs/feed/ are the golden files: each ``<!-- golden: NAME#N -->`` marker is followed
by a fenced block holding event N of that golden file, so the docs cannot drift from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).parents[3] / "docs" / "feed"
PAGES = ["record.md", "ocsf.md", "ecs.md", "cef.md", "syslog.md"]
_MARKER = re.compile(r"<!-- golden: ([\w.]+)#(\d+) -->\n```(\w*)\n(.*?)\n```", re.S)


def sample(name: str, index: int) -> tuple[str, str]:
    """The language and the text of event ``index`` of golden file ``name``."""
    text = (GOLDEN / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return "json", json.dumps(json.loads(text)[index], indent=2, ensure_ascii=False)
    return "text", text.splitlines()[index]


@pytest.mark.parametrize("page", PAGES)
def test_samples_are_golden(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    markers = _MARKER.findall(text)
    assert markers, page
    assert len(markers) == text.count("<!-- golden:")
    for name, index, lang, body in markers:
        assert (lang, body) == sample(name, int(index)), f"{page}: {name}#{index}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_have_a_mapping_table_and_a_rollup_section(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert "## Field mapping" in text and "\n|---|---|\n" in text
    assert "## Rollups" in text
