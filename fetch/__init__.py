"""Compliance API access: the client, paginators, streaming readers and the directory lookups.

Errors live in ``fetch.errors`` (one tree, drawn there); API objects in ``fetch.models``; the
loopback simulator in ``fetch.simulator``.
"""

from fetch.client import ClientStats, ComplianceClient, RetryEvent
from fetch.directory import ORG_USERS_PATH, ORGS_PATH, iter_org_users, iter_organizations, resolve_user
from fetch.errors import (
    ChatSkipError,
    FatalFetchError,
    FetchConfigError,
    FetchError,
    RetriableFetchError,
)
from fetch.pagination import CursorPaginator, PageTokenPaginator
from fetch.streams import (
    CHATS_PATH,
    MESSAGES_PATH,
    fetch_chat,
    iter_changed_chat_pages,
    iter_user_chat_pages,
    rfc3339z,
)

__all__ = [
    "CHATS_PATH",
    "MESSAGES_PATH",
    "ORGS_PATH",
    "ORG_USERS_PATH",
    "ChatSkipError",
    "ClientStats",
    "ComplianceClient",
    "CursorPaginator",
    "FatalFetchError",
    "FetchConfigError",
    "FetchError",
    "PageTokenPaginator",
    "RetriableFetchError",
    "RetryEvent",
    "fetch_chat",
    "iter_changed_chat_pages",
    "iter_org_users",
    "iter_organizations",
    "iter_user_chat_pages",
    "resolve_user",
    "rfc3339z",
]
