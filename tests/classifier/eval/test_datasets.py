"""Each loader on a tiny fixture in the data set's real file format, plus the hard-negative builders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.eval.cases import Case, EvalError, GoldSpan, sample
from classifier.eval.datasets import (
    bio_document,
    break_issuer,
    break_luhn,
    load,
    load_banking77,
    load_clinical,
    load_gitleaks,
    load_payment,
    load_presidio,
    load_wnut17,
    luhn_check_digit,
)
from classifier.eval.scoring import Counts

CANARY = "CANARY-eval-7f3a9c"


def _luhn_ok(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == number[-1]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "number", ["4242424242424242", "5555555555554444", "378282246310005", "6011111111111117"]
)
def test_hard_negatives_break_exactly_one_rule(number: str) -> None:
    assert _luhn_ok(number)
    assert not _luhn_ok(break_luhn(number))
    broken = break_issuer(number)
    assert _luhn_ok(broken) and broken[0] == "0" and len(broken) == len(number)


def test_load_payment(tmp_path: Path) -> None:
    _write(
        tmp_path / "stripe_test_cards.csv",
        "number,brand,meaning,source_url,luhn_valid\n"
        "4242424242424242,Visa,brand,https://example.invalid,1\n"
        "4242424242424241,Visa,invalid,https://example.invalid,0\n",
    )
    _write(tmp_path / "braintree_test_cards.csv", "name,number,luhn_valid\nVisa,4111111111111111,1\n")
    ds = load_payment(tmp_path)
    groups = [c.group for c in ds.cases]
    assert groups.count("positive") == 2 and groups.count("luhn_invalid_source") == 1
    assert groups.count("luhn_broken") == 2 and groups.count("issuer_broken") == 2
    first = ds.cases[0]
    (span,) = first.spans
    assert first.text[span.start : span.end] == "4242424242424242" and span.label == "card"
    assert all(not c.spans for c in ds.cases if c.group != "positive")


def test_load_payment_rejects_non_digits(tmp_path: Path) -> None:
    _write(
        tmp_path / "stripe_test_cards.csv", f"number,brand,meaning,source_url,luhn_valid\n{CANARY},x,y,z,1\n"
    )
    _write(tmp_path / "braintree_test_cards.csv", "name,number,luhn_valid\n")
    with pytest.raises(EvalError, match="line 2") as info:
        load_payment(tmp_path)
    assert CANARY not in str(info.value)


def test_load_presidio(tmp_path: Path) -> None:
    rows = [
        {
            "recognizer": "credit_card",
            "text": "pay 4012888888881881 now",
            "expected_len": 1,
            "expected_positions": [[4, 20]],
            "other": {},
        },
        {
            "recognizer": "in_voter",
            "text": "vote CPJ4467918",
            "expected_len": 1,
            "expected_positions": [5, 15],
            "other": {},
        },  # a flat pair, as some test files give it
        {"recognizer": "us_ssn", "text": "nothing", "expected_len": 0, "expected_positions": [], "other": {}},
        {
            "recognizer": "spacy",
            "text": "my name is Dan",
            "expected_len": 1,
            "expected_positions": [[11, 14]],
            "other": {"entity_num": 0},
        },
        {
            "recognizer": "pattern",
            "text": "x",
            "expected_len": 1,
            "expected_positions": [[0, 1]],
            "other": {},
        },
        {
            "recognizer": "in_gstin",
            "text": "x",
            "expected_len": None,
            "expected_positions": None,
            "other": {},
        },
    ]
    _write(tmp_path / "recognizer_test_cases.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    ds = load_presidio(tmp_path)
    assert ds.skipped == 2 and len(ds.cases) == 4
    card, voter, ssn, person = ds.cases
    assert card.spans == (GoldSpan(4, 20, "credit_card"),) and card.scope == {"credit_card"}
    assert voter.spans == (GoldSpan(5, 15, "in_voter"),)
    assert ssn.spans == () and ssn.scope == {"us_ssn"}
    assert person.scope == {"ner_person"}


def test_load_presidio_bad_json_names_the_line(tmp_path: Path) -> None:
    good = {"recognizer": "ip", "text": "1.2.3.4", "expected_len": 1, "expected_positions": [[0, 7]]}
    _write(tmp_path / "recognizer_test_cases.jsonl", json.dumps(good) + "\n{" + CANARY + "\n")
    with pytest.raises(EvalError, match="line 2") as info:
        load_presidio(tmp_path)
    assert CANARY not in str(info.value)


def test_load_presidio_span_outside_text(tmp_path: Path) -> None:
    row = {"recognizer": "ip", "text": "1.2.3.4", "expected_len": 1, "expected_positions": [[0, 99]]}
    _write(tmp_path / "recognizer_test_cases.jsonl", json.dumps(row) + "\n")
    with pytest.raises(EvalError, match="outside"):
        load_presidio(tmp_path)


def test_load_gitleaks(tmp_path: Path) -> None:
    rows = [
        {
            "rule_id": "github-pat",
            "kind": "tp",
            "text": "token = ghp_x",
            "origin": "literal",
            "source_file": "a.go",
        },
        {
            "rule_id": "github-pat",
            "kind": "fp",
            "text": "token = none",
            "origin": "literal",
            "source_file": "a.go",
        },
    ]
    _write(tmp_path / "rule_cases.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    tp, fp = load_gitleaks(tmp_path).cases
    assert tp.expected == {"github-pat"} and tp.scope == {"github-pat"} and tp.group == "tp"
    assert fp.expected == frozenset() and fp.group == "fp"


def test_load_gitleaks_rejects_unknown_kind(tmp_path: Path) -> None:
    row = {"rule_id": "r", "kind": "maybe", "text": CANARY}
    _write(tmp_path / "rule_cases.jsonl", json.dumps(row) + "\n")
    with pytest.raises(EvalError, match="kind") as info:
        load_gitleaks(tmp_path)
    assert CANARY not in str(info.value)


def test_bio_document_spans() -> None:
    tokens = [
        ("Ann", "B-person"),
        ("Lee", "I-person"),
        ("in", "O"),
        ("New", "B-location"),
        ("York", "I-location"),
        ("at", "O"),
        ("Acme", "B-corporation"),
        ("Bob", "B-person"),
    ]
    text, spans = bio_document(tokens)
    assert text == "Ann Lee in New York at Acme Bob"
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("Ann Lee", "person"),
        ("New York", "location"),
        ("Acme", "corporation"),
        ("Bob", "person"),
    ]


def test_load_wnut17(tmp_path: Path) -> None:
    conll = "Met\tO\nAnn\tB-person\nin\tO\nOslo\tB-location\n\n&\tO\nApple\tB-corporation\nrocks\tO\n"
    _write(tmp_path / "emerging.dev.conll", conll)
    first, second = load_wnut17(tmp_path).cases
    assert [first.text[s.start : s.end] for s in first.spans] == ["Ann", "Oslo"]
    assert second.spans == ()  # corporations are not scored
    assert first.scope == {"person", "location"}


def test_load_wnut17_rejects_lines_without_tab(tmp_path: Path) -> None:
    _write(tmp_path / "emerging.dev.conll", f"ok\tO\n{CANARY}\n")
    with pytest.raises(EvalError, match="line 2") as info:
        load_wnut17(tmp_path)
    assert CANARY not in str(info.value)


def test_load_clinical(tmp_path: Path) -> None:
    aci = tmp_path / "data" / "aci-bench" / "challenge_data"
    _write(
        aci / "valid.csv",
        'dataset,encounter_id,dialogue,note\nvirtassist,D1,"[doctor] hi\n[patient] hi",note\n',
    )
    _write(aci / "valid_metadata.csv", "dataset,encounter_id,id\nvirtassist,D1,VA1\n")
    # The training files teach the regulated lexicon: never scored.
    _write(aci / "train.csv", "dataset,encounter_id,dialogue,note\nvirtassist,D0,training,note\n")
    _write(
        tmp_path / "data" / "mts-dialog" / "MTS_Dataset_TrainingSet.csv",
        "ID,section_header,section_text,dialogue\n0,CC,x,training\n",
    )
    _write(
        tmp_path / "data" / "mts-dialog" / "MTS.csv",
        "ID,section_header,section_text,dialogue\n0,CC,x,Doctor: hi\n",
    )
    ds = load_clinical(tmp_path)
    assert [c.group for c in ds.cases] == ["aci-bench", "mts-dialog"]
    assert all(c.expected == {"regulated"} for c in ds.cases)
    assert ds.cases[0].text == "[doctor] hi\n[patient] hi"


def test_load_banking77(tmp_path: Path) -> None:
    _write(tmp_path / "train.csv", "text,category\nWhere is my card?,card_arrival\n")
    _write(tmp_path / "test.csv", 'text,category\n"Hi, top up failed",top_up_failed\nWhere?,card_arrival\n')
    ds = load_banking77(tmp_path)  # the test split only: train teaches the lexicons
    assert [c.group for c in ds.cases] == ["top_up_failed", "card_arrival"]
    assert all(c.expected == frozenset() for c in ds.cases)


def test_load_samples_deterministically_and_reports_it(tmp_path: Path) -> None:
    rows = "".join(f"question {i},intent\n" for i in range(50))
    _write(tmp_path / "banking77" / "train.csv", "text,category\n")
    _write(tmp_path / "banking77" / "test.csv", "text,category\n" + rows)
    a, b = load(tmp_path, "banking77", limit=7), load(tmp_path, "banking77", limit=7)
    assert [c.case_id for c in a.cases] == [c.case_id for c in b.cases]
    assert len(a.cases) == 7 and a.total == 50 and a.sampled and "sampled 7 of 50" in a.note
    assert not load(tmp_path, "banking77").sampled


def test_load_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="missing"):
        load(tmp_path, "banking77")


def test_sample_keeps_order() -> None:
    cases = [Case(str(i), "t") for i in range(20)]
    picked = sample(cases, 5)
    assert len(picked) == 5 and [int(c.case_id) for c in picked] == sorted(int(c.case_id) for c in picked)
    assert sample(cases, None) == cases


@pytest.mark.parametrize(
    ("other", "weak"),
    [
        ({"expected_score_ranges": [[0.0, 0.3]]}, True),
        ({"expected_score_ranges": [[0.05, 0.15], [0.1, 0.4]]}, True),
        ({"expected_score_ranges": [[0.6, 0.81]]}, False),
        ({"expected_scores": [0.1, 0.9]}, False),
        ({"expected_score": 0.4}, True),
        ({"expected_score": "high"}, False),  # not a number: not judged weak
        ({}, False),
    ],
)
def test_presidio_cases_expected_to_score_low_are_weak(tmp_path: Path, other: dict, weak: bool) -> None:
    row = {
        "recognizer": "kr_passport",
        "text": "M123A4567",
        "expected_len": 1,
        "expected_positions": [[0, 9]],
    }
    _write(tmp_path / "recognizer_test_cases.jsonl", json.dumps({**row, "other": other}) + "\n")
    (case,) = load_presidio(tmp_path).cases
    assert case.weak is weak


def test_weak_cases_are_scored_apart(tmp_path: Path) -> None:
    from classifier import build_classifier
    from classifier.eval.cases import WEAK_GROUP
    from classifier.eval.run import evaluate

    rows = [
        {"recognizer": "email", "text": "mail a@b.org", "expected_len": 1, "expected_positions": [[5, 12]]},
        {
            "recognizer": "email",
            "text": "no email here",
            "expected_len": 1,
            "expected_positions": [[0, 2]],
            "other": {"expected_score_ranges": [[0.0, 0.2]]},
        },
    ]
    _write(tmp_path / "recognizer_test_cases.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    score = evaluate(build_classifier(ner="off", hmac_key=b"k" * 32), load_presidio(tmp_path), progress=False)
    assert score.by_label["email"] == Counts(tp=1)
    assert score.by_group[WEAK_GROUP] == Counts(fn=1)
