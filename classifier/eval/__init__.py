"""Offline detection-quality harness (``python -m classifier.eval``; ``make eval``).

Scores the current classifier on the development data sets under ``../shared/datasets`` and
prints one table; results go to JSON. Modules: ``cases`` (case types), ``mapping`` (data-set
labels to our entities), ``datasets`` (one loader per data set), ``scoring`` (matching and
metrics, pure functions), ``run`` (classify and score), ``report`` (table and JSON).

Exceptions::

    EvalError                 bad or missing data-set files (exit code 2); carries paths and line numbers only
"""

from __future__ import annotations

from classifier.eval.cases import Case, DataSet, EvalError, GoldSpan

__all__ = ["Case", "DataSet", "EvalError", "GoldSpan"]
