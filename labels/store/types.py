"""Plain values the label store takes and returns (ids, codes and counts only)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class RetryItem:
    """A chat that failed and must be tried again by the next run.

    ``chat_updated_at`` is the listed version when known (None when the chat failed before it was
    listed). ``attempts`` and the ``*_failed_at`` times are kept by the store: on commit it counts
    the attempt and stamps the time, so callers pass only id, version and error code.
    """

    chat_id: str
    error_code: str
    chat_updated_at: str | None = None
    attempts: int = 1
    first_failed_at: str | None = None
    last_failed_at: str | None = None


@dataclass(frozen=True)
class CommitResult:
    """Which record ids one commit stored (``new``) and which it already had (``skipped``)."""

    new: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreSummary:
    """What the store holds.

    ``records`` and ``findings`` count every stored chat version; ``chats`` and the per-category,
    per-severity and per-status counts describe each chat's latest record only.
    """

    chats: int = 0
    records: int = 0
    findings: int = 0
    deleted: int = 0
    retries: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    severities: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
