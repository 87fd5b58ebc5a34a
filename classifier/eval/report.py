"""The results as one plain-text table and as JSON (counts and ratios only, never text)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier.eval.mapping import label_map
from classifier.eval.run import DataSetScore
from classifier.eval.scoring import MIN_OVERLAP, Counts, f1, precision, rate, recall
from classifier.types import CATEGORIES

SCHEMA = "chatsift.eval.v1"
MATCH_RULE = f"overlap: shared chars >= {MIN_OVERLAP} x the longer span, same entity, one-to-one"
# Presence sets have one row per rule: too many for the table, they stay in the JSON.
TABLE_ENTITY_ROWS = frozenset({"span"})


def metrics(c: Counts) -> dict[str, Any]:
    """Counts with precision, recall and F1 (None when undefined)."""
    out: dict[str, Any] = {"tp": c.tp, "fp": c.fp, "fn": c.fn}
    if c.tn:
        out["tn"] = c.tn
    out.update(precision=_r(precision(c)), recall=_r(recall(c)), f1=_r(f1(c)))
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _total(score: DataSetScore) -> Counts:
    return sum(score.by_category.values(), Counts())


def dataset_json(score: DataSetScore) -> dict[str, Any]:
    """One data set's results as a JSON-ready dict."""
    out: dict[str, Any] = {
        "kind": score.kind,
        "cases": score.cases,
        "total": score.total,
        "sampled": score.cases < score.total,
        "skipped": score.skipped,
        "note": score.note,
        "seconds": score.seconds,
        "cases_not_ok": score.not_ok,
        "by_category": {k: metrics(v) for k, v in sorted(score.by_category.items())},
    }
    if score.kind == "text":
        out["labelled_share"] = {c: _r(rate(score.labelled[c], score.cases)) for c in CATEGORIES}
        out["any_label_share"] = _r(rate(score.labelled["any"], score.cases))
        out["medium_plus_share"] = _r(rate(score.medium_plus, score.cases))
        return out
    out["overall"] = metrics(_total(score))
    out["by_entity"] = {
        label: {
            "ours": label_map(score.name, label).ours,
            "category": label_map(score.name, label).category,
            **metrics(c),
            "exact_tp": score.exact_by_label.get(label, Counts()).tp if score.kind == "span" else None,
        }
        for label, c in sorted(score.by_label.items())
    }
    out["by_group"] = {k: metrics(v) for k, v in sorted(score.by_group.items())}
    return out


def results_json(scores: Sequence[DataSetScore], *, ruleset: str, ner: str, seconds: float) -> dict[str, Any]:
    """The whole run as a JSON-ready dict."""
    return {
        "schema": SCHEMA,
        "ruleset": ruleset,
        "ner": ner,
        "match": MATCH_RULE,
        "seconds": round(seconds, 1),
        "datasets": {s.name: dataset_json(s) for s in scores},
    }


def write_json(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n", encoding="utf-8")


_HEAD = f"{'row':<34} {'ours':<14} {'category':<10} {'TP':>5} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6} {'F1':>6}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _row(name: str, ours: str, category: str, c: Counts) -> str:
    figures = f"{c.tp:>5} {c.fp:>5} {c.fn:>5} {_fmt(precision(c)):>6} {_fmt(recall(c)):>6} {_fmt(f1(c)):>6}"
    return f"{name[:34]:<34} {ours[:14]:<14} {category:<10} {figures}"


def _title(score: DataSetScore) -> str:
    size = f"{score.cases} cases" + (f" of {score.total}" if score.cases < score.total else "")
    extra = f"; {score.note}" if score.note else ""
    return f"== {score.name} [{score.kind}] {size}, {score.seconds:.1f} s, not ok: {score.not_ok}{extra}"


def _text_rows(score: DataSetScore) -> list[str]:
    """Per category: texts labelled, their share, and recall where the category is expected."""
    lines = [f"{'category':<34} {'labelled':>9} {'share':>7} {'expected':>9} {'recall':>7}"]
    for category in CATEGORIES:
        c = score.by_category.get(category, Counts())
        share = _fmt(rate(score.labelled[category], score.cases))
        expected = c.tp + c.fn
        lines.append(
            f"{category:<34} {score.labelled[category]:>9} {share:>7} {expected:>9} {_fmt(recall(c)):>7}"
        )
    for name, count in (("any label", score.labelled["any"]), ("severity medium+", score.medium_plus)):
        lines.append(f"{name:<34} {count:>9} {_fmt(rate(count, score.cases)):>7}")
    return lines


def _count_rows(score: DataSetScore) -> list[str]:
    lines = [_HEAD, _row("ALL", "", "", _total(score))]
    lines += [_row(f"category {k}", "", k, v) for k, v in sorted(score.by_category.items())]
    # presidio's groups are its labels: show only groups that add something (payment's negatives, tp/fp)
    groups = {k: v for k, v in score.by_group.items() if k and k not in score.by_label}
    lines += [_row(f"group {k}", "", "", v) for k, v in sorted(groups.items())]
    if score.kind in TABLE_ENTITY_ROWS:
        for label, c in sorted(score.by_label.items()):
            m = label_map(score.name, label)
            lines.append(_row(f"entity {label}", m.ours or "(not yet)", m.category, c))
    return lines


def table(scores: Sequence[DataSetScore], *, ner: str, seconds: float) -> str:
    """All data sets as one plain-text table."""
    lines = [f"chatsift detection quality (ner={ner}; span match: {MATCH_RULE}); {seconds:.1f} s"]
    for score in scores:
        lines += ["", _title(score)]
        lines += _text_rows(score) if score.kind == "text" else _count_rows(score)
    return "\n".join(lines) + "\n"
