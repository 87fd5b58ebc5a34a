"""The simulated endpoints: chats list, chat messages, organizations, organization users, and the table.

Each handler takes a ``Context`` (the org, the faults, the parsed query, server hooks) and returns
the response document (or a ``Raw`` download) or raises ``ApiError``. Rules follow
compliance-api.md §2.2, §2.3 and §3.2; attachments live in ``routes_files.py``, the activity feed
in ``routes_activities.py``.

Chats-list faults applied here: ``fail_list_*``, ``list_body_fault``, ``repeat_list_cursor`` (the
page that ends at ``after_id`` is served again, its ``last_id`` the very token given) and the
``after_list_page``/``update_during_run`` hooks, run once the page's document is built. Messages
faults: ``gone_messages`` (404 while still listed), ``fail_messages``, ``slow_messages``,
``repeat_messages_cursor`` and the two body faults.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from fetch.simulator import limits, params, routes_activities, routes_files
from fetch.simulator.context import Context, Handler, Raw
from fetch.simulator.errors import bad_request, chat_not_found, invalid_cursor, org_not_found, simulated
from fetch.simulator.org import ORDER_KEYS, SimChat
from fetch.simulator.params import Query

__all__ = ["ROUTES", "UNMATCHED", "Context", "Handler", "Raw", "match"]

CHATS = "/v1/compliance/apps/chats"
MESSAGES = "/v1/compliance/apps/chats/{id}/messages"
ORGANIZATIONS = "/v1/compliance/organizations"
USERS = "/v1/compliance/organizations/{org_uuid}/users"
UNMATCHED = "(unmatched)"
_ARRAYS = ("user_ids", "organization_ids", "project_ids")
_log = logging.getLogger(__name__)


def list_chats(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/apps/chats``."""
    query = ctx.query
    user_ids, org_ids, project_ids = _chat_arrays(query)
    order_by = params.one(query, "order_by") or "created_at"
    if order_by not in ORDER_KEYS:
        raise bad_request(f'`order_by` must be one of "created_at" or "updated_at". Got "{order_by}".')
    size = params.limit(query, 100, 1000)
    created = params.time_filters(query, "created_at")
    updated = params.time_filters(query, "updated_at")
    _check_chat_rules(query, bool(user_ids), order_by, bool(created), bool(updated))
    position, backwards = _chat_position(query, order_by)
    failure = ctx.faults.list_failure()
    if failure is not None:
        ctx.note("fail_list")
        raise simulated(failure.status, failure.no_retry)
    units = [ctx.org.unit(ident) for ident in org_ids]
    org_uuids = {unit.uuid for unit in units if unit is not None}

    def keep(chat: SimChat) -> bool:
        return (
            (not user_ids or chat.user.id in user_ids)
            and (not org_ids or chat.org.uuid in org_uuids)
            and (not project_ids or chat.project_id in project_ids)
            and params.within(chat.created_at, created)
            and params.within(chat.updated_at, updated)
        )

    doc = _chat_page(ctx, order_by, position, backwards, size, keep)
    _after_page(ctx)
    return doc


def _chat_page(
    ctx: Context,
    order_by: str,
    position: Any,
    backwards: bool,
    size: int | None,
    keep: Callable[[SimChat], bool],
) -> dict[str, Any]:
    """One page of the chat list (or, under ``repeat_list_cursor``, the page before it again)."""
    keys, records = ctx.org.ordered(order_by)
    repeat = ctx.faults.repeat_list_cursor and position is not None and not backwards
    if repeat:  # the page that ended at this cursor, again: a client that trusts has_more spins
        ctx.note("repeat_list_cursor")
        page, _ = params.window(keys, records, (position[0], position[1] + "\x00"), True, size, keep)
        more = True
    else:
        page, more = params.window(keys, records, position, backwards, size, keep)
    doc = {
        "data": [chat.summary() for chat in page],
        "has_more": more,
        "first_id": params.chat_cursor(order_by, *page[0].key(order_by)) if page else None,
        "last_id": params.chat_cursor(order_by, *page[-1].key(order_by)) if page else None,
    }
    if repeat:
        doc["last_id"] = params.one(ctx.query, "after_id")
    return doc


