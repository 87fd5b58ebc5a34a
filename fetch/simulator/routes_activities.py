"""``GET /v1/compliance/activities``: the activity feed (compliance-api.md §2.1).

Order ``desc`` (the default) is newest first, ``asc`` oldest first; ties on ``created_at`` are
broken by id. Cursors are activity ids, as in the docs' examples, and relative to the order:
``after_id`` continues in the direction of travel, ``before_id`` goes back toward the start. An
activity inserted late with an older ``created_at`` lands behind an ``asc`` cursor and is skipped,
as the reference warns; re-polling an overlap window with ``created_at.gte`` finds it.

400s without documented wording (both type filters, both cursors, a bad ``order``) use the
simulator's own messages; an unknown cursor gets the documented ``Invalid `after_id`. No activity
found for ...`` text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from fetch.simulator import params
from fetch.simulator.activities import Activity
from fetch.simulator.context import Context, Handler
from fetch.simulator.errors import bad_request, invalid_cursor

ACTIVITIES = "/v1/compliance/activities"
_ARRAYS = ("activity_types", "exclude_activity_types", "actor_ids", "user_ids", "organization_ids")


def list_activities(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/activities``."""
    query = ctx.query
    for bare in _ARRAYS:
        if bare in query:
            raise bad_request(f"`{bare}` is a repeated parameter: send it as `{bare}[]`, once per value.")
    size = params.limit(query, 100, 5000) or 100
    order = params.one(query, "order") or "desc"
    if order not in ("asc", "desc"):
        raise bad_request(f'`order` must be "asc" or "desc". Got "{order}".')
    keep = _filter(ctx)
    cursor, backwards = _cursor(ctx)  # looked up first, so the snapshot below surely holds it
    keys, items = ctx.org.activities.snapshot()
    count = len(items)
    rank = None
    if cursor is not None:
        index = bisect.bisect_left(keys, cursor.key())
        rank = index if order == "asc" else count - 1 - index

    def at(i: int) -> Activity:  # the i-th activity in the requested order
        return items[i] if order == "asc" else items[count - 1 - i]

    if backwards:
        walk: range = range((count if rank is None else rank) - 1, -1, -1)
    else:
        walk = range(0 if rank is None else rank + 1, count)
    page: list[Activity] = []
    more = False
    for i in walk:
        if keep(at(i)):
            if len(page) == size:
                more = True
                break
            page.append(at(i))
    if backwards:
        page.reverse()
    return {
        "data": [activity.api() for activity in page],
        "has_more": more,
        "first_id": page[0].id if page else None,
        "last_id": page[-1].id if page else None,
    }


def _filter(ctx: Context) -> Callable[[Activity], bool]:
    query = ctx.query
    types = set(query.get("activity_types[]", []))
    excluded = set(query.get("exclude_activity_types[]", []))
    if types and excluded:
        raise bad_request("`activity_types[]` and `exclude_activity_types[]` cannot be combined.")
    actors = set(query.get("actor_ids[]", [])) | set(query.get("user_ids[]", []))
    org_ids = query.get("organization_ids[]", [])
    orgs = {unit.uuid for unit in (ctx.org.unit(ident) for ident in org_ids) if unit is not None}
    bounds = params.time_filters(query, "created_at")

    def keep(activity: Activity) -> bool:
        return (
            (not types or activity.type in types)
            and activity.type not in excluded
            and (not actors or activity.actor.get("user_id") in actors)
            and (not org_ids or (activity.org is not None and activity.org.uuid in orgs))
            and params.within(activity.created_at, bounds)
        )

    return keep


def _cursor(ctx: Context) -> tuple[Activity | None, bool]:
    """The activity a cursor names, and whether to walk backwards (``before_id``)."""
    after, before = params.one(ctx.query, "after_id"), params.one(ctx.query, "before_id")
    if after and before:
        raise bad_request("Only one of `after_id` and `before_id` may be given.")
    for name, token, backwards in (("after_id", after, False), ("before_id", before, True)):
        if token is None:
            continue
        activity = ctx.org.activities.get(token)
        if activity is None:
            raise invalid_cursor(name, "activity", token)
        return activity, backwards
    return None, False


ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    (ACTIVITIES, re.compile(r"^/v1/compliance/activities$"), list_activities),
)
