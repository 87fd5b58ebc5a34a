"""The Activity Feed: ``GET /v1/compliance/activities``, walked page by page (reference §2.1, §5.1).

Pages are cursor-paginated (``after_id``/``last_id``/``has_more``) like chats, so the same
``CursorPaginator`` owns the cursor, detects a repeated one and caps the walk. With
``order="asc"`` the walk runs oldest first, so the last page's ``last_id`` is the cursor to store;
late-indexed events can land behind it, which is why callers re-poll an overlap window with
``created_gte`` and deduplicate by activity ``id`` (the reference's recommended loop).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Literal

from fetch.client import ComplianceClient
from fetch.errors import FetchConfigError
from fetch.models import Activity, ActivityPage
from fetch.pagination import DEFAULT_MAX_PAGES, CursorPaginator
from fetch.parsing import validate
from fetch.streams import rfc3339z

__all__ = ["ACTIVITIES_PATH", "MAX_ACTIVITY_LIMIT", "Activity", "ActivityPage", "iter_activity_pages"]

ACTIVITIES_PATH = "/v1/compliance/activities"
MAX_ACTIVITY_LIMIT = 5000


def iter_activity_pages(
    client: ComplianceClient,
    *,
    created_gte: datetime | None = None,
    created_lt: datetime | None = None,
    order: Literal["asc", "desc"] = "asc",
    page_size: int = 1000,
    types: Sequence[str] = (),
    after_id: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[ActivityPage]:
    """Activity pages in ``order`` of ``created_at``, optionally within a time window and of some types."""
    params = _params(created_gte, created_lt, order, page_size, types)
    paginator = CursorPaginator(max_pages, start=after_id, path_template=ACTIVITIES_PATH)
    while not paginator.finished:
        body = client.get_json(ACTIVITIES_PATH, [*params, *paginator.params()])
        page = validate(ActivityPage, body, path_template=ACTIVITIES_PATH)
        paginator.advance(page)
        yield page


def _params(
    created_gte: datetime | None,
    created_lt: datetime | None,
    order: str,
    page_size: int,
    types: Sequence[str],
) -> list[tuple[str, str]]:
    if order not in ("asc", "desc"):
        raise FetchConfigError('order must be "asc" or "desc"', code="bad_order")
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= MAX_ACTIVITY_LIMIT
    ):
        raise FetchConfigError(f"page_size must be between 1 and {MAX_ACTIVITY_LIMIT}", code="bad_page_size")
    if isinstance(types, str) or not all(isinstance(t, str) and t.strip() for t in types):
        raise FetchConfigError("types must be a sequence of activity type names", code="bad_activity_types")
    if created_gte is not None and created_lt is not None and _utc(created_gte) >= _utc(created_lt):
        raise FetchConfigError("created_gte must be earlier than created_lt", code="bad_time_window")
    params = [("order", order), ("limit", str(page_size))]
    params += [("activity_types[]", name) for name in dict.fromkeys(t.strip() for t in types)]
    if created_gte is not None:
        params.append(("created_at.gte", rfc3339z(created_gte)))
    if created_lt is not None:
        params.append(("created_at.lt", rfc3339z(created_lt)))
    return params


def _utc(moment: datetime) -> datetime:
    # Naive datetimes are taken to be UTC, as rfc3339z does.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
