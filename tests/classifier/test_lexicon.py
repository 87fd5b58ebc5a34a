"""Weighted lexicons: tokens and shapes, windows, support, hits, the model file, and training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.errors import ClassifierConfigError
from classifier.lexicon import Lexicon, load_lexicon, tokens, windows
from classifier.train import Spec, fit


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("Revenue was $4.2M", ["revenue", "__money__"]),
        ("EUR 1,200 and 300k usd", ["__money__", "__money__"]),
        ("margin 12% or 3.5 %", ["margin", "__percent__", "__percent__"]),
        ("12,400 users, 3 million rows", ["__bignum__", "users", "__bignum__", "rows"]),
        ("pi is 3.14", ["__decimal__"]),
        ("She and he did it", []),  # stop words and short words are not features
        ("naïve café", ["naïve", "café"]),
    ],
)
def test_tokens_and_shapes(text: str, features: list[str]) -> None:
    assert [t.feature for t in tokens(text)] == features


def test_token_offsets_point_into_the_text() -> None:
    text = "Paid $1,250.00 today"
    money = next(t for t in tokens(text) if t.feature == "__money__")
    assert text[money.start : money.end] == "$1,250.00"


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [
        (0, 4, []),
        (3, 4, [(0, 3)]),
        (4, 4, [(0, 4)]),
        (6, 4, [(0, 4), (2, 6)]),
        (7, 4, [(0, 4), (2, 6), (4, 7)]),
    ],
)
def test_windows_overlap_by_half(n: int, size: int, expected: list[tuple[int, int]]) -> None:
    toks = tokens(" ".join(["word"] * n))
    assert list(windows(toks, size)) == expected


LEX = Lexicon(
    "t", {"diagnosis": 2.0, "insulin": 1.5, "refund": -3.0, "lonely": 2.4}, bias=-2.0, threshold=0.5
)


def test_one_strong_word_is_not_enough() -> None:
    assert LEX.score_text("lonely") == 0.0  # weight 2.4 but no second supporting feature
    assert LEX.score_text("diagnosis insulin") > 0.5


def test_hits_point_at_the_strongest_word_and_negatives_pull_down() -> None:
    text = "the diagnosis means insulin twice a day"
    (hit,) = LEX.hits(text)
    assert text[hit.start : hit.end] == "diagnosis"
    assert LEX.hits("diagnosis insulin refund") == []


def test_separate_regions_give_separate_hits() -> None:
    filler = " ".join(f"filler{i}" for i in range(120))
    lex = Lexicon("t", dict(LEX.weights), LEX.bias, LEX.threshold, window=8)
    hits = lex.hits(f"diagnosis insulin {filler} insulin diagnosis")
    assert len(hits) == 2 and hits[0].end < hits[1].start


def test_model_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(LEX.to_json()))
    loaded = load_lexicon(path)
    assert loaded == LEX and loaded.digest == LEX.digest
    changed = Lexicon("t", {**LEX.weights, "insulin": 1.6}, LEX.bias, LEX.threshold)
    assert changed.digest != LEX.digest


@pytest.mark.parametrize(
    "content", ["not json", json.dumps({"schema": "other"}), json.dumps({"schema": "x"})]
)
def test_a_bad_model_file_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ClassifierConfigError, match=str(path)):
        load_lexicon(path)


def test_fit_learns_and_is_deterministic() -> None:
    positives = [
        f"the patient reports {w} and takes insulin for diabetes" for w in ("pain", "fever", "nausea")
    ] * 4
    negatives = [f"please refund my {w} card payment today" for w in ("debit", "credit", "virtual")] * 4
    spec = Spec("t", l2=1e-3, threshold=0.5)
    a, b = fit(spec, positives, negatives), fit(spec, positives, negatives)
    assert a.digest == b.digest
    assert a.weights["insulin"] > 0 > a.weights["refund"]
    assert a.score_text("diabetes insulin patient") > 0.9
    assert a.score_text("refund my card payment") == 0.0


def test_a_model_that_requires_figures_reads_only_windows_with_one_and_points_at_it() -> None:
    lex = Lexicon(
        "t",
        {"revenue": 2.0, "forecast": 1.0, "__money__": 1.0},
        bias=-2.0,
        threshold=0.5,
        require_any=frozenset({"__money__"}),
    )
    assert lex.hits("revenue beat the forecast again") == []  # no figure: never read
    text = "revenue beat the forecast: $4.2M"
    (hit,) = lex.hits(text)
    assert text[hit.start : hit.end] == "$4.2M"


def test_the_token_lookahead_changes_no_match() -> None:
    # ``_TOKEN`` starts with a look-ahead for speed; without it the matches must be the same.
    import re

    from classifier.lexicon import _TOKEN

    plain = re.compile(_TOKEN.pattern.removeprefix(r"(?=[^\W_]|[$€£¥₹])"), _TOKEN.flags)
    assert plain.pattern != _TOKEN.pattern
    texts = [
        "Revenue was $4.2M, EUR 1,200 and 300k usd; margin 12% or 3.5 %; 72000 rows",
        "£-12 ¥ 7 ₹5 € 3 -- _x_ __init__ 3_000 abc123def I'm we’re o'neill",
        "\u017ftate \u212a \u0130stanbul \u0661\u0662\u0663\u0664\u0665 Stra\u00dfe",
        "",
    ]
    for text in texts:
        expected = [(m.lastgroup, m.span()) for m in plain.finditer(text)]
        assert [(m.lastgroup, m.span()) for m in _TOKEN.finditer(text)] == expected
