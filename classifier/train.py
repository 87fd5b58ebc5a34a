"""Train the weighted lexicons in ``models/`` (``make models``): ``python -m classifier.train``.

Each lexicon is an L2-regularised logistic regression over the binary window features of
``classifier.lexicon``, fitted with full-batch Adam in numpy (deterministic: fixed seed, fixed
order). Every training text is cut into windows like the detector cuts chats; a window takes its
text's label, and both classes weigh the same in the loss whatever their sizes.

Training data (only sets whose licence allows redistributing what is learnt from them; the test
splits used by ``make eval`` are never read here):

==============  ===========================================================  ===================
model           positives                                                    negatives
==============  ===========================================================  ===================
``regulated``   MTS-Dialog training set (dialogues and section notes),        BANKING77 train,
                ACI-Bench train (dialogues and notes): CC BY 4.0             WNUT-17 train and
                                                                             test, financial train
``financial``   chatsift financial dialogues, train split and the train-     the same files' hard
                only extension, positives (CC0-1.0,                          negatives, BANKING77
                ``datasets/financial_dialogues``)                            train, WNUT-17 train
                                                                             and test, MTS-Dialog
                                                                             training
==============  ===========================================================  ===================

A model may have a prior (``models/<name>_prior.txt``): hand-picked words and weights the fit
starts from and is regularised towards instead of 0, so a word the training texts rarely use keeps
what an expert would give it. Features seen in fewer than ``MIN_DF`` training texts (and not in the
prior) are dropped; weights under ``KEEP`` in
absolute value are not written. The model file records the data sets, counts and the metrics of
``classifier.eval`` style held-out checks (``--no-metrics`` skips them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from classifier.eval.cases import EvalError
from classifier.eval.datasets import conll_documents, csv_rows, jsonl_rows
from classifier.lexicon import DEFAULT_WINDOW, FIRST_PERSON_FEATURE, SHAPES, Lexicon, tokens, windows

MIN_DF = 3
KEEP = 0.05
MAX_WEIGHT = 2.5  # no single word may carry a window on its own
EPOCHS = 400
LEARNING_RATE = 0.05
REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "datasets"
DEFAULT_TEAM = REPO / "datasets"
DEFAULT_OUT = REPO / "models"


@dataclass(frozen=True)
class Spec:
    """How one lexicon is trained."""

    name: str
    l2: float
    threshold: float
    window: int = DEFAULT_WINDOW
    exclude: frozenset[str] = frozenset()  # features that may not get a weight
    require_any: frozenset[str] = frozenset()  # windows without one of these are neither trained on nor read
    prior: Path | None = None  # word weights the fit starts from and is pulled back towards


SPECS = {
    # "my"/"I" mark the writer's own data for money, but the ordinary sets (customer questions, posts)
    # are full of them too: health talk about oneself or one's family must not be pulled down by them.
    "regulated": Spec(
        "regulated",
        l2=3e-4,
        threshold=0.5,
        exclude=frozenset({FIRST_PERSON_FEATURE}),
        prior=DEFAULT_OUT / "regulated_prior.txt",
    ),
    # Non-public financial content comes with figures: only windows holding one are read.
    "financial": Spec(
        "financial",
        l2=1e-3,
        threshold=0.5,
        require_any=frozenset(f"__{shape}__" for shape in SHAPES),
        prior=DEFAULT_OUT / "financial_prior.txt",
    ),
}


# ---- corpora (texts only; nothing here is written anywhere) ----------------------------------------


def csv_column(path: Path, column: str) -> Iterator[str]:
    """The non-empty values of one CSV column."""
    return (row[column] for row in csv_rows(path) if row.get(column))


def conll_texts(path: Path) -> Iterator[str]:
    """Each CoNLL document as its tokens joined by spaces."""
    return (" ".join(token for token, _ in tokens) for _, tokens in conll_documents(path))


def team_texts(path: Path, split: str | None, expected: bool | None = None) -> Iterator[str]:
    """Texts of one split (None: all) of a chatsift data set, optionally only positives or negatives."""
    if not path.exists():  # the team sets are optional negatives; ``corpus`` checks required ones
        return
    for _, row in jsonl_rows(path):
        if split in (None, row.get("split")) and (expected is None or bool(row.get("expected")) == expected):
            yield str(row["text"])


def clinical_train(shared: Path) -> list[str]:
    """MTS-Dialog training dialogues and notes, ACI-Bench train dialogues and notes."""
    data = shared / "clinical_dialogues_aci_mts" / "data"
    mts = data / "mts-dialog" / "MTS_Dataset_TrainingSet.csv"
    aci = data / "aci-bench" / "challenge_data" / "train.csv"
    return [
        *csv_column(mts, "dialogue"),
        *csv_column(mts, "section_text"),
        *csv_column(aci, "dialogue"),
        *csv_column(aci, "note"),
    ]


def ordinary_train(shared: Path) -> list[str]:
    """BANKING77 train questions, WNUT-17 train and test posts (``make eval`` scores WNUT-17 dev)."""
    return [
        *csv_column(shared / "banking77" / "train.csv", "text"),
        *conll_texts(shared / "wnut17_emerging_entities" / "wnut17train.conll"),
        *conll_texts(shared / "wnut17_emerging_entities" / "emerging.test.annotated"),
    ]


def financial_file(team: Path) -> Path:
    """The team's financial dialogue set (train and test splits)."""
    return team / "financial_dialogues" / "financial.jsonl"


