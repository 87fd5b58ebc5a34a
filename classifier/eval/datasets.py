"""One loader per development data set: files on disk -> ``DataSet`` of ``Case``.

Each loader reads the data set's real file format (see its ``SOURCE.txt``) and raises
``EvalError`` naming the file and line, never the content, when the format is not as expected.
Large sets are sampled deterministically (``cases.SEED``); the default sizes are in ``DEFAULT_SIZES``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from classifier.eval.cases import Case, DataSet, EvalError, GoldSpan, sample

# Default sample sizes (None: every case); ``--limit`` lowers them. Chosen to fit minutes on 2 cores.
DEFAULT_SIZES: dict[str, int | None] = {
    "payment_test_numbers": None,
    "gitleaks_rule_cases": None,
    "presidio_recognizer_cases": None,
    "wnut17_emerging_entities": None,
    "clinical_dialogues_aci_mts": None,
    "banking77": None,
    "financial_dialogues": None,
    "ordinary_chats": None,
}
# chatsift's own data sets (``datasets/`` in the repository), loaded from the team directory.
TEAM_SETS = frozenset({"financial_dialogues", "ordinary_chats"})
DEFAULT_TEAM_DIR = Path(__file__).resolve().parents[2] / "datasets"
# Files the weighted lexicons are trained on (``classifier.train``): never scored here.
CLINICAL_TRAIN = frozenset({"MTS_Dataset_TrainingSet.csv", "train.csv"})
# presidio's generic PatternRecognizer tests use made-up patterns: not an entity of any kind.
PRESIDIO_EXCLUDED = frozenset({"pattern"})
NER_TESTS = frozenset({"spacy", "stanza", "transformers"})
# presidio tests that assert every score below this expect a low-confidence match, one presidio
# itself would not report at a 0.5 threshold: scored apart (``cases.WEAK_GROUP``).
WEAK_SCORE = 0.5
NER_ENTITY_NUM = {0: "ner_person", 1: "ner_date"}  # the order of the entities fixture in those tests
WNUT_SCORED = frozenset({"person", "location"})
CARD_TEMPLATES = ("Please charge my card {n} for the order.", "card: {n}", "The number is {n}, exp 12/29.")


def csv_rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise EvalError(f"cannot read {path}: {type(exc).__name__}") from exc


def jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    number = 0
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise EvalError(f"{path}: line {number} is not a JSON object")
                    yield number, row
    except json.JSONDecodeError:
        raise EvalError(f"{path}: line {number} is not JSON") from None  # the error quotes the line
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read {path}: {type(exc).__name__}") from exc


def _field(row: dict[str, Any], key: str, where: str) -> Any:
    if key not in row or row[key] is None:
        raise EvalError(f"{where}: field {key!r} missing")
    return row[key]


# ---- payment_test_numbers -------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit that makes ``body + digit`` valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def break_luhn(number: str) -> str:
    """The same number with its check digit moved by one: always Luhn-invalid."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def break_issuer(number: str) -> str:
    """Leading digit 0 (ISO/IEC 7812: not a card issuer) with the check digit fixed: Luhn-valid, no issuer."""
    body = "0" + number[1:-1]
    return body + luhn_check_digit(body)


def _card_case(case_id: str, number: str, index: int, group: str, positive: bool) -> Case:
    template = CARD_TEMPLATES[index % len(CARD_TEMPLATES)]
    text = template.format(n=number)
    start = template.index("{n}")
    spans = (GoldSpan(start, start + len(number), "card"),) if positive else ()
    return Case(case_id, text, spans, frozenset({"card"}), group=group)


def load_payment(root: Path) -> DataSet:
    """Stripe and Braintree test cards (Luhn-valid: positives) plus hard negatives built from them."""
    numbers: list[tuple[str, str, bool]] = []
    for name in ("stripe_test_cards.csv", "braintree_test_cards.csv"):
        for line, row in enumerate(csv_rows(root / name), 2):
            where = f"{root / name}: line {line}"
            number = str(_field(row, "number", where)).strip()
            if not number.isdigit():
                raise EvalError(f"{where}: number is not all digits")
            numbers.append((f"{name.split('_')[0]}:{line}", number, _field(row, "luhn_valid", where) == "1"))
    cases: list[Case] = []
    for i, (cid, number, valid) in enumerate(numbers):
        cases.append(_card_case(cid, number, i, "positive" if valid else "luhn_invalid_source", valid))
        if valid:
            cases.append(_card_case(cid + ":luhn", break_luhn(number), i, "luhn_broken", False))
            cases.append(_card_case(cid + ":issuer", break_issuer(number), i, "issuer_broken", False))
    return DataSet("payment_test_numbers", "span", cases, total=len(cases))


# ---- presidio_recognizer_cases --------------------------------------------------------------


