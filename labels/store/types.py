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
    purged: int = 0  # findings whose evidence was purged (deleted chats)


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
    activities: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    severities: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ChatState:
    """Where the incremental fetch of one chat stands: the record its findings are in, and how far
    its messages were read (``message_cursor``: the API's ``last_id`` of the last messages page).

    A later change of the chat fetches only the messages after the cursor and adds their findings
    to those of ``record_id``, as long as the ruleset is the same.
    """

    chat_id: str
    record_id: str
    ruleset: str
    message_cursor: str | None
    messages_scanned: int


@dataclass(frozen=True, kw_only=True)
class StoredActivity:
    """One activity-feed entry as stored: indexed columns plus the whole (sanitised) object."""

    activity_id: str
    created_at: str
    type: str
    actor_type: str | None
    actor_user_id: str | None
    organization_uuid: str | None
    chat_id: str | None
    activity: dict[str, object]
