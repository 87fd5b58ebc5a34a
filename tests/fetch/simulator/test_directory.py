"""Organizations and organization users: page-token pagination and the documented 404."""

from __future__ import annotations

from typing import Any

import pytest

from fetch.models import OrganizationsPage, OrgUsersPage
from tests.fetch.simulator.conftest import ORGS, Served, error_of


def _pages(served: Served, path: str, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    token = None
    for _ in range(50):
        body = served.get(path, **params, **({"page": token} if token else {})).json()
        pages.append(body)
        token = body["next_page"]
        assert body["has_more"] is (token is not None)
        if token is None:
            return pages
    raise AssertionError("pagination did not end")


def test_organizations_list(shared: Served) -> None:
    body = shared.get(ORGS).json()
    page = OrganizationsPage.model_validate(body)
    assert [o.uuid for o in page.data] == [u.uuid for u in shared.org.org_units]
    assert body["has_more"] is False and body["next_page"] is None
    assert set(body["data"][0]) == {"uuid", "name", "created_at"}
    one_by_one = _pages(shared, ORGS, limit=1)
    assert [p["data"][0]["uuid"] for p in one_by_one] == [o.uuid for o in page.data]


@pytest.mark.parametrize("limit", [1, 2, 500])
def test_users_of_each_org_page_by_join_date(shared: Served, limit: int) -> None:
    for unit in shared.org.org_units:
        pages = _pages(shared, f"{ORGS}/{unit.uuid}/users", limit=limit)
        users = [u for p in pages for u in OrgUsersPage.model_validate(p).data]
        expected = shared.org.members(unit.uuid)
        assert [u.id for u in users] == [u.id for u in expected] and users
        assert [u.created_at for u in users] == sorted(u.created_at for u in users)  # type: ignore[type-var]
        assert {u.organization_role for u in users} <= {
            "admin",
            "billing",
            "claude_code_user",
            "developer",
            "managed",
            "membership_admin",
            "owner",
            "primary_owner",
            "user",
        }
    everyone = {u.id for unit in shared.org.org_units for u in shared.org.members(unit.uuid)}
    assert everyone == {u.id for u in shared.org.users}


def test_default_user_limit_is_500(served: Served) -> None:
    body = served.get(f"{ORGS}/{served.org.parent.uuid}/users").json()
    assert len(body["data"]) == len(served.org.members(served.org.parent.uuid)) and body["next_page"] is None


@pytest.mark.parametrize("ident", ["5a1b2c3d-4e5f-6789-abcd-ef0123456789", "not-a-uuid", "ORG_ID"])
def test_unknown_org_is_the_documented_404(shared: Served, ident: str) -> None:
    ident = shared.org.parent.org_id if ident == "ORG_ID" else ident  # the path takes the bare UUID only
    assert error_of(shared.get(f"{ORGS}/{ident}/users")) == (
        404,
        "not_found_error",
        f'The "{ident}" organization does not exist or the requester is not authorized to access it.',
    )


def test_bad_page_tokens_and_limits(shared: Served) -> None:
    parent, linked = shared.org.org_units
    token = shared.get(f"{ORGS}/{parent.uuid}/users", limit=1).json()["next_page"]
    assert token and token.startswith("page_")
    for path, page in (
        (f"{ORGS}/{linked.uuid}/users", token),
        (ORGS, token),
        (ORGS, "page_garbage"),
        (ORGS, "x"),
    ):
        assert error_of(shared.get(path, page=page)) == (
            400,
            "invalid_request_error",
            "The page parameter is not a valid cursor for this request.",
        )
    for path in (ORGS, f"{ORGS}/{parent.uuid}/users"):
        assert error_of(shared.get(path, limit=1001)) == (
            400,
            "invalid_request_error",
            "The limit parameter must be between 1 and 1000, inclusive. Got 1001.",
        )