def _presidio_label(row: dict[str, Any], where: str) -> str:
    recognizer = str(_field(row, "recognizer", where))
    if recognizer in NER_TESTS:
        num = (row.get("other") or {}).get("entity_num")
        return NER_ENTITY_NUM.get(num, f"ner_{num}") if isinstance(num, int) else f"ner_{num}"
    return recognizer


def _presidio_case(row: dict[str, Any], where: str) -> Case | None:
    label = _presidio_label(row, where)
    text = _field(row, "text", where)
    positions, count = row.get("expected_positions"), row.get("expected_len")
    if positions and all(isinstance(p, int) for p in positions) and len(positions) == 2:
        positions = [positions]  # some test files give one span as a flat [start, end]
    if positions:
        try:
            spans = tuple(GoldSpan(int(s), int(e), label) for s, e in positions)
        except (TypeError, ValueError):
            raise EvalError(f"{where}: expected_positions is not a list of [start, end]") from None
    elif count == 0:
        spans = ()
    else:  # no positions and no count of zero: the test checks something else (sanitising, ...)
        return None
    if any(not 0 <= s.start < s.end <= len(text) for s in spans):
        raise EvalError(f"{where}: expected span outside the text")
    weak = bool(spans) and _expected_scores_below(row.get("other"), WEAK_SCORE)
    return Case(where.split(": ", 1)[-1], text, spans, frozenset({label}), group=label, weak=weak)


def _expected_scores_below(other: Any, limit: float) -> bool:
    """True when the test asserts scores and every one is below ``limit`` (a low-confidence match)."""
    if not isinstance(other, dict):
        return False
    values: list[Any] = [r[-1] for r in other.get("expected_score_ranges") or [] if isinstance(r, list) and r]
    values += list(other.get("expected_scores") or [])
    if other.get("expected_score") is not None:
        values.append(other["expected_score"])
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return bool(numbers) and len(numbers) == len(values) and max(numbers) < limit


def load_presidio(root: Path) -> DataSet:
    """presidio-analyzer's recognizer test cases: spans expected per recognizer, or none (negatives)."""
    path = root / "recognizer_test_cases.jsonl"
    cases: list[Case] = []
    skipped = 0
    for number, row in jsonl_rows(path):
        if row.get("recognizer") in PRESIDIO_EXCLUDED:
            skipped += 1
            continue
        case = _presidio_case(row, f"{path.name}: line {number}")
        if case is None:
            skipped += 1
        else:
            cases.append(case)
    note = f"{skipped} cases skipped (generic pattern tests, or no expected spans/count)"
    return DataSet("presidio_recognizer_cases", "span", cases, total=len(cases), skipped=skipped, note=note)


# ---- gitleaks_rule_cases --------------------------------------------------------------------


def load_gitleaks(root: Path) -> DataSet:
    """gitleaks rule validation cases: ``tp`` must be detected, ``fp`` must not."""
    path = root / "rule_cases.jsonl"
    cases: list[Case] = []
    for number, row in jsonl_rows(path):
        where = f"{path.name}: line {number}"
        rule, kind = str(_field(row, "rule_id", where)), _field(row, "kind", where)
        if kind not in ("tp", "fp"):
            raise EvalError(f"{where}: kind must be tp or fp")
        expected = frozenset({rule}) if kind == "tp" else frozenset()
        cases.append(
            Case(f"line {number}", _field(row, "text", where), (), frozenset({rule}), expected, group=kind)
        )
    return DataSet("gitleaks_rule_cases", "presence", cases, total=len(cases))


# ---- wnut17_emerging_entities ---------------------------------------------------------------


def conll_documents(path: Path) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    tokens: list[tuple[str, str]] = []
    first = 1
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                line = line.rstrip("\n")
                if not line.strip():
                    if tokens:
                        yield first, tokens
                    tokens, first = [], number + 1
                    continue
                token, sep, tag = line.rpartition("\t")
                if not sep or not token:
                    raise EvalError(f"{path}: line {number} is not token<TAB>tag")
                tokens.append((token, tag.strip()))
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read {path}: {type(exc).__name__}") from exc
    if tokens:
        yield first, tokens


def bio_document(tokens: list[tuple[str, str]]) -> tuple[str, tuple[GoldSpan, ...]]:
    """Tokens joined by single spaces, and the BIO entities as character spans (all types)."""
    parts: list[str] = []
    spans: list[GoldSpan] = []
    offset = 0
    current: list[Any] | None = None  # [start, end, label]
    for token, tag in tokens:
        start, end = offset, offset + len(token)
        parts.append(token)
        offset = end + 1
        kind, _, label = tag.partition("-")
        if kind == "I" and current is not None and current[2] == label:
            current[1] = end
            continue
        if current is not None:
            spans.append(GoldSpan(*current))
        current = [start, end, label] if kind in ("B", "I") else None
    if current is not None:
        spans.append(GoldSpan(*current))
    return " ".join(parts), tuple(spans)


