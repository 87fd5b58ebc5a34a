"""Roll a chat's findings up into labels, per-category scores and one severity.

Severity rules (the highest that applies; the words in brackets are ``[severity]`` keys of the
policy, ``classifier.policy``):

* every finding gives at least its entity's tier (``classifier.entities``, changed per entity by
  the policy's ``[entities]``): ``critical`` for private keys and keys that open an account on
  their own, ``high`` for cards, bank accounts, government ids, other credentials and bulk
  personal data, ``medium`` for health and financial content and unconfirmed secrets, ``low`` for
  contact details, names, places and network addresses;
* personal data that identifies someone [``identified_person``, default ``medium``]: a person
  named in the same message as contact details or an identifier, or at least
  [``pii_kinds_for_medium``] kinds of personal data in the chat. A name alone stays ``low``;
* health content or a health id in a chat that also identifies a person (a name, contact details
  or any identifier) [``health_with_person``, default ``high``];
* financial content in a chat that also identifies a person [``financial_with_person``, ``high``];
* ``none``: no findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from classifier.entities import CONTACT_ENTITIES, entity_info
from classifier.policy import Policy
from classifier.types import CATEGORIES, SEVERITIES, Category, Severity

_DEFAULT = Policy()
PERSON = "PERSON"


class Scored(Protocol):
    """What the roll-up reads of a finding (``Finding`` and ``gate.Item`` have it)."""

    @property
    def category(self) -> Category: ...

    @property
    def entity(self) -> str: ...

    @property
    def message_id(self) -> str | None: ...

    @property
    def score(self) -> float: ...


def labels_of(findings: Sequence[Scored]) -> tuple[Category, ...]:
    """The categories present, in ``CATEGORIES`` order."""
    present = {f.category for f in findings}
    return tuple(c for c in CATEGORIES if c in present)


def scores_of(findings: Sequence[Scored]) -> dict[str, float]:
    """The highest finding score per category present."""
    scores: dict[str, float] = {}
    for f in findings:
        scores[f.category] = max(f.score, scores.get(f.category, 0.0))
    return {c: scores[c] for c in CATEGORIES if c in scores}


def severity_of(findings: Sequence[Scored], policy: Policy | None = None) -> Severity:
    """The chat's severity under the rules in this module's docstring."""
    if not findings:
        return "none"
    p = policy if policy is not None else _DEFAULT
    level = max(SEVERITIES.index(p.tier_of(f.entity, entity_info(f.entity).tier)) for f in findings)
    categories = {f.category for f in findings}
    if _identifying_pii(findings, p):
        level = max(level, SEVERITIES.index(p.identified_person))
    if _identifies_someone(findings, p):
        if "regulated" in categories:
            level = max(level, SEVERITIES.index(p.health_with_person))
        if "financial" in categories:
            level = max(level, SEVERITIES.index(p.financial_with_person))
    return SEVERITIES[max(level, SEVERITIES.index("low"))]


def _identifier(f: Scored, policy: Policy) -> bool:
    """Contact details or an identifier of a person (not a name, place or network address)."""
    if f.category != "pii":
        return False
    tier = policy.tier_of(f.entity, entity_info(f.entity).tier)
    return f.entity in CONTACT_ENTITIES or SEVERITIES.index(tier) >= SEVERITIES.index("medium")


def _identifying_pii(findings: Sequence[Scored], policy: Policy) -> bool:
    """A person next to contact details or an identifier (same message), or several kinds of personal data."""
    pii = [f for f in findings if f.category == "pii"]
    if len({f.entity for f in pii}) >= policy.pii_kinds_for_medium:
        return True
    people = {f.message_id for f in pii if f.entity == PERSON}
    return any(f.message_id in people and _identifier(f, policy) for f in pii)


def _identifies_someone(findings: Sequence[Scored], policy: Policy) -> bool:
    """A name, contact details or a personal identifier anywhere in the chat."""
    return any(f.category == "pii" and (f.entity == PERSON or _identifier(f, policy)) for f in findings)
