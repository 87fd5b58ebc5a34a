"""The directory: organisations, their users, and turning an email or user id into a user.

No endpoint filters by email (reference §8), so an email is matched against every organisation's
member list, one page at a time. Emails are personal data: they are never logged or put in errors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TypeVar

from fetch.client import ComplianceClient
from fetch.errors import NotFoundError, PermissionDeniedError, UserNotFoundError
from fetch.models import Organization, OrganizationsPage, OrgUser, OrgUsersPage, TokenPage
from fetch.pagination import DEFAULT_MAX_PAGES, PageTokenPaginator
from fetch.parsing import validate

log = logging.getLogger("chatsift.fetch")

ORGS_PATH = "/v1/compliance/organizations"
ORG_USERS_PATH = "/v1/compliance/organizations/{org_uuid}/users"
_DIRECTORY_LIMIT = "1000"

P = TypeVar("P", bound=TokenPage)


def iter_organizations(
    client: ComplianceClient, *, max_pages: int = DEFAULT_MAX_PAGES
) -> Iterator[Organization]:
    """Every organisation the key can see, oldest first."""
    for page in _token_pages(client, ORGS_PATH, OrganizationsPage, {}, max_pages):
        yield from page.data


def iter_org_users(
    client: ComplianceClient, org_uuid: str, *, max_pages: int = DEFAULT_MAX_PAGES
) -> Iterator[OrgUser]:
    """Every current member of one organisation."""
    path_params = {"org_uuid": org_uuid}
    for page in _token_pages(client, ORG_USERS_PATH, OrgUsersPage, path_params, max_pages):
        yield from page.data


def _token_pages(
    client: ComplianceClient, template: str, model: type[P], path_params: dict[str, str], max_pages: int
) -> Iterator[P]:
    paginator = PageTokenPaginator(max_pages, path_template=template)
    base: Sequence[tuple[str, str]] = [("limit", _DIRECTORY_LIMIT)]
    while not paginator.finished:
        body = client.get_json(template, [*base, *paginator.params()], path_params=path_params)
        page = validate(model, body, path_template=template)
        paginator.advance(page)
        yield page


def resolve_user(client: ComplianceClient, email_or_id: str) -> OrgUser:
    """A ``user_…`` id (confirmed in the directory when readable) or an email matched case-insensitively."""
    ref = email_or_id.strip()
    if ref.startswith("user_"):
        return _confirm_user_id(client, ref)
    if "@" not in ref:
        raise UserNotFoundError("the argument is neither a user_… id nor an email address")
    target = ref.casefold()
    for org in iter_organizations(client):
        for user in iter_org_users(client, org.uuid):
            if user.email is not None and user.email.strip().casefold() == target:
                log.debug("resolved an email to user %s (organization %s)", user.id, org.uuid)
                return user
    raise UserNotFoundError("no user matches the given email")


def _confirm_user_id(client: ComplianceClient, user_id: str) -> OrgUser:
    # Removed members drop out of the directory but keep their chats, and a key may lack the
    # directory scope: an id that cannot be confirmed is still used as given.
    try:
        for org in iter_organizations(client):
            for user in iter_org_users(client, org.uuid):
                if user.id == user_id:
                    return user
    except (PermissionDeniedError, NotFoundError) as exc:
        log.info("directory not readable (%s); using user %s as given", exc.code, user_id)
        return OrgUser(id=user_id)
    log.info("user %s is not a current member of any organization; using it as given", user_id)
    return OrgUser(id=user_id)