def _after_page(ctx: Context) -> None:
    """Break this page's body, or count it whole and run the hooks that follow a served page."""
    fault = ctx.faults.take_list_body_fault()
    if fault is not None:
        ctx.note("list_body_fault")
        ctx.body_fault = fault
        return
    hook_page, update_page = ctx.faults.list_page_served()
    hook = ctx.faults.after_list_page
    try:
        if hook is not None:
            hook(hook_page)
        for chat_id in ctx.faults.update_during_run.get(update_page, []):
            ctx.org.append_planted_email(chat_id)
            ctx.note("update_during_run")
    except Exception as exc:  # a test's hook failing must not take the page down with it
        _log.error("after-list-page hook failed: %s", type(exc).__name__)


def _chat_arrays(query: Query) -> tuple[list[str], list[str], list[str]]:
    """``user_ids[]``, ``organization_ids[]`` and ``project_ids[]``, with their 400s."""
    for bare in _ARRAYS:
        if bare in query:
            raise bad_request(f"`{bare}` is a repeated parameter: send it as `{bare}[]`, once per value.")
    user_ids = query.get("user_ids[]", [])
    if "user_ids[]" in query and not 1 <= len(user_ids) <= 10:
        raise bad_request(f"`user_ids[]` takes between 1 and 10 values. Got {len(user_ids)}.")
    project_ids = query.get("project_ids[]", [])
    if project_ids and not user_ids:
        raise bad_request("`project_ids[]` is only supported together with `user_ids[]`.")
    return user_ids, query.get("organization_ids[]", []), project_ids


def _check_chat_rules(query: Query, per_user: bool, order_by: str, created: bool, updated: bool) -> None:
    """The chat list's documented 400 rules (their wording is the simulator's own)."""
    if per_user and order_by == "updated_at":
        raise bad_request(
            "`order_by=updated_at` is only supported on organization-wide queries (without `user_ids[]`)."
        )
    if per_user and updated:
        raise bad_request("`updated_at` filters are not supported together with `user_ids[]`.")
    if not per_user and updated and order_by != "updated_at":
        raise bad_request("On organization-wide queries, `updated_at` filters require `order_by=updated_at`.")
    if not per_user and created and order_by != "created_at":
        raise bad_request("On organization-wide queries, `created_at` filters require `order_by=created_at`.")
    if params.one(query, "after_id") and params.one(query, "before_id"):
        raise bad_request("Only one of `after_id` and `before_id` may be given.")
    if not per_user and params.one(query, "before_id"):
        raise bad_request("`before_id` is not supported on organization-wide queries.")


def _chat_position(query: Query, order_by: str) -> tuple[Any, bool]:
    for name, backwards in (("after_id", False), ("before_id", True)):
        token = params.one(query, name)
        if token is None:
            continue
        key, position = params.read_chat_cursor(name, token)
        if key != order_by:
            raise bad_request(
                f"The `{name}` cursor was issued for `order_by={key}` and cannot be used with "
                f"`order_by={order_by}`."
            )
        return position, backwards
    return None, False


