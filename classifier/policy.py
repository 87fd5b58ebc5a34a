"""The detection policy: thresholds, context words, severity rules, entity overrides, allow-lists and
custom regex detectors, read from TOML.

``load_policy(path)`` reads the shipped defaults (``classifier/data/policy.toml``, which documents
every key) and merges the user's file over them (setting ``CHATSIFT_POLICY``): tables merge key by
key, any other value replaces the default. Unknown keys, wrong types, bad regexes and unknown
categories or tiers are a ``ClassifierConfigError`` naming the file and the key, never a silent
default.

The classifier applies the policy to every detection, in this order:

1. **allow-lists**: a detection whose value is listed (exact value, a regex matching the whole
   value, or its fingerprint) is dropped before merging, so it neither is reported nor suppresses
   another detection; it is still masked in evidence;
2. **entity overrides**: ``[entities.NAME] category`` moves an entity to another category;
3. **context words**: a ``lower`` word within ``window`` characters of a value lowers its score
   (documentation and test data), a ``raise`` word raises it (``confidential``, ``under NDA``);
4. **thresholds**: the entity's, else its category's, else the global ``min_score``;
5. **severity**: tiers (``classifier.entities`` and ``[entities.NAME] tier``) and the combination
   rules of ``[severity]`` (``classifier.rollup``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from classifier.detectors.base import RegexDetector
from classifier.errors import ClassifierConfigError
from classifier.types import CATEGORIES, SEGMENT_KINDS, SEVERITIES, Category, Severity

DEFAULT_POLICY = Path(__file__).resolve().parent / "data" / "policy.toml"
POLICY_SETTING = "CHATSIFT_POLICY"
_ENTITY_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_DETECTOR_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_.]+")

_SCHEMA: dict[str, Any] = {
    "version": int,
    "scores": {"category": dict, "entity": dict},
    "context": {
        "window": int,
        "lower": list,
        "lower_by": float,
        "lower_categories": list,
        "raise": list,
        "raise_by": float,
        "raise_categories": list,
    },
    "severity": {
        "pii_kinds_for_medium": int,
        "identified_person": str,
        "health_with_person": str,
        "financial_with_person": str,
    },
    "entities": dict,
    "allow": {"values": list, "patterns": list, "fingerprints": list},
    "detectors": list,
}
_DETECTOR_KEYS = {
    "id": str,
    "entity": str,
    "category": str,
    "pattern": str,
    "score": float,
    "tier": str,
    "context": list,
    "segments": list,
}


@dataclass(frozen=True)
class EntityOverride:
    """A policy change to one entity: its category and/or tier."""

    category: Category | None = None
    tier: Severity | None = None


@dataclass(frozen=True)
class ContextRule:
    """Words near a value that move its score by ``delta`` for the listed categories."""

    words: re.Pattern[str] | None
    delta: float
    categories: frozenset[str]


@dataclass(frozen=True)
class Policy:
    """A loaded policy; build with ``load_policy``."""

    category_thresholds: dict[str, float] = field(default_factory=dict)
    entity_thresholds: dict[str, float] = field(default_factory=dict)
    context_window: int = 30
    lower: ContextRule = ContextRule(None, 0.0, frozenset())
    raise_: ContextRule = ContextRule(None, 0.0, frozenset())
    pii_kinds_for_medium: int = 3
    identified_person: Severity = "medium"
    health_with_person: Severity = "high"
    financial_with_person: Severity = "high"
    entities: dict[str, EntityOverride] = field(default_factory=dict)
    allow_values: frozenset[str] = frozenset()
    allow_patterns: tuple[re.Pattern[str], ...] = ()
    allow_fingerprints: frozenset[str] = frozenset()
    detectors: tuple[RegexDetector, ...] = ()
    digest: str = "default"
    sources: tuple[str, ...] = ()

    def threshold(self, entity: str, category: str, default: float) -> float:
        """The score a detection of ``entity`` needs to be reported."""
        if entity in self.entity_thresholds:
            return self.entity_thresholds[entity]
        return self.category_thresholds.get(category, default)

    def category_of(self, entity: str, category: Category) -> Category:
        """``category`` unless the policy moves ``entity`` elsewhere."""
        override = self.entities.get(entity)
        return override.category if override and override.category else category

    def tier_of(self, entity: str, tier: Severity) -> Severity:
        """``tier`` unless the policy sets another for ``entity``."""
        override = self.entities.get(entity)
        return override.tier if override and override.tier else tier

    def allows(self, value: str) -> bool:
        """True when ``value`` is allow-listed by value or pattern (the classifier checks fingerprints)."""
        return value in self.allow_values or any(p.fullmatch(value) for p in self.allow_patterns)

    def context_delta(self, category: str, before: str, after: str) -> float:
        """The score change the words around a value give it."""
        delta = 0.0
        for rule in (self.lower, self.raise_):
            if rule.words is None or category not in rule.categories:
                continue
            if rule.words.search(before) or rule.words.search(after):
                delta += rule.delta
        return delta


def load_policy(path: Path | None = None) -> Policy:
    """The shipped policy, with the file at ``path`` (if any) merged over it."""
    data = _read(DEFAULT_POLICY)
    sources = [str(DEFAULT_POLICY)]
    if path is not None:
        data = _merge(data, _read(path))
        sources.append(str(path))
    where = str(path or DEFAULT_POLICY)
    _check(data, _SCHEMA, where, "")
    return _build(data, where, tuple(sources))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ClassifierConfigError(f"policy file {path} does not exist (setting {POLICY_SETTING})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClassifierConfigError(f"policy file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ClassifierConfigError(f"policy file {path} cannot be read: {type(exc).__name__}") from None


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check(data: dict[str, Any], schema: dict[str, Any], where: str, prefix: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in schema:
            raise ClassifierConfigError(f"policy file {where}: unknown key {name!r}")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ClassifierConfigError(f"policy file {where}: {name!r} must be a table")
            _check(value, expected, where, name + ".")
        elif expected is float:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ClassifierConfigError(f"policy file {where}: {name!r} must be a number")
        elif not isinstance(value, expected) or (isinstance(value, bool) and expected is int):
            raise ClassifierConfigError(f"policy file {where}: {name!r} must be a {expected.__name__}")


def _fail(where: str, message: str) -> ClassifierConfigError:
    return ClassifierConfigError(f"policy file {where}: {message}")


def _score(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise _fail(where, f"{name!r} must be a number between 0 and 1")
    return float(value)


def _category(value: Any, where: str, name: str) -> Category:
    if value not in CATEGORIES:
        raise _fail(where, f"{name!r} must be one of {', '.join(CATEGORIES)}")
    return value


def _tier(value: Any, where: str, name: str) -> Severity:
    if value not in SEVERITIES:
        raise _fail(where, f"{name!r} must be one of {', '.join(SEVERITIES)}")
    return value


def _words(values: list[Any], where: str, name: str) -> re.Pattern[str] | None:
    """Whole words, not parts of a domain, path or identifier (``corp-example.com`` is no "example")."""
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise _fail(where, f"{name!r} must be a list of non-empty strings")
    if not values:
        return None
    alternatives = "|".join(sorted((re.escape(v) for v in values), key=len, reverse=True))
    return re.compile(rf"(?<![\w.@/-])(?:{alternatives})(?![\w@/-]|\.\w)", re.IGNORECASE)


def _regex(value: Any, where: str, name: str) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise _fail(where, f"{name!r} must be a non-empty regular expression")
    try:
        return re.compile(value)
    except re.error as exc:
        raise _fail(where, f"{name!r} is not a valid regular expression: {exc}") from None


def _build(data: dict[str, Any], where: str, sources: tuple[str, ...]) -> Policy:
    scores = data.get("scores", {})
    context = data.get("context", {})
    severity = data.get("severity", {})
    allow = data.get("allow", {})
    category_thresholds: dict[str, float] = {
        _category(k, where, f"scores.category.{k}"): _score(v, where, f"scores.category.{k}")
        for k, v in scores.get("category", {}).items()
    }
    entity_thresholds = {
        _entity(k, where): _score(v, where, f"scores.entity.{k}") for k, v in scores.get("entity", {}).items()
    }
    entities = {}
    for name, table in data.get("entities", {}).items():
        _entity(name, where)
        if not isinstance(table, dict) or set(table) - {"category", "tier"}:
            raise _fail(where, f"entities.{name} may set only 'category' and 'tier'")
        entities[name] = EntityOverride(
            _category(table["category"], where, f"entities.{name}.category") if "category" in table else None,
            _tier(table["tier"], where, f"entities.{name}.tier") if "tier" in table else None,
        )
    window = context.get("window", 30)
    if window < 0:
        raise _fail(where, "'context.window' must not be negative")
    lower = ContextRule(
        _words(context.get("lower", []), where, "context.lower"),
        -abs(_score(context.get("lower_by", 0.0), where, "context.lower_by")),
        frozenset(
            _category(c, where, "context.lower_categories") for c in context.get("lower_categories", [])
        ),
    )
    raise_ = ContextRule(
        _words(context.get("raise", []), where, "context.raise"),
        abs(_score(context.get("raise_by", 0.0), where, "context.raise_by")),
        frozenset(
            _category(c, where, "context.raise_categories") for c in context.get("raise_categories", [])
        ),
    )
    kinds = severity.get("pii_kinds_for_medium", 3)
    if kinds < 1:
        raise _fail(where, "'severity.pii_kinds_for_medium' must be at least 1")
    values = allow.get("values", [])
    fingerprints = allow.get("fingerprints", [])
    if not all(isinstance(v, str) and v for v in values):
        raise _fail(where, "'allow.values' must be a list of non-empty strings")
    if not all(isinstance(v, str) and v.startswith("hmac-sha256:") for v in fingerprints):
        raise _fail(where, "'allow.fingerprints' must be a list of 'hmac-sha256:…' strings")
    patterns = tuple(
        _regex(p, where, f"allow.patterns[{i}]") for i, p in enumerate(allow.get("patterns", []))
    )
    detectors = tuple(_custom(d, where, i) for i, d in enumerate(data.get("detectors", [])))
    ids = [d.id for d in detectors]
    if len(set(ids)) != len(ids):
        raise _fail(where, "custom detector ids must be unique")
    for d in detectors:  # a custom detector's tier is an entity override of its own entity
        entities.setdefault(d.entity, EntityOverride(d.category, getattr(d, "tier", None)))
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:12]
    return Policy(
        category_thresholds=category_thresholds,
        entity_thresholds=entity_thresholds,
        context_window=window,
        lower=lower,
        raise_=raise_,
        pii_kinds_for_medium=kinds,
        identified_person=_tier(
            severity.get("identified_person", "medium"), where, "severity.identified_person"
        ),
        health_with_person=_tier(
            severity.get("health_with_person", "high"), where, "severity.health_with_person"
        ),
        financial_with_person=_tier(
            severity.get("financial_with_person", "high"), where, "severity.financial_with_person"
        ),
        entities=entities,
        allow_values=frozenset(values),
        allow_patterns=patterns,
        allow_fingerprints=frozenset(fingerprints),
        detectors=detectors,
        digest=digest,
        sources=sources,
    )


def _entity(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _ENTITY_NAME.fullmatch(name):
        raise _fail(where, f"entity name {name!r} must be UPPER_SNAKE_CASE")
    return name


class CustomRegexDetector(RegexDetector):
    """A regex detector declared in the policy's ``[[detectors]]``."""

    entity: ClassVar[str]
    category: ClassVar[Category]
    tier: ClassVar[Severity]


