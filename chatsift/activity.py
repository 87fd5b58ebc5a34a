"""Sync the Compliance API activity feed into the store, with its own cursor.

Activities say who did what (created, viewed, uploaded, deleted ...) and carry ids, emails, IP
addresses and user agents, but no chat text, so they are stored as served with one exception:
free-text fields a user typed (file names, titles, descriptions, display names; ``FREE_TEXT``) are
replaced by a keyed fingerprint, like every other user-typed value chatsift keeps. Labels can then
be joined with activities on ``chat_id`` and ``actor_user_id``.

The feed is read oldest first from ``created_at.gte = <newest stored> - activity_overlap_minutes``:
activities can be indexed late, behind ones already served (reference §2.1, §5.1), so a window
behind the cursor is re-read every run and the store deduplicates on activity id. The cursor (the
newest ``created_at`` stored) commits with each page. A first sync starts at ``first_run_since``,
else 90 days back. A key without the ``read:compliance_activities`` scope skips the sync, reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chatsift import crashpoints
from chatsift.labeling import now
from chatsift.report import RunReport
from chatsift.runtime import Runtime
from chatsift.settings import ACTIVITY_CURSOR
from classifier import fingerprint
from fetch.activities import Activity, iter_activity_pages
from fetch.errors import NotFoundError, PermissionDeniedError
from labels import StoredActivity, parse_rfc3339, rfc3339

log = logging.getLogger("chatsift.activity")

FIRST_SYNC_DAYS = 90
# User-typed fields of activity types (compliance-api.md Appendix A): kept as fingerprints only.
FREE_TEXT = frozenset(
    {
        "filename",
        "title",
        "description",
        "display_name",
        "previous_display_name",
        "guide_name",
        "request_body",
    }
)


def sync_activities(rt: Runtime, report: RunReport, progress: Callable[[str], None]) -> None:
    """Read the activity feed from the stored cursor (minus the overlap) into the store."""
    stored = rt.store.get_cursor(ACTIVITY_CURSOR)
    newest = parse_rfc3339(stored) if stored else None
    if newest is not None:
        since = newest - timedelta(minutes=rt.settings.activity_overlap_minutes)
    else:
        since = rt.settings.first_run_since or now() - timedelta(days=FIRST_SYNC_DAYS)
    progress(f"activities: reading from {rfc3339(since)}")
    try:
        for page in iter_activity_pages(rt.client, created_gte=since, order="asc"):
            crashpoints.reached("activity_page")
            rows = [stored_activity(a, rt.hmac_key) for a in page.data]
            latest = max((a.created_at for a in page.data), default=None)
            if latest is not None and (newest is None or latest > newest):
                newest = latest
            cursor = (ACTIVITY_CURSOR, rfc3339(newest)) if newest is not None else None
            report.activities_new += rt.store.commit_activities(rows, cursor=cursor)
    except (PermissionDeniedError, NotFoundError) as exc:
        # The run's chats are labelled and committed; only this optional part is missing.
        log.warning("activities not read: %s (a key needs the read:compliance_activities scope)", exc.code)
        report.activities_skipped = exc.code


def stored_activity(activity: Activity, key: bytes) -> StoredActivity:
    """The stored form: indexed columns, and the object with free-text fields fingerprinted."""
    data = activity.model_dump(mode="json")
    for name in FREE_TEXT & data.keys():
        if isinstance(data[name], str):
            data[name] = fingerprint(key, "ACTIVITY_TEXT", data[name])
    actor: dict[str, Any] = data.get("actor") or {}
    return StoredActivity(
        activity_id=activity.id,
        created_at=rfc3339(activity.created_at),
        type=activity.type,
        actor_type=_str(actor.get("type")),
        actor_user_id=_str(actor.get("user_id")),
        organization_uuid=_str(data.get("organization_uuid")),
        chat_id=_str(data.get("claude_chat_id")),
        activity=data,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