def chat_messages(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/apps/chats/{id}/messages``."""
    (chat_id,) = ctx.args
    chat = _messages_gate(ctx, chat_id)
    query = ctx.query
    size = params.limit(query, None, 1000)  # omitted: every message in one response
    order = params.one(query, "order") or "asc"
    if order not in ("asc", "desc"):
        raise bad_request(f'`order` must be "asc" or "desc". Got "{order}".')
    result_max, input_max = (limits.max_chars(query, name) for name in limits.LIMITS)
    # Messages never change once sent, so updated_at bounds are read against created_at too.
    bounds = params.time_filters(query, "created_at") + params.time_filters(query, "updated_at")
    indexes = list(range(len(chat.messages)))
    if order == "desc":
        indexes.reverse()
    position, backwards = _message_position(query, [chat.messages[i]["id"] for i in indexes])
    delay = ctx.faults.slow_messages.get(chat_id, 0.0)
    if delay > 0:
        ctx.note("slow_messages")
        ctx.sleep(delay)
    ranks = list(range(len(indexes)))

    def keep(rank: int) -> bool:
        return params.within(chat.message_times[indexes[rank]], bounds)

    repeat = position is not None and not backwards and chat_id in ctx.faults.repeat_messages_cursor
    if repeat and position is not None:  # the page that ended at this cursor, again
        ctx.note("repeat_messages_cursor")
        page, more = params.window(ranks, ranks, position + 1, True, size, keep)[0], True
    else:
        page, more = params.window(ranks, ranks, position, backwards, size, keep)
    messages = limits.truncate([chat.messages[indexes[rank]] for rank in page], result_max, input_max)
    ctx.body_fault = ctx.faults.messages_body_fault(chat_id)
    if ctx.body_fault:
        ctx.note("invalid_json_messages" if ctx.body_fault == "invalid" else "malformed_messages")
    return {
        **chat.summary(),
        "chat_messages": messages,
        "has_more": more,
        "first_id": params.message_cursor(messages[0]["id"]) if messages else None,
        "last_id": params.one(query, "after_id") if repeat else _last(messages),
    }


def _messages_gate(ctx: Context, chat_id: str) -> SimChat:
    """The chat, unless it is unknown, ``gone_messages`` (both 404) or set to fail."""
    chat = ctx.org.record(chat_id)
    if chat is not None and chat_id in ctx.faults.gone_messages:
        ctx.note("gone_messages")
        chat = None
    if chat is None:
        raise chat_not_found(chat_id)
    failure = ctx.faults.messages_failure(chat_id)
    if failure is not None:
        ctx.note("fail_messages")
        raise simulated(failure.status, failure.no_retry)
    return chat


def _last(messages: list[dict[str, Any]]) -> str | None:
    return params.message_cursor(messages[-1]["id"]) if messages else None


def _message_position(query: Query, ordered_ids: list[str]) -> tuple[int | None, bool]:
    """The rank (in the requested order) the message cursor names, and whether to page backwards."""
    after, before = params.one(query, "after_id"), params.one(query, "before_id")
    if after and before:
        raise bad_request("Only one of `after_id` and `before_id` may be given.")
    for name, token, backwards in (("after_id", after, False), ("before_id", before, True)):
        if token is None:
            continue
        wanted = params.read_message_cursor(name, token)
        if wanted not in ordered_ids:
            raise invalid_cursor(name, "message", token)
        return ordered_ids.index(wanted), backwards
    return None, False


def organizations(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/organizations``."""
    size = params.limit(ctx.query, 1000, 1000)
    return _token_page(ctx.query, "orgs", [unit.api() for unit in ctx.org.org_units], size or 1000)


def org_users(ctx: Context) -> dict[str, Any]:
    """``GET /v1/compliance/organizations/{org_uuid}/users``."""
    (org_uuid,) = ctx.args
    unit = ctx.org.unit(org_uuid)
    if unit is None or unit.uuid != org_uuid:
        raise org_not_found(org_uuid)
    size = params.limit(ctx.query, 500, 1000)
    items = [user.api() for user in ctx.org.members(org_uuid)]
    return _token_page(ctx.query, f"users:{org_uuid}", items, size or 500)


def _token_page(query: Query, scope: str, items: list[dict[str, Any]], size: int) -> dict[str, Any]:
    offset = params.read_page_token(query, scope)
    page = items[offset : offset + size]
    more = offset + size < len(items)
    return {
        "data": page,
        "has_more": more,
        "next_page": params.page_token(scope, offset + size) if more else None,
    }


ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    *routes_files.ROUTES,
    (CHATS, re.compile(r"^/v1/compliance/apps/chats$"), list_chats),
    (MESSAGES, re.compile(r"^/v1/compliance/apps/chats/([^/]+)/messages$"), chat_messages),
    (ORGANIZATIONS, re.compile(r"^/v1/compliance/organizations$"), organizations),
    (USERS, re.compile(r"^/v1/compliance/organizations/([^/]+)/users$"), org_users),
    *routes_activities.ROUTES,
)


def match(path: str) -> tuple[str, Handler | None, tuple[str, ...]]:
    """The path template, handler and path arguments for ``path`` (``UNMATCHED`` if none)."""
    for template, pattern, handler in ROUTES:
        found = pattern.match(path)
        if found:
            return template, handler, tuple(unquote(arg) for arg in found.groups())
    return UNMATCHED, None, ()