def _custom(table: Any, where: str, index: int) -> RegexDetector:
    name = f"detectors[{index}]"
    if not isinstance(table, dict):
        raise _fail(where, f"{name} must be a table")
    unknown = set(table) - set(_DETECTOR_KEYS)
    if unknown:
        raise _fail(where, f"{name}: unknown key {sorted(unknown)[0]!r}")
    for key in ("id", "entity", "category", "pattern"):
        if key not in table:
            raise _fail(where, f"{name}: {key!r} is required")
    detector_id = table["id"]
    if not isinstance(detector_id, str) or not _DETECTOR_ID.fullmatch(detector_id):
        raise _fail(where, f"{name}: 'id' must look like 'custom.name' (lower case, a dot)")
    segments = table.get("segments", list(SEGMENT_KINDS))
    if not isinstance(segments, list) or not segments or any(s not in SEGMENT_KINDS for s in segments):
        raise _fail(where, f"{name}: 'segments' must list segment kinds from {', '.join(SEGMENT_KINDS)}")
    context = table.get("context", [])
    if not isinstance(context, list) or not all(isinstance(w, str) and w for w in context):
        raise _fail(where, f"{name}: 'context' must be a list of words")
    attrs = {
        "id": detector_id,
        "entity": _entity(table["entity"], where),
        "category": _category(table["category"], where, f"{name}.category"),
        "patterns": (_regex(table["pattern"], where, f"{name}.pattern"),),
        "score": _score(table.get("score", 0.8), where, f"{name}.score"),
        "tier": _tier(table.get("tier", "medium"), where, f"{name}.tier"),
        "context_words": tuple(context),
        "segment_kinds": frozenset(segments),
        "ruleset_key": f"{detector_id}[{json.dumps(table, sort_keys=True)}]",
    }
    cls = type(f"Custom_{detector_id.replace('.', '_')}", (CustomRegexDetector,), attrs)
    detector: RegexDetector = cls()
    return detector