def load_wnut17(root: Path) -> DataSet:
    """WNUT-17 dev documents (``emerging.dev.conll``): person and location spans are scored."""
    path = root / "emerging.dev.conll"
    cases: list[Case] = []
    for line, tokens in conll_documents(path):
        text, spans = bio_document(tokens)
        kept = tuple(s for s in spans if s.label in WNUT_SCORED)
        cases.append(Case(f"line {line}", text, kept, WNUT_SCORED))
    return DataSet("wnut17_emerging_entities", "span", cases, total=len(cases))


# ---- text-level sets ------------------------------------------------------------------------


def load_clinical(root: Path) -> DataSet:
    """Held-out ACI-Bench visits and MTS-Dialog snippets: every one should be labelled ``regulated``.

    The training files (MTS-Dialog training set, ACI-Bench train) taught the ``regulated`` lexicon
    and are left out: validation and test files only.
    """
    data = root / "data"
    files = sorted((data / "aci-bench" / "challenge_data").glob("*.csv")) + sorted(
        (data / "mts-dialog").glob("*.csv")
    )
    files = [f for f in files if not f.name.endswith("_metadata.csv") and f.name not in CLINICAL_TRAIN]
    if not files:
        raise EvalError(f"{data}: no dialogue CSV files")
    cases: list[Case] = []
    for path in files:
        group = path.parent.name if path.parent.name == "mts-dialog" else "aci-bench"
        for line, row in enumerate(csv_rows(path), 2):
            text = _field(row, "dialogue", f"{path}: row {line}")
            cases.append(Case(f"{path.name}:{line}", text, expected=frozenset({"regulated"}), group=group))
    return DataSet("clinical_dialogues_aci_mts", "text", cases, total=len(cases))


def load_banking77(root: Path) -> DataSet:
    """BANKING77 test questions: ordinary text, no label expected (train taught the lexicons)."""
    cases: list[Case] = []
    for name in ("test.csv",):
        for line, row in enumerate(csv_rows(root / name), 2):
            where = f"{root / name}: line {line}"
            text = _field(row, "text", where)
            cases.append(Case(f"{name}:{line}", text, group=_field(row, "category", where)))
    return DataSet("banking77", "text", cases, total=len(cases))


def _team_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, row in jsonl_rows(path):
        where = f"{path}: line {number}"
        for key in ("id", "split", "text"):
            _field(row, key, where)
        yield where, row


def load_financial(root: Path) -> DataSet:
    """chatsift's financial dialogues, test split: positives expect ``financial``, negatives nothing."""
    cases: list[Case] = []
    for where, row in _team_rows(root / "financial.jsonl"):
        if row["split"] != "test":
            continue
        expected = _field(row, "expected", where)
        if not isinstance(expected, list) or not set(expected) <= {"financial"}:
            raise EvalError(f"{where}: expected must be [] or ['financial']")
        group = ("positive:" if expected else "negative:") + str(row.get("topic", ""))
        cases.append(Case(str(row["id"]), str(row["text"]), expected=frozenset(expected), group=group))
    return DataSet("financial_dialogues", "text", cases, total=len(cases))


def load_ordinary(root: Path) -> DataSet:
    """chatsift's ordinary chats: nothing sensitive, no label expected."""
    cases = [
        Case(str(row["id"]), str(row["text"]), group=str(row.get("topic", "")))
        for _, row in _team_rows(root / "ordinary.jsonl")
    ]
    return DataSet("ordinary_chats", "text", cases, total=len(cases))


LOADERS: dict[str, Callable[[Path], DataSet]] = {
    "payment_test_numbers": load_payment,
    "gitleaks_rule_cases": load_gitleaks,
    "presidio_recognizer_cases": load_presidio,
    "wnut17_emerging_entities": load_wnut17,
    "clinical_dialogues_aci_mts": load_clinical,
    "banking77": load_banking77,
    "financial_dialogues": load_financial,
    "ordinary_chats": load_ordinary,
}


def load(
    datasets_dir: Path, name: str, limit: int | None = None, team_dir: Path = DEFAULT_TEAM_DIR
) -> DataSet:
    """Load data set ``name`` (from ``team_dir`` for chatsift's own sets) and sample it to ``limit``."""
    root = (team_dir if name in TEAM_SETS else datasets_dir) / name
    if not root.is_dir():
        raise EvalError(f"data set directory missing: {root}")
    full = LOADERS[name](root)
    sizes = [s for s in (DEFAULT_SIZES.get(name), limit) if s is not None]
    size = min(sizes) if sizes else None
    cases = sample(full.cases, size)
    note = full.note
    if len(cases) < len(full.cases):
        note = "; ".join(p for p in (note, f"sampled {len(cases)} of {len(full.cases)} (seed fixed)") if p)
    return DataSet(full.name, full.kind, cases, total=len(full.cases), skipped=full.skipped, note=note)
