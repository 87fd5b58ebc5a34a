"""Validate the team-authored data sets under ``datasets/``.

``datasets/financial_dialogues/financial.jsonl`` and ``datasets/ordinary_chats/ordinary.jsonl`` are written
by hand. These tests check that every line parses, ids are unique and well formed, fields carry only the
allowed values, the per-topic/split/label counts equal the tables in each README (and the headline totals
stated here), and that no text contains anything that looks like a payment card: no Luhn-valid run of 13-19
digits, whether contiguous or grouped with single spaces or dashes. Failure messages name ids only, never
record text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

DATASETS = Path(__file__).resolve().parents[2] / "datasets"
FINANCIAL = DATASETS / "financial_dialogues"
ORDINARY = DATASETS / "ordinary_chats"

TOPIC_RE = re.compile(r"^[a-z][a-z_]*[a-z]$")
# Maximal runs of digits, optionally grouped by a single space or dash (how a card is usually written).
DIGIT_RUN_RE = re.compile(r"(?<![0-9])[0-9]+(?:[ -][0-9]+)*(?![0-9])")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
EXAMPLE_DOMAINS = {"example.com", "example.org", "example.net"}


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_like_runs(text: str) -> list[str]:
    """Luhn-valid digit strings of 13-19 digits: contiguous runs and runs grouped by spaces or dashes."""
    found: list[str] = []
    for match in DIGIT_RUN_RE.finditer(text):
        groups = re.split(r"[ -]", match.group(0))
        candidates = set(groups)
        candidates.add("".join(groups))
        for candidate in candidates:
            if 13 <= len(candidate) <= 19 and luhn_valid(candidate):
                found.append(candidate)
    return found


def load(path: Path) -> list[dict[str, Any]]:
    """Parse a JSONL file; a bad line fails with its line number only."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"{path.name}: line {number} is not valid JSON")
        assert isinstance(row, dict), f"{path.name}: line {number} is not an object"
        rows.append(row)
    return rows


def readme_table(path: Path, header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header line is ``header``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # skip header and separator
    rows: list[list[str]] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def financial() -> list[dict[str, Any]]:
    return load(FINANCIAL / "financial.jsonl")


@pytest.fixture(scope="module")
def ordinary() -> list[dict[str, Any]]:
    return load(ORDINARY / "ordinary.jsonl")


# ---- the checkers themselves -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        ("visa test number", "card 4111111111111111 ok", ["4111111111111111"]),
        ("grouped with spaces", "pay 4539 1488 0343 6467 now", ["4539148803436467"]),
        ("grouped with dashes", "4539-1488-0343-6467", ["4539148803436467"]),
        ("luhn fails", "4111111111111112", []),
        ("too short", "411111111111", []),
        ("amounts with commas", "1,904,220 and 2,611,875", []),
        ("timestamp", "1718035200", []),
        ("uuid", "1c6f39fd-d6b1-4fd7-bb48-c5e488dd9dba", []),
        ("phone-like order id", "4415-2208-913", []),
    ],
)
def test_card_like_runs(case: str, text: str, expected: list[str]) -> None:
    assert card_like_runs(text) == expected, case


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("79927398713", True), ("79927398710", False), ("0", True), ("18", True), ("19", False)],
)
def test_luhn_valid(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("text", "domains"),
    [
        ("write to team@example.com", {"example.com"}),
        ("mail jo.smith@mailhost.io today", {"mailhost.io"}),
        ("postgres://postgres:postgres@localhost:5432/app", set()),
    ],
)
def test_email_domains(text: str, domains: set[str]) -> None:
    assert set(EMAIL_RE.findall(text)) == domains


# ---- financial_dialogues -------------------------------------------------------------------------------


def test_financial_fields(financial: list[dict[str, Any]]) -> None:
    for row in financial:
        ident = row.get("id")
        assert set(row) == {"id", "split", "expected", "topic", "text"}, ident
        assert isinstance(ident, str) and re.fullmatch(r"fin-\d{4}", ident), ident
        assert row["split"] in ("train", "test"), ident
        assert row["expected"] in ([], ["financial"]), ident
        assert isinstance(row["topic"], str) and TOPIC_RE.match(row["topic"]), ident
        assert isinstance(row["text"], str) and row["text"].strip() == row["text"] and row["text"], ident


def test_financial_ids_and_texts_unique(financial: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in financial]
    assert len(set(ids)) == len(ids)
    assert ids == [f"fin-{n:04d}" for n in range(1, len(ids) + 1)]
    assert len({row["text"] for row in financial}) == len(financial)


def test_financial_headline_counts(financial: list[dict[str, Any]]) -> None:
    counts = Counter((row["split"], bool(row["expected"])) for row in financial)
    assert counts == {("train", True): 120, ("test", True): 120, ("train", False): 120, ("test", False): 120}


def test_financial_counts_match_readme(financial: list[dict[str, Any]]) -> None:
    table = readme_table(FINANCIAL / "README.md", "| topic | expected | train | test |")
    stated = {(topic, label, "train"): int(train) for topic, label, train, _ in table}
    stated |= {(topic, label, "test"): int(test) for topic, label, _, test in table}
    actual = Counter(
        (row["topic"], "financial" if row["expected"] else "none", row["split"]) for row in financial
    )
    assert dict(actual) == {key: value for key, value in stated.items() if value}
    for topic, label, train, test in table:
        assert abs(int(train) - int(test)) <= 1, (topic, label)


def test_financial_topics_are_single_label(financial: list[dict[str, Any]]) -> None:
    labels: dict[str, set[bool]] = {}
    for row in financial:
        labels.setdefault(row["topic"], set()).add(bool(row["expected"]))
    assert all(len(value) == 1 for value in labels.values())


# ---- ordinary_chats ------------------------------------------------------------------------------------


def test_ordinary_fields(ordinary: list[dict[str, Any]]) -> None:
    for row in ordinary:
        ident = row.get("id")
        assert set(row) == {"id", "split", "topic", "text"}, ident
        assert isinstance(ident, str) and re.fullmatch(r"ord-\d{4}", ident), ident
        assert row["split"] == "test", ident
        assert isinstance(row["topic"], str) and TOPIC_RE.match(row["topic"]), ident
        assert isinstance(row["text"], str) and row["text"].strip() == row["text"] and row["text"], ident


def test_ordinary_ids_and_texts_unique(ordinary: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in ordinary]
    assert ids == [f"ord-{n:04d}" for n in range(1, len(ids) + 1)]
    assert len({row["text"] for row in ordinary}) == len(ordinary)


def test_ordinary_counts_match_readme(ordinary: list[dict[str, Any]]) -> None:
    assert len(ordinary) == 300
    table = readme_table(ORDINARY / "README.md", "| topic | count |")
    assert Counter(row["topic"] for row in ordinary) == {topic: int(count) for topic, count in table}


def test_ordinary_emails_use_example_domains(ordinary: list[dict[str, Any]]) -> None:
    bad = [row["id"] for row in ordinary if set(EMAIL_RE.findall(row["text"])) - EXAMPLE_DOMAINS]
    assert bad == []


# ---- both ----------------------------------------------------------------------------------------------


def test_no_card_like_digit_runs(financial: list[dict[str, Any]], ordinary: list[dict[str, Any]]) -> None:
    bad = [row["id"] for row in financial + ordinary if card_like_runs(row["text"])]
    assert bad == []


def test_no_text_shared_between_sets(financial: list[dict[str, Any]], ordinary: list[dict[str, Any]]) -> None:
    assert not {row["text"] for row in financial} & {row["text"] for row in ordinary}