def financial_train(team: Path, expected: bool | None = None) -> list[str]:
    """The financial set's train split plus its train-only extension (``financial_train_extra.jsonl``)."""
    extra = team / "financial_dialogues" / "financial_train_extra.jsonl"
    return [*team_texts(financial_file(team), "train", expected), *team_texts(extra, "train", expected)]


def corpus(name: str, shared: Path, team: Path) -> tuple[list[str], list[str], list[str]]:
    """(positives, negatives, source names) of one model's training data."""
    if name == "regulated":
        return (
            clinical_train(shared),
            ordinary_train(shared) + financial_train(team),
            ["MTS-Dialog train", "ACI-Bench train", "BANKING77 train", "WNUT-17 train", "financial train"],
        )
    if name == "financial":
        mts = shared / "clinical_dialogues_aci_mts" / "data" / "mts-dialog" / "MTS_Dataset_TrainingSet.csv"
        return (
            financial_train(team, True),
            financial_train(team, False) + ordinary_train(shared) + list(csv_column(mts, "dialogue")),
            ["financial train", "BANKING77 train", "WNUT-17 train", "MTS-Dialog train"],
        )
    raise KeyError(name)


# ---- fitting ---------------------------------------------------------------------------------------


def read_prior(path: Path) -> dict[str, float]:
    """``word weight`` lines (``#`` comments) of a prior file."""
    prior: dict[str, float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) != 2:
            raise ValueError(f"{path}: line {number}: expected 'word weight'")
        prior[fields[0].lower()] = float(fields[1])
    return prior


def _window_features(text: str, size: int, require_any: frozenset[str]) -> list[set[str]]:
    toks = tokens(text)
    feats = [{t.feature for t in toks[a:b]} for a, b in windows(toks, size)] or [set()]
    return [f for f in feats if f & require_any] if require_any else feats


def fit(spec: Spec, positives: list[str], negatives: list[str]) -> Lexicon:
    """Fit one lexicon; deterministic for the same inputs."""
    rows: list[set[str]] = []
    labels: list[float] = []
    df: Counter[str] = Counter()
    for label, texts in ((1.0, positives), (0.0, negatives)):
        for text in texts:
            feats = _window_features(text, spec.window, spec.require_any)
            df.update(set().union(*feats))
            rows.extend(feats)
            labels.extend([label] * len(feats))
    prior = read_prior(spec.prior) if spec.prior is not None else {}
    vocab = sorted(f for f, n in df.items() if (n >= MIN_DF or f in prior) and f not in spec.exclude)
    index = {f: i for i, f in enumerate(vocab)}
    cols = [np.array(sorted(index[f] for f in row if f in index), dtype=np.int64) for row in rows]
    lengths = np.array([len(c) for c in cols], dtype=np.int64)
    flat = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    row_of = np.repeat(np.arange(len(cols)), lengths)
    y = np.array(labels)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    sample_w = np.where(y == 1.0, 0.5 / max(n_pos, 1), 0.5 / max(n_neg, 1))
    w0 = np.array([prior.get(f, 0.0) for f in vocab])
    w = w0.copy()
    b = 0.0
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b = v_b = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, EPOCHS + 1):
        z = b + np.bincount(row_of, weights=w[flat], minlength=len(cols))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
        err = (p - y) * sample_w
        g_w = np.bincount(flat, weights=err[row_of], minlength=len(vocab)) + spec.l2 * (w - w0)
        g_b = float(err.sum())
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w**2
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b**2
        corr1, corr2 = 1 - beta1**step, 1 - beta2**step
        w -= LEARNING_RATE * (m_w / corr1) / (np.sqrt(v_w / corr2) + eps)
        b -= LEARNING_RATE * (m_b / corr1) / (np.sqrt(v_b / corr2) + eps)
    w = np.clip(w, -MAX_WEIGHT, MAX_WEIGHT)
    weights = {f: round(float(w[i]), 4) for f, i in index.items() if abs(w[i]) >= KEEP}
    return Lexicon(spec.name, weights, round(b, 4), spec.threshold, spec.window, require_any=spec.require_any)


