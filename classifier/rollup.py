"""Roll a chat's findings up into labels, per-category scores and one severity.

Severity rules (the highest that applies):

* ``critical``: a private key, or a cloud/API key that opens an account on its own (AWS, Anthropic,
  OpenAI, GitHub, GitLab, Slack, Stripe, … : ``entities.CRITICAL_SECRETS``);
* ``high``: a payment card, an IBAN, a US SSN, or another credential (password, basic-auth
  credentials, JWT);
* ``medium``: a high-entropy string (a possible but unconfirmed secret); or personal data that
  identifies someone together: a person named in the same message as an email address or phone
  number, or three or more kinds of personal data in the chat;
* ``low``: any other finding (a lone email, phone, name, location or IP address);
* ``none``: no findings.

The tier of each entity lives in ``entities.ENTITIES``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from classifier.entities import CONTACT_ENTITIES, entity_info
from classifier.types import CATEGORIES, SEVERITIES, Category, Finding, Severity

PII_KINDS_FOR_MEDIUM = 3


def labels_of(findings: Sequence[Finding]) -> tuple[Category, ...]:
    """The categories present, in ``CATEGORIES`` order."""
    present = {f.category for f in findings}
    return tuple(c for c in CATEGORIES if c in present)


def scores_of(findings: Sequence[Finding]) -> dict[str, float]:
    """The highest finding score per category present."""
    scores: dict[str, float] = {}
    for f in findings:
        scores[f.category] = max(f.score, scores.get(f.category, 0.0))
    return {c: scores[c] for c in CATEGORIES if c in scores}


def severity_of(findings: Sequence[Finding]) -> Severity:
    """The chat's severity under the rules in this module's docstring."""
    if not findings:
        return "none"
    level = max(SEVERITIES.index(entity_info(f.entity).tier) for f in findings)
    if _identifying_pii(findings):
        level = max(level, SEVERITIES.index("medium"))
    return SEVERITIES[max(level, SEVERITIES.index("low"))]


def _identifying_pii(findings: Sequence[Finding]) -> bool:
    """A person next to contact details (same message), or several kinds of personal data."""
    pii = [f for f in findings if f.category == "pii"]
    if len({f.entity for f in pii}) >= PII_KINDS_FOR_MEDIUM:
        return True
    by_message: dict[str | None, set[str]] = defaultdict(set)
    for f in pii:
        by_message[f.message_id].add(f.entity)
    return any("PERSON" in entities and entities & CONTACT_ENTITIES for entities in by_message.values())
