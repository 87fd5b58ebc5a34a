"""Plain-text tables for the terminal: ids, labels and counts only."""

from __future__ import annotations

from collections.abc import Sequence

from labels import LabelRecord


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
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
