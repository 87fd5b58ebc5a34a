"""What a run did, counted as it goes, and how it is shown: figures and ids, never content."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from classifier.types import CATEGORIES, SEVERITIES
from labels import LabelRecord


@dataclass
class RunReport:
    """Counters of one scan, scan-user or classify run."""

    command: str
    chats_seen: int = 0
    chats_unchanged: int = 0
    chats_labelled: int = 0
    chats_failed: int = 0
    chats_deleted: int = 0
    messages_scanned: int = 0
    findings: int = 0
    records_written: int = 0
    records_skipped: int = 0
    records_delivered: int = 0
    output: str | None = None  # classify: where the records were written
    records_output: int = 0
    pages: int = 0
    retried_chats: int = 0
    cursor_moved: bool = False
    aborted: str | None = None
    category_chats: Counter[str] = field(default_factory=Counter)
    category_findings: Counter[str] = field(default_factory=Counter)
    severities: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    store_chats: int = 0  # chats the store holds labels for, after this run
    store_categories: dict[str, int] = field(default_factory=dict)
    store_retries: int = 0
    api_requests: int = 0
    api_retries: int = 0
    elapsed_s: float = 0.0

    def add_record(self, record: LabelRecord) -> None:
        """Count one record produced by this run."""
        if record.status == "error":
            self.chats_failed += 1
            for err in record.errors:
                self.failures[err.code] += 1
            return
        self.chats_labelled += 1
        self.chats_deleted += int(record.deleted)
        self.messages_scanned += record.messages_scanned
        self.findings += len(record.findings)
        self.severities[record.severity] += 1
        for category in record.labels:
            self.category_chats[category] += 1
        for finding in record.findings:
            self.category_findings[finding.category] += 1

    @property
    def complete(self) -> bool:
        """True when every chat seen was labelled and the run was not cut short."""
        return self.chats_failed == 0 and self.aborted is None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (``--json``)."""
        out = {k: v for k, v in vars(self).items() if not isinstance(v, Counter)}
        out["categories"] = {
            c: {"chats": self.category_chats[c], "findings": self.category_findings[c]} for c in CATEGORIES
        }
        out["severities"] = {s: self.severities[s] for s in SEVERITIES}
        out["failures"] = dict(self.failures)
        out["complete"] = self.complete
        return out

    def to_json(self) -> str:
        """One-line JSON of ``as_dict``."""
        return json.dumps(self.as_dict(), sort_keys=True)

    def render(self) -> str:
        """The human summary printed at the end of a run."""
        lines = [
            f"chatsift {self.command}: {self.chats_seen} chats seen, {self.chats_labelled} labelled, "
            f"{self.chats_unchanged} unchanged, {self.chats_failed} failed "
            f"({self.messages_scanned} messages scanned, {self.elapsed_s:.1f}s)",
            "",
            f"  {'category':<15}{'chats':>7}{'findings':>10}",
        ]
        for category in CATEGORIES:
            lines.append(
                f"  {category:<15}{self.category_chats[category]:>7}{self.category_findings[category]:>10}"
            )
        lines.append("")
        lines.append("  severity: " + ", ".join(f"{s} {self.severities[s]}" for s in SEVERITIES))
        if self.output is not None:
            lines.append(f"  records: {self.records_output} written to {self.output}")
        if self.output is None or self.records_written or self.records_skipped:
            lines.append(
                f"  store: {self.records_written} new records, {self.records_skipped} already stored, "
                f"{self.records_delivered} delivered to the feed"
            )
        if self.store_chats:
            held = ", ".join(f"{c} {self.store_categories.get(c, 0)}" for c in CATEGORIES)
            lines.append(
                f"  store: {self.store_chats} chats labelled in all ({held}); {self.store_retries} to retry"
            )
        if self.api_requests:
            lines.append(
                f"  api: {self.api_requests} requests, {self.api_retries} retries, {self.pages} pages"
            )
        if self.failures:
            lines.append(
                "  failed chats by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items()))
            )
            lines.append("  (failed chats are recorded with status 'error' and retried by the next scan)")
        if self.aborted:
            lines.append(f"  stopped early: {self.aborted}; committed work is kept, rerun to continue")
        return "\n".join(lines)
