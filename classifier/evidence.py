"""Redacted evidence snippets: the masked value with at most ``context`` characters either side.

``build_evidence`` returns, for example, ``…config has [AWS_ACCESS_KEY:AKIA…6Q] in it…``:

* the value itself is always masked: ``[ENTITY]``, or with a safe hint for some entities: cards keep
  only their last four digits (``[CREDIT_CARD:…1111]``), IBANs their country code and last four
  (``[IBAN_CODE:DE…3000]``), vendor tokens their public prefix (at most four characters) and last
  two characters (``[GITHUB_TOKEN:ghp_…x9]``); everything else shows no characters at all;
* at most ``context`` characters of raw text on each side; every other detected span that overlaps
  that window is masked as ``[ENTITY]`` too (whole, even where it runs past the window);
* newlines and other control or invisible characters become spaces;
* ``…`` marks each side where the text was cut.

So no run of raw text longer than ``context`` characters can appear in an evidence string: raw
text only comes from the two windows, and the masked value separates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ELLIPSIS = "…"
DEFAULT_CONTEXT = 20
MIN_HINTED_TOKEN = 16  # shorter secrets show no characters at all

# Public, documented prefixes a vendor token starts with (shown at most four characters long).
PUBLIC_PREFIXES: dict[str, tuple[str, ...]] = {
    "AWS_ACCESS_KEY": ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
    "ANTHROPIC_API_KEY": ("sk-ant-",),
    "OPENAI_API_KEY": ("sk-proj-", "sk-"),
    "GITHUB_TOKEN": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "GITLAB_TOKEN": ("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "GR1348941"),
    "SLACK_TOKEN": ("xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxs-", "xoxr-", "https://hooks.slack.com"),
    "STRIPE_KEY": ("sk_live_", "rk_live_"),
    "NPM_TOKEN": ("npm_",),
    "PYPI_TOKEN": ("pypi-",),
    "SENDGRID_API_KEY": ("SG.",),
    "SQUARE_OAUTH_SECRET": ("sq0csp-",),
    "JWT": ("eyJ",),
}
_NON_DIGITS = re.compile(r"\D")
_SAFE_TAIL = re.compile(r"[A-Za-z0-9]{2}")


@dataclass(frozen=True, slots=True)
class _Mask:
    start: int
    end: int
    label: str


def mask_label(entity: str, value: str) -> str:
    """The mask that stands for ``value``: ``[ENTITY]`` or ``[ENTITY:hint]`` for a few entities."""
    hint = _hint(entity, value)
    return f"[{entity}:{hint}]" if hint else f"[{entity}]"


def _hint(entity: str, value: str) -> str:
    if entity == "CREDIT_CARD":
        digits = _NON_DIGITS.sub("", value)
        return f"{ELLIPSIS}{digits[-4:]}" if len(digits) >= 12 else ""
    if entity == "IBAN_CODE":
        compact = value.replace(" ", "").upper()
        ok = len(compact) >= 15 and compact[:2].isalpha() and compact.isascii() and compact.isalnum()
        return f"{compact[:2]}{ELLIPSIS}{compact[-4:]}" if ok else ""
    prefixes = PUBLIC_PREFIXES.get(entity)
    if prefixes is None or len(value) < MIN_HINTED_TOKEN:
        return ""
    prefix = next((p for p in prefixes if value.startswith(p)), "")[:4]
    tail = value[-2:] if _SAFE_TAIL.fullmatch(value[-2:]) else ""
    return f"{prefix}{ELLIPSIS}{tail}" if prefix or tail else ""


def build_evidence(
    text: str,
    span: tuple[int, int],
    entity: str,
    others: Iterable[tuple[int, int, str]] = (),
    *,
    context: int = DEFAULT_CONTEXT,
) -> str:
    """The redacted snippet around ``text[span]``; ``others`` are every other detected span."""
    start, end = span
    if not 0 <= start < end <= len(text):
        raise ValueError("span out of range")
    lo, hi = max(0, start - context), min(len(text), end + context)
    main = _Mask(start, end, mask_label(entity, text[start:end]))
    masks = [_Mask(s, e, f"[{name}]") for s, e, name in others if s < hi and e > lo and (s, e) != span]
    clusters = _clusters(main, masks)
    parts = [ELLIPSIS] if min(lo, clusters[0].start) > 0 else []
    cursor = min(lo, clusters[0].start)
    for cluster in clusters:
        if cluster.start > cursor:
            parts.append(_printable(text[cursor : cluster.start]))
        parts.append(cluster.label)
        cursor = max(cursor, cluster.end)
    if cursor < hi:
        parts.append(_printable(text[cursor:hi]))
    if max(cursor, hi) < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts)


def _clusters(main: _Mask, masks: list[_Mask]) -> list[_Mask]:
    """Overlapping masks fused into one; a fused mask containing the value keeps the value's label."""
    out: list[_Mask] = []
    for mask in sorted([main, *masks], key=lambda m: (m.start, -m.end)):
        if out and mask.start < out[-1].end:
            last = out[-1]
            label = main.label if mask is main else last.label
            out[-1] = _Mask(last.start, max(last.end, mask.end), label)
        else:
            out.append(mask)
    return out


def _printable(raw: str) -> str:
    """Raw context with newlines, control and invisible characters replaced by spaces."""
    return "".join(char if char.isprintable() else " " for char in raw)
