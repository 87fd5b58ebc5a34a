"""Classify every case of a data set with the current classifier and score the results."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from classifier.classifier import Classifier
from classifier.eval.cases import WEAK_GROUP, Case, DataSet
from classifier.eval.mapping import label_map
from classifier.eval.scoring import Counts, match_spans, presence_counts
from classifier.types import CATEGORIES, SEVERITIES, BlockText, ChatResult, ChatText

MEDIUM = SEVERITIES.index("medium")
PROGRESS_EVERY = 250


@dataclass
class DataSetScore:
    """Everything measured on one data set (counts only: no text).

    For text sets ``by_category`` counts texts: ``tp``/``fn`` where the category is expected,
    ``fp`` where it is labelled without being expected (for banking77: every label is a flag).
    """

    name: str
    kind: str
    cases: int
    total: int
    skipped: int = 0
    note: str = ""
    by_label: dict[str, Counts] = field(default_factory=dict)
    exact_by_label: dict[str, Counts] = field(default_factory=dict)
    by_category: dict[str, Counts] = field(default_factory=dict)
    by_group: dict[str, Counts] = field(default_factory=dict)
    labelled: Counter[str] = field(default_factory=Counter)
    medium_plus: int = 0
    not_ok: int = 0
    seconds: float = 0.0

    def add(self, table: dict[str, Counts], key: str, counts: Counts) -> None:
        """Add ``counts`` under ``key`` of one of this score's tables."""
        table[key] = table.get(key, Counts()) + counts


def chat_of(case: Case) -> ChatText:
    """One chat with one user text block holding the case's text."""
    block = BlockText(message_id="eval-msg", role="user", block=0, kind="text", text=case.text)
    return ChatText(chat_id=f"eval-{case.case_id}", blocks=(block,), messages=1)


def _score_span(score: DataSetScore, case: Case, result: ChatResult) -> None:
    for label in sorted(case.scope):
        m = label_map(score.name, label)
        gold = [(s.start, s.end) for s in case.spans if s.label == label]
        pred = [(f.start, f.end) for f in result.findings if m.ours is not None and f.entity == m.ours]
        overlap = match_spans(gold, pred, "overlap")
        if case.weak:  # reported apart: not a positive at the reporting threshold
            score.add(score.by_group, WEAK_GROUP, overlap)
            continue
        score.add(score.by_label, label, overlap)
        score.add(score.exact_by_label, label, match_spans(gold, pred, "exact"))
        score.add(score.by_category, m.category, overlap)
        score.add(score.by_group, case.group, overlap)


def _score_presence(score: DataSetScore, case: Case, result: ChatResult) -> None:
    for label in sorted(case.scope):
        m = label_map(score.name, label)
        if m.ours is None:
            predicted = any(f.category == m.category for f in result.findings)
        else:
            predicted = any(f.entity == m.ours for f in result.findings)
        counts = presence_counts(label in case.expected, predicted)
        score.add(score.by_label, label, counts)
        score.add(score.by_category, m.category, counts)
        score.add(score.by_group, case.group, counts)


def _score_text(score: DataSetScore, case: Case, result: ChatResult) -> None:
    for category in CATEGORIES:
        labelled = category in result.labels
        score.labelled[category] += labelled
        score.add(score.by_category, category, presence_counts(category in case.expected, labelled))
    score.labelled["any"] += bool(result.labels)
    score.medium_plus += SEVERITIES.index(result.severity) >= MEDIUM


_SCORERS: dict[str, Callable[[DataSetScore, Case, ChatResult], None]] = {
    "span": _score_span,
    "presence": _score_presence,
    "text": _score_text,
}


def evaluate(classifier: Classifier, dataset: DataSet, *, progress: bool = True) -> DataSetScore:
    """Classify each case of ``dataset`` once and score it; progress (counts only) goes to stderr."""
    score = DataSetScore(dataset.name, dataset.kind, len(dataset.cases), dataset.total)
    score.skipped, score.note = dataset.skipped, dataset.note
    scorer = _SCORERS[dataset.kind]
    started = time.perf_counter()
    for i, case in enumerate(dataset.cases, 1):
        result = classifier.classify(chat_of(case))
        score.not_ok += result.status != "ok"
        scorer(score, case, result)
        if progress and (i % PROGRESS_EVERY == 0 or i == len(dataset.cases)):
            print(f"eval: {dataset.name}: {i}/{len(dataset.cases)} cases", file=sys.stderr, flush=True)
    score.seconds = round(time.perf_counter() - started, 2)
    return score
