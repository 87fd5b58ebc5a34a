"""Plain-text tables for the terminal: ids, labels and counts only."""

from __future__ import annotations

from collections.abc import Sequence

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
