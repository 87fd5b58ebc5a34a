"""``python -m classifier.eval``: score the current classifier on the development data sets.

Exit codes: 0 done, 2 a data set is missing or malformed (``EvalError``), or bad options.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from classifier import build_classifier
from classifier.detectors.ner import DEFAULT_NER_MODE, NER_MODES
from classifier.eval.cases import EvalError
from classifier.eval.datasets import DEFAULT_TEAM_DIR, LOADERS, load
from classifier.eval.report import results_json, table, write_json
from classifier.eval.run import evaluate
from classifier.nlp import DEFAULT_SPACY_MODEL

# In CI the data sets sit next to the repository: <repo>/../shared/datasets.
DEFAULT_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
DEFAULT_OUT = Path("bench/results/eval.json")
# A fixed, non-secret key: fingerprints are not scored, but the classifier needs one.
EVAL_KEY = b"x" * 32
MIN_SCORE = 0.5  # the product default


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m classifier.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, help="data sets directory")
    parser.add_argument(
        "--team-datasets", type=Path, default=DEFAULT_TEAM_DIR, help="chatsift's own data sets directory"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--ner", choices=NER_MODES, default=DEFAULT_NER_MODE, help="person/location NER")
    parser.add_argument("--limit", type=int, default=None, help="at most N cases per data set (sampled)")
    parser.add_argument("--only", action="append", choices=sorted(LOADERS), help="only this data set")
    parser.add_argument("--spacy-model", default=DEFAULT_SPACY_MODEL, help="spaCy pipeline package")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the harness; print the table on stdout and write the JSON."""
    args = parse_args(argv)
    if not args.datasets.is_dir():
        print(f"eval: data sets directory not found: {args.datasets} (use --datasets DIR)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        datasets = [
            load(args.datasets, name, args.limit, args.team_datasets) for name in (args.only or LOADERS)
        ]
    except EvalError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    classifier = build_classifier(
        spacy_model=args.spacy_model, ner=args.ner, hmac_key=EVAL_KEY, min_score=0.5
    )
    scores = [evaluate(classifier, d) for d in datasets]
    seconds = time.perf_counter() - started
    write_json(args.out, results_json(scores, ruleset=classifier.ruleset, ner=args.ner, seconds=seconds))
    sys.stdout.write(table(scores, ner=args.ner, seconds=seconds))
    print(f"eval: results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
