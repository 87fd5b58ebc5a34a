"""Plain-text tables for the terminal: ids, labels and counts only."""

from __future__ import annotations

from collections.abc import Sequence

from classifier.types import CATEGORIES
from labels import LabelRecord, RollupRecord


def user_table(records: Sequence[LabelRecord]) -> str:
    """One row per labelled chat of a user, most severe first."""
    if not records:
        return "no chats found for this user"
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "none": 4}
    rows = sorted(records, key=lambda r: (order.get(r.severity, 5), r.chat_updated_at), reverse=False)
    header = ("chat", "updated", "severity", "labels", "findings", "status")
    body = [
        (
            r.chat_id,
            r.chat_updated_at[:19] + "Z",
            r.severity,
            ",".join(r.labels) or "-",
            str(len(r.findings)),
            r.status + ("" if not r.errors else f" ({','.join(e.code for e in r.errors)})"),
        )
        for r in rows
    ]
    return _grid(header, body)


def _grid(header: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> str:
    """Left-aligned columns under a header and a rule."""
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rollup_table(rollup: RollupRecord) -> str:
    """A user's or project's rollup: chats per category, recent ones, first and last seen."""
    head = (
        f"{rollup.scope} {rollup.subject_id}: {rollup.chats} chats, {rollup.chats_labelled} labelled, "
        f"highest severity {rollup.severity} (as of {rollup.as_of})"
    )
    if not rollup.categories:
        return head
    header = ("category", "chats", f"last {rollup.window_days} days", "first seen", "last seen")
    body = [
        (name, str(c.chats), str(c.chats_in_window), c.first_seen, c.last_seen)
        for name, c in rollup.categories.items()
    ]
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *body)
    ]
    return "\n".join([head, *lines])


def rollups_table(rollups: Sequence[RollupRecord]) -> str:
    """One row per user or project: chats, labelled, severity, and per category "chats (recent)"."""
    if not rollups:
        return "no rollups stored yet: run `chatsift scan`"
    header = ("subject", "chats", "labelled", "severity", *CATEGORIES)
    body = []
    for r in rollups:
        cells = []
        for category in CATEGORIES:
            c = r.categories.get(category)
            cells.append("-" if c is None or not c.chats else f"{c.chats} ({c.chats_in_window})")
        subject = r.user.email_address if r.user and r.user.email_address else r.subject_id
        body.append((subject, str(r.chats), str(r.chats_labelled), r.severity, *cells))
    window = rollups[0].window_days
    return (
        _grid(header, body)
        + f"\n(per category: chats, and in brackets those changed in the last {window} days)"
    )
