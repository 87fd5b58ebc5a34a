"""What a run did, counted as it goes, and how it is shown: figures and ids, never content."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from classifier.types import CATEGORIES, SEVERITIES
from labels import LabelRecord, WriterOutcome


@dataclass
class RunReport:
    """Counters of one scan, scan-user or classify run."""

    command: str
    chats_seen: int = 0
    chats_unchanged: int = 0
    chats_labelled: int = 0
    chats_failed: int = 0
    chats_deleted: int = 0
    chats_gone: int = 0  # listed, then 404 (hard-deleted): recorded as deleted, not retried
    messages_scanned: int = 0
    findings: int = 0
    records_written: int = 0
    records_skipped: int = 0
    records_delivered: int = 0  # feed items (records and rollups) acknowledged by the feed writers
    rollups_changed: int = 0  # user and project rollups whose counts changed (each goes to the feed)
    feed: list[WriterOutcome] = field(default_factory=list)  # per writer, after the run's last delivery
    output: str | None = None  # classify: where the records were written
    records_output: int = 0
    pages: int = 0
    retried_chats: int = 0
    windows: int = 0  # time windows walked (first run, backfill)
    chats_incremental: int = 0  # chats read from their message cursor, not from the first message
    messages_classified: int = 0  # messages actually read this run (messages_scanned counts whole chats)
    attachments_scanned: int = 0
    attachments_skipped: Counter[str] = field(default_factory=Counter)
    evidence_purged: int = 0
    activities_new: int = 0
    activities_skipped: str | None = None  # why the activity feed was not read, if it was not
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
    api_429s: int = 0
    throttled_s: float = 0.0
    elapsed_s: float = 0.0
    classify_seconds: float = 0.0  # the classifier's busy time (summed over worker processes, if any)
    classify_cpu_seconds: float = 0.0  # the CPU time of that (less when the machine is busy with others)

    def count_attachment(self, scanned: bool, reason: str | None) -> None:
        """Count one attachment read (or not, and why)."""
        if scanned:
            self.attachments_scanned += 1
        else:
            self.attachments_skipped[reason or "unknown"] += 1

    def add_record(self, record: LabelRecord) -> None:
        """Count one record produced by this run."""
        if record.status == "error" and record.deleted:
            # Hard-deleted between list and read (404): recorded as deleted, nothing left to retry.
            self.chats_gone += 1
            return
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
    def feed_behind(self) -> list[WriterOutcome]:
        """Writers this process serves that still have items to send."""
        return [o for o in self.feed if o.pending and not o.busy]

    @property
    def complete(self) -> bool:
        """True when every chat seen was labelled, every feed caught up and the run was not cut short."""
        return self.chats_failed == 0 and self.aborted is None and not self.feed_behind

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (``--json``)."""
        out = {k: v for k, v in vars(self).items() if not isinstance(v, Counter)}
        out["feed"] = [asdict(o) for o in self.feed]
        out["categories"] = {
            c: {"chats": self.category_chats[c], "findings": self.category_findings[c]} for c in CATEGORIES
        }
        out["severities"] = {s: self.severities[s] for s in SEVERITIES}
        out["failures"] = dict(self.failures)
        out["attachments_skipped"] = dict(self.attachments_skipped)
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
                f"{self.records_delivered} feed items delivered (records and rollups)"
            )
        if self.rollups_changed:
            lines.append(f"  rollups: {self.rollups_changed} user and project rollups changed")
        for outcome in self.feed:
            lines.append("  " + describe_outcome(outcome))
        if self.store_chats:
            held = ", ".join(f"{c} {self.store_categories.get(c, 0)}" for c in CATEGORIES)
            lines.append(
                f"  store: {self.store_chats} chats labelled in all ({held}); {self.store_retries} to retry"
            )
        if self.chats_incremental or self.messages_classified:
            lines.append(
                f"  read: {self.messages_classified} messages, {self.chats_incremental} chats from their "
                f"message cursor, {self.windows} time windows"
            )
        if self.attachments_scanned or self.attachments_skipped:
            skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.attachments_skipped.items())) or "none"
            lines.append(f"  attachments: {self.attachments_scanned} scanned; not scanned: {skipped}")
        if self.chats_gone:
            lines.append(f"  gone: {self.chats_gone} chats were deleted before they could be read (recorded)")
        if self.evidence_purged:
            lines.append(f"  deleted chats: evidence of {self.evidence_purged} findings purged")
        if self.activities_new or self.activities_skipped:
            lines.append(
                f"  activities: {self.activities_new} new"
                + (f" (not read: {self.activities_skipped})" if self.activities_skipped else "")
            )
        if self.api_requests:
            lines.append(
                f"  api: {self.api_requests} requests, {self.api_retries} retries, {self.api_429s} answered "
                f"429, {self.throttled_s:.1f}s paced by the rate budget, {self.pages} pages"
            )
        if self.failures:
            lines.append(
                "  failed chats by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items()))
            )
            lines.append("  (failed chats are recorded with status 'error' and retried by the next scan)")
        if self.aborted:
            lines.append(f"  stopped early: {self.aborted}; committed work is kept, rerun to continue")
        return "\n".join(lines)


def describe_outcome(outcome: WriterOutcome) -> str:
    """One line on what delivery to a writer did: counts, and the error if it is behind."""
    line = f"feed {outcome.name}: {outcome.delivered} delivered, {outcome.pending} pending"
    if outcome.busy:
        return f"{line} ({outcome.busy})"
    if outcome.pending and outcome.error:
        line += f" after {outcome.failures} failed attempts ({outcome.error})"
        line += (
            "; fix the feed's settings, then run `chatsift feed deliver`"
            if outcome.refused
            else "; they stay in the outbox: `chatsift feed deliver` or the next run sends them"
        )
    return line
