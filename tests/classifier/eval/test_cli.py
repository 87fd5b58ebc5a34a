"""The command line: clear errors for missing data, and a smoke run on the real shared data sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.eval.__main__ import DEFAULT_DATASETS, main
from classifier.eval.datasets import LOADERS
from classifier.eval.report import SCHEMA

CANARY = "CANARY-eval-cli-51d2"


def test_missing_datasets_dir_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope"
    assert main(["--datasets", str(missing), "--out", str(tmp_path / "r.json"), "--ner", "off"]) == 2
    assert "data sets directory not found" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_malformed_dataset_exits_2_without_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "gitleaks_rule_cases"
    root.mkdir()
    (root / "rule_cases.jsonl").write_text('{"rule_id": "r", "kind": "tp", "text": "' + CANARY + '"\n')
    args = ["--datasets", str(tmp_path), "--only", "gitleaks_rule_cases", "--ner", "off"]
    assert main([*args, "--out", str(tmp_path / "r.json")]) == 2
    captured = capsys.readouterr()
    assert "line 1" in captured.err
    assert CANARY not in captured.err + captured.out


def test_bad_limit_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--limit", "0", "--datasets", str(tmp_path)])
    assert info.value.code == 2


def test_runs_on_a_fixture_and_keeps_text_out_of_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "banking77"
    root.mkdir()
    # Only the test split is scored (train teaches the lexicons).
    (root / "train.csv").write_text("text,category\nnot scored,card_arrival\n")
    (root / "test.csv").write_text(
        f"text,category\nmy card {CANARY} 4242424242424242,card_arrival\nwhere is my card,card_arrival\n"
    )
    out = tmp_path / "r.json"
    assert main(["--datasets", str(tmp_path), "--only", "banking77", "--ner", "off", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    results = json.loads(out.read_text())
    banking = results["datasets"]["banking77"]
    assert banking["cases"] == 2 and banking["labelled_share"]["payment"] == 0.5
    assert banking["by_category"]["payment"]["fp"] == 1
    assert "banking77" in captured.out
    for text in (captured.out, captured.err, out.read_text()):
        assert CANARY not in text and "4242424242424242" not in text


@pytest.mark.skipif(not DEFAULT_DATASETS.is_dir(), reason=f"shared data sets not found at {DEFAULT_DATASETS}")
def test_smoke_on_the_shared_datasets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval.json"
    assert main(["--limit", "3", "--ner", "off", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["schema"] == SCHEMA and results["ner"] == "off"
    assert set(results["datasets"]) == set(LOADERS)
    for name, figures in results["datasets"].items():
        assert figures["cases"] == 3, name
        assert figures["total"] > 3 and figures["sampled"], name
    assert "payment_test_numbers" in capsys.readouterr().out
