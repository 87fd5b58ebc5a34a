"""Weighted lexicons: small, auditable text classifiers for ``financial`` and ``regulated`` content.

A lexicon is a logistic regression over binary features of a window of text: lower-cased words
(three letters or more) and a few *shape* features that stand for a kind of value, never the value:

=================  ==============================================================
feature            what it stands for
=================  ==============================================================
``__money__``      an amount with a currency (``$4.2M``, ``EUR 1,200``, ``300k usd``)
``__percent__``    a percentage (``12%``, ``3.5 %``)
``__bignum__``     a number with thousands separators or a magnitude (``12,400``, ``3 million``,
                   ``210k``, ``1.9M``) or of five digits or more (``72000``)
``__decimal__``    a decimal number (``41.07``)
``__first_person__``  the writer's own: ``my``, ``our``, ``we``, ``us``, ``I`` (stop words
                   otherwise; "our revenue" is not "revenue")
=================  ==============================================================

The text is cut into windows of ``window`` tokens that overlap by half; a window's probability is
``sigmoid(bias + sum of the weights of the distinct features in it)``. Windows, not whole texts,
keep long chats from adding up many weakly positive words into a false positive, and let a finding
point at the region that carries the evidence: each run of windows at or above ``threshold`` gives
one hit, at the word (or shape) that contributes most to the run's most probable window (for a
model with ``require_any``, at the strongest of those features: the figure). A window counts only when
at least ``min_support`` distinct features of weight ``SUPPORT_WEIGHT`` or more are in it: one
strong word ("patient", "revenue") is never enough on its own. A model may also name features of
which a window must hold one (``require_any``): the financial lexicon reads only windows with a
figure in them.

A model is a JSON file (``models/<name>.json``) written by ``classifier.train`` (``make models``):
its weights, bias, window and threshold, the data it was trained on and its held-out metrics. The
file holds words and weights learnt from the training data, never any training text.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from classifier.errors import ClassifierConfigError

SCHEMA = "chatsift.lexicon.v1"
DEFAULT_WINDOW = 48
DEFAULT_MIN_SUPPORT = 2
SUPPORT_WEIGHT = 0.25

_MAG = r"(?:k|m|mm|bn|b|million|billion|thousand|mn)"
_AMOUNT = rf"\d+(?:[,.]\d+)*(?:\s?{_MAG})?"
# Every alternative starts at a letter, a digit or a currency sign: the leading look-ahead changes no
# match, but rejects the other positions (spaces, punctuation) in one test instead of trying all five.
_TOKEN = re.compile(
    r"(?=[^\W_]|[$€£¥₹])"
    r"(?:(?P<money>(?:[$€£¥₹]|\b(?:usd|eur|gbp|chf|jpy|cad|aud|inr|sek|nok|dkk)\b)\s?-?"
    + _AMOUNT
    + r"(?![\w])"
    rf"|\b\d+(?:[,.]\d+)*(?:\s?{_MAG})?\s?(?:[$€£¥]|(?:usd|eur|gbp|chf|jpy|dollars|euros|pounds|bucks)\b))"
    r"|(?P<percent>\b\d+(?:\.\d+)?\s?%)"
    rf"|(?P<bignum>\b\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\s?(?:million|billion|mn|bn)\b"
    r"|\b\d+(?:\.\d+)?(?:k|m|mm|bn)\b|(?<![\d.])\d{5,12}(?!\d|\.\d))"
    r"|(?P<decimal>\b\d+\.\d+\b)"
    r"|(?P<word>[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*))",
    re.IGNORECASE,
)
SHAPES = ("money", "percent", "bignum", "decimal")
FIRST_PERSON = frozenset(
    {"my", "our", "ours", "mine", "we", "we're", "we've", "us", "i", "i'm", "i've", "myself"}
)
FIRST_PERSON_FEATURE = "__first_person__"
MIN_WORD = 3
# Function words carry style, not topic: a lexicon trained with them learns who writes (a doctor's
# dialogue, a tweet), not what is written. spaCy's English stop-word list plus chat filler.
STOP = frozenset(STOP_WORDS) | {
    "okay",
    "yeah",
    "gon",
    "gonna",
    "wanna",
    "lot",
    "right",
    "like",
    "got",
    "thing",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One feature occurrence: the feature name and its span in the text."""

    feature: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The feature tokens of ``text`` in order (short words are skipped)."""
    out: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "word":
            word = match.group().lower().replace("’", "'")
            if word in FIRST_PERSON:
                out.append(Token(FIRST_PERSON_FEATURE, match.start(), match.end()))
            elif len(word) >= MIN_WORD and word not in STOP and word.replace("'", "’") not in STOP:
                out.append(Token(word, match.start(), match.end()))
        else:
            out.append(Token(f"__{kind}__", match.start(), match.end()))
    return out


def windows(toks: list[Token], size: int) -> Iterator[tuple[int, int]]:
    """``(first, last+1)`` token indexes of windows of ``size`` tokens overlapping by half."""
    if not toks:
        return
    step = max(1, size // 2)
    first = 0
    while True:
        last = min(first + size, len(toks))
        yield first, last
        if last >= len(toks):
            return
        first += step


@dataclass(frozen=True, slots=True)
class Hit:
    """A run of positive windows: its probability and the span of its strongest feature."""

    probability: float
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """A trained weighted lexicon (see the module docstring)."""

    name: str
    weights: dict[str, float] = field(repr=False)
    bias: float
    threshold: float
    window: int = DEFAULT_WINDOW
    min_support: int = DEFAULT_MIN_SUPPORT
    require_any: frozenset[str] = frozenset()  # a window counts only with one of these features
    meta: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def digest(self) -> str:
        """A short hash of the weights, bias, window and threshold (part of the ruleset id)."""
        body = json.dumps(
            [
                self.name,
                sorted(self.weights.items()),
                self.bias,
                self.threshold,
                self.window,
                self.min_support,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]

    def probability(self, features: set[str]) -> float:
        """``sigmoid(bias + sum of weights)`` over a set of distinct features."""
        z = self.bias + sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def window_score(self, features: set[str]) -> float:
        """The window's probability, or 0.0 when fewer than ``min_support`` features back it."""
        if self.require_any and not self.require_any & features:
            return 0.0
        support = sum(self.weights.get(f, 0.0) >= SUPPORT_WEIGHT for f in features)
        return self.probability(features) if support >= self.min_support else 0.0

    def score_text(self, text: str) -> float:
        """The highest window probability of ``text`` (0.0 for a text without features)."""
        toks = tokens(text)
        return max((self._window_p(toks, a, b) for a, b in windows(toks, self.window)), default=0.0)

    def hits(self, text: str) -> list[Hit]:
        """One hit per run of windows at or above the threshold, at its strongest positive feature."""
        return self.hits_of(tokens(text))

    def hits_of(self, toks: list[Token]) -> list[Hit]:
        """``hits`` of a text whose ``tokens`` are ``toks``."""
        out: list[Hit] = []
        run: list[tuple[float, int, int]] = []
        for a, b in windows(toks, self.window):
            p = self._window_p(toks, a, b)
            if p >= self.threshold:
                run.append((p, a, b))
                continue
            if run:
                out.append(self._hit(toks, run))
                run = []
        if run:
            out.append(self._hit(toks, run))
        return out

    def _window_p(self, toks: list[Token], a: int, b: int) -> float:
        return self.window_score({t.feature for t in toks[a:b]})

    def _hit(self, toks: list[Token], run: list[tuple[float, int, int]]) -> Hit:
        best_p, lo, hi = max(run, key=lambda w: (w[0], -w[1]))  # the run's most probable window
        candidates = toks[lo:hi]
        if self.require_any:  # point at the figure itself: that is the value to mask
            candidates = [t for t in candidates if t.feature in self.require_any] or candidates
        strongest = max(candidates, key=lambda t: (self.weights.get(t.feature, 0.0), -t.start))
        return Hit(best_p, strongest.start, strongest.end)

    def to_json(self) -> dict[str, Any]:
        """The model file's content."""
        return {
            "schema": SCHEMA,
            "name": self.name,
            "bias": self.bias,
            "threshold": self.threshold,
            "window": self.window,
            "min_support": self.min_support,
            "require_any": sorted(self.require_any),
            "meta": self.meta,
            "weights": dict(sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon model file; a missing or malformed file is a configuration error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClassifierConfigError(
            f"lexicon model {path} is missing; rebuild it with `make models` (setting CHATSIFT_MODELS_DIR)"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ClassifierConfigError(f"lexicon model {path} cannot be read: {type(exc).__name__}") from None
    try:
        if data.get("schema") != SCHEMA:
            raise ValueError("schema")
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return Lexicon(
            name=str(data["name"]),
            weights=weights,
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            window=int(data["window"]),
            min_support=int(data.get("min_support", DEFAULT_MIN_SUPPORT)),
            require_any=frozenset(str(f) for f in data.get("require_any") or ()),
            meta=dict(data.get("meta") or {}),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ClassifierConfigError(f"lexicon model {path} is not a {SCHEMA} file") from None