# ---- held-out checks -------------------------------------------------------------------------------


def _rate(lexicon: Lexicon, texts: list[str]) -> dict[str, float | int]:
    flagged = sum(bool(lexicon.hits(t)) for t in texts)
    return {"texts": len(texts), "flagged": flagged, "rate": round(flagged / len(texts), 4) if texts else 0.0}


def held_out(name: str, lexicon: Lexicon, shared: Path, team: Path) -> dict[str, dict[str, float | int]]:
    """Flag rates on sets the model never saw (the same splits ``make eval`` scores)."""
    data = shared / "clinical_dialogues_aci_mts" / "data"
    clinical = [
        text
        for path in sorted((data / "mts-dialog").glob("MTS_Dataset_[FV]*.csv"))
        for text in csv_column(path, "dialogue")
    ]
    aci = [
        text
        for path in sorted((data / "aci-bench" / "challenge_data").glob("*.csv"))
        if path.stem != "train" and not path.stem.endswith("_metadata")
        for text in csv_column(path, "dialogue")
    ]
    fin = financial_file(team)
    checks = {
        "clinical dialogues (held-out)": clinical + aci,
        "financial test positives": list(team_texts(fin, "test", True)),
        "financial test negatives": list(team_texts(fin, "test", False)),
        "banking77 test": list(csv_column(shared / "banking77" / "test.csv", "text")),
        "wnut17 dev": list(conll_texts(shared / "wnut17_emerging_entities" / "emerging.dev.conll")),
    }
    ordinary = team / "ordinary_chats" / "ordinary.jsonl"
    if ordinary.exists():
        checks["ordinary chats"] = list(team_texts(ordinary, "test"))
    return {label: _rate(lexicon, texts) for label, texts in checks.items() if texts}


def build(name: str, shared: Path, team: Path, out: Path, *, metrics: bool = True) -> Lexicon:
    """Train model ``name`` and write ``out/<name>_lexicon.json``."""
    positives, negatives, sources = corpus(name, shared, team)
    if not positives or not negatives:
        raise FileNotFoundError(2, "no training texts", str(financial_file(team)))
    spec = SPECS[name]
    lexicon = fit(spec, positives, negatives)
    meta: dict[str, object] = {
        "trained_on": sources,
        "positives": len(positives),
        "negatives": len(negatives),
        "features": len(lexicon.weights),
        "min_df": MIN_DF,
        "l2": spec.l2,
        "epochs": EPOCHS,
    }
    if spec.prior is not None:
        meta["prior"] = f"{spec.prior.name} ({len(read_prior(spec.prior))} words)"
    if metrics:
        meta["held_out"] = held_out(name, lexicon, shared, team)
    lexicon = replace(lexicon, meta=meta)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}_lexicon.json"
    path.write_text(json.dumps(lexicon.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return lexicon


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifier.train", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", type=Path, default=DEFAULT_SHARED, help="the shared data sets directory"
    )
    parser.add_argument("--team-datasets", type=Path, default=DEFAULT_TEAM, help="chatsift's own data sets")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where model files are written")
    parser.add_argument("--only", choices=sorted(SPECS), action="append", help="train only this model")
    parser.add_argument("--no-metrics", action="store_true", help="skip the held-out flag rates")
    args = parser.parse_args(argv)
    for name in args.only or sorted(SPECS):
        try:
            lexicon = build(name, args.datasets, args.team_datasets, args.out, metrics=not args.no_metrics)
        except FileNotFoundError as exc:
            print(f"train: {name}: data file missing: {exc.filename}", file=sys.stderr)
            return 2
        except EvalError as exc:  # a data file that cannot be read (names the file, never its text)
            print(f"train: {name}: {exc}", file=sys.stderr)
            return 2
        target = args.out / f"{name}_lexicon.json"
        print(f"train: {name}: {len(lexicon.weights)} weighted features -> {target}")
        for label, figures in lexicon.meta.get("held_out", {}).items():
            print(
                f"  {label:32} {figures['flagged']:>5}/{figures['texts']:<5} flagged ({figures['rate']:.1%})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
