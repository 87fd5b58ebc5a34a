"""Validate ``datasets/financial_dialogues/financial_train_extra.jsonl`` against its README section.

The extra file holds hand-written training records only. These tests check that every line parses into an
object with exactly the five known fields, that ids are unique, well formed (``fin-x0001`` ...) and disjoint
from the ids of ``financial.jsonl``, that every record is in the ``train`` split, that the per-topic/label
counts equal the "topic (extra)" table of the README and the stated totals (200 positives, 200 hard
negatives), and that no text contains a Luhn-valid run of 13-19 digits (contiguous or grouped by single
spaces or dashes). Failure messages name ids or line numbers only, never record text.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.datasets.test_team_datasets import card_like_runs, load

FOLDER = Path(__file__).resolve().parents[2] / "datasets" / "financial_dialogues"
EXTRA = FOLDER / "financial_train_extra.jsonl"
BASE = FOLDER / "financial.jsonl"
README = FOLDER / "README.md"
TABLE_HEADER = "| topic (extra) | expected | train |"

EXPECTED_POSITIVES = 200
EXPECTED_NEGATIVES = 200

ID_RE = re.compile(r"^fin-x\d{4}$")
TOPIC_RE = re.compile(r"^[a-z][a-z_]*[a-z]$")


def readme_counts() -> dict[tuple[str, str], int]:
    """The "topic (extra)" table of the README as {(topic, expected): count}."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert TABLE_HEADER in lines, "README lacks the extra-file table"
    counts: dict[tuple[str, str], int] = {}
    for line in lines[lines.index(TABLE_HEADER) + 2 :]:
        if not line.startswith("|"):
            break
        topic, expected, train = (cell.strip() for cell in line.strip("|").split("|"))
        counts[(topic, expected)] = int(train)
    return counts


@pytest.fixture(scope="module")
def extra() -> list[dict[str, Any]]:
    return load(EXTRA)


# ---- the extra file ------------------------------------------------------------------------------------


def test_fields_and_split(extra: list[dict[str, Any]]) -> None:
    for row in extra:
        ident = row.get("id")
        assert set(row) == {"id", "split", "expected", "topic", "text"}, ident
        assert isinstance(ident, str) and ID_RE.match(ident), ident
        assert row["split"] == "train", ident
        assert row["expected"] in ([], ["financial"]), ident
        assert isinstance(row["topic"], str) and TOPIC_RE.match(row["topic"]), ident
        assert isinstance(row["text"], str) and row["text"] and row["text"].strip() == row["text"], ident


def test_ids_and_texts_unique(extra: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in extra]
    assert len(ids) == len(set(ids))
    texts = Counter(row["text"] for row in extra)
    repeated = [row["id"] for row in extra if texts[row["text"]] > 1]
    assert repeated == []


def test_disjoint_from_base_file(extra: list[dict[str, Any]]) -> None:
    base = load(BASE)
    shared_ids = {row["id"] for row in extra} & {row["id"] for row in base}
    assert shared_ids == set()
    base_texts = {row["text"] for row in base}
    copied = [row["id"] for row in extra if row["text"] in base_texts]
    assert copied == []


def test_counts_match_readme(extra: list[dict[str, Any]]) -> None:
    actual = Counter((row["topic"], "financial" if row["expected"] else "none") for row in extra)
    assert dict(actual) == readme_counts()
    positives = sum(1 for row in extra if row["expected"])
    assert positives == EXPECTED_POSITIVES
    assert len(extra) - positives == EXPECTED_NEGATIVES


def test_readme_states_totals() -> None:
    text = README.read_text(encoding="utf-8")
    assert f"{EXPECTED_POSITIVES} positives and {EXPECTED_NEGATIVES} hard negatives" in text


def test_no_card_like_digit_runs(extra: list[dict[str, Any]]) -> None:
    flagged = [row["id"] for row in extra if card_like_runs(row["text"])]
    assert flagged == []
