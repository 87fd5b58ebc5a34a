"""Compliance API access: the client, request budget, paginators, streams, downloads and directory.

Errors live in ``fetch.errors`` (one tree, drawn there); API objects in ``fetch.models``; the
loopback simulator in ``fetch.simulator``.
"""

from fetch.activities import ACTIVITIES_PATH, iter_activity_pages
from fetch.attachments import (
    ATTACHMENT_PATHS,
    AttachmentKind,
    AttachmentRef,
    Download,
    attachment_refs,
    download_attachment,
)
from fetch.client import BytesResponse, ClientStats, ComplianceClient, RetryEvent
from fetch.directory import ORG_USERS_PATH, ORGS_PATH, iter_org_users, iter_organizations, resolve_user
from fetch.errors import (
    AttachmentCorruptError,
    AttachmentError,
    AttachmentGoneError,
    AttachmentTooLargeError,
    ChatSkipError,
    FatalFetchError,
    FetchConfigError,
    FetchError,
    MessageCursorRejectedError,
    RetriableFetchError,
)
from fetch.models import Activity, ActivityPage
from fetch.pagination import CursorPaginator, PageTokenPaginator
from fetch.ratelimit import BudgetStats, RequestBudget
from fetch.streams import (
    CHATS_PATH,
    MESSAGES_PATH,
    FetchedChat,
    fetch_chat,
    fetch_chat_since,
    iter_changed_chat_pages,
    iter_user_chat_pages,
    rfc3339z,
)

__all__ = [
    "ACTIVITIES_PATH",
    "ATTACHMENT_PATHS",
    "CHATS_PATH",
    "MESSAGES_PATH",
    "ORGS_PATH",
    "ORG_USERS_PATH",
    "Activity",
    "ActivityPage",
    "AttachmentCorruptError",
    "AttachmentError",
    "AttachmentGoneError",
    "AttachmentKind",
    "AttachmentRef",
    "AttachmentTooLargeError",
    "BudgetStats",
    "BytesResponse",
    "ChatSkipError",
    "ClientStats",
    "ComplianceClient",
    "CursorPaginator",
    "Download",
    "FatalFetchError",
    "FetchConfigError",
    "FetchError",
    "FetchedChat",
    "MessageCursorRejectedError",
    "PageTokenPaginator",
    "RequestBudget",
    "RetriableFetchError",
    "RetryEvent",
    "attachment_refs",
    "download_attachment",
    "fetch_chat",
    "fetch_chat_since",
    "iter_activity_pages",
    "iter_changed_chat_pages",
    "iter_org_users",
    "iter_organizations",
    "iter_user_chat_pages",
    "resolve_user",
    "rfc3339z",
]
