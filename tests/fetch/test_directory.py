"""Organisations, their users, and resolving an email or user id across organisations."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from fetch import iter_org_users, iter_organizations, resolve_user
from fetch.errors import FatalFetchError, PaginationLoopError, PermissionDeniedError, UserNotFoundError
from tests.fetch.conftest import err, make_client, ok


@dataclass
class FakeDirectory:
    """Two organisations, each listing users over two page-token pages."""

    orgs: dict[str, list[list[dict[str, str]]]] = field(default_factory=dict)
    deny: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert len(self.requests) < 100, "runaway directory walk"
        path = request.url.path
        if self.deny:
            return err(403, "permission_error", "Missing required scopes.")
        if path == "/v1/compliance/organizations":
            names = list(self.orgs)
            # organizations come over two pages as well
            if request.url.params.get("page") == "orgs_p2":
                return ok({"data": [{"uuid": names[1]}], "has_more": False, "next_page": None})
            return ok({"data": [{"uuid": names[0]}], "has_more": True, "next_page": "orgs_p2"})
        org = path.split("/")[4]
        pages = self.orgs[org]
        index = int(request.url.params.get("page", "page_0").removeprefix("page_"))
        more = index + 1 < len(pages)
        return ok(
            {"data": pages[index], "has_more": more, "next_page": f"page_{index + 1}" if more else None}
        )


@pytest.fixture
def directory() -> FakeDirectory:
    def user(n: int, email: str) -> dict[str, str]:
        return {
            "id": f"user_{n:03d}",
            "email": email,
            "full_name": f"Person {n}",
            "organization_role": "user",
        }

    return FakeDirectory(
        orgs={
            "org-one": [[user(1, "ann@corp.example")], [user(2, "ben@corp.example")]],
            "org-two": [
                [user(3, "cat@corp.example")],
                [user(4, "Dee.Smith@Corp.Example"), user(5, "eve@x.example")],
            ],
        }
    )


def test_iter_organizations_follows_page_tokens(directory: FakeDirectory) -> None:
    with make_client(directory) as client:
        assert [o.uuid for o in iter_organizations(client)] == ["org-one", "org-two"]
    assert [r.url.params.get("page") for r in directory.requests] == [None, "orgs_p2"]
    assert all(r.url.params["limit"] == "1000" for r in directory.requests)


def test_iter_org_users_follows_page_tokens(directory: FakeDirectory) -> None:
    with make_client(directory) as client:
        users = list(iter_org_users(client, "org-two"))
    assert [u.id for u in users] == ["user_003", "user_004", "user_005"]
    assert [r.url.path for r in directory.requests] == ["/v1/compliance/organizations/org-two/users"] * 2


@pytest.mark.parametrize(
    ("query", "user_id"),
    [("dee.smith@corp.example", "user_004"), ("  DEE.SMITH@CORP.EXAMPLE ", "user_004"),
     ("ann@corp.example", "user_001"), ("eve@x.example", "user_005")],
)  # fmt: skip
def test_resolve_by_email_across_orgs_and_pages(directory: FakeDirectory, query: str, user_id: str) -> None:
    with make_client(directory) as client:
        user = resolve_user(client, query)
    assert user.id == user_id


@pytest.mark.parametrize("query", ["dee.smith@corp.exampl", "ann@corp.example.org", "nobody@corp.example"])
def test_unknown_email_is_user_not_found_without_the_email(directory: FakeDirectory, query: str) -> None:
    with make_client(directory) as client, pytest.raises(UserNotFoundError) as info:
        resolve_user(client, query)
    exc = info.value
    assert isinstance(exc, FatalFetchError) and exc.code == "user_not_found"
    assert "no user matches the given email" in str(exc)
    assert query.strip() not in str(exc) + repr(exc)


def test_user_id_found_in_the_directory_comes_back_whole(directory: FakeDirectory) -> None:
    with make_client(directory) as client:
        user = resolve_user(client, "user_004")
    assert user.email == "Dee.Smith@Corp.Example"


def test_user_id_not_in_the_directory_is_used_as_given(directory: FakeDirectory) -> None:
    with make_client(directory) as client:
        user = resolve_user(client, "user_removed")
    assert user.id == "user_removed" and user.email is None


def test_user_id_with_an_unreadable_directory_is_used_as_given(directory: FakeDirectory) -> None:
    directory.deny = True
    with make_client(directory) as client:
        assert resolve_user(client, "user_004").id == "user_004"


def test_email_with_an_unreadable_directory_is_refused(directory: FakeDirectory) -> None:
    directory.deny = True
    with make_client(directory) as client, pytest.raises(PermissionDeniedError):
        resolve_user(client, "ann@corp.example")


@pytest.mark.parametrize("query", ["ann", "", "   ", "claude_chat_1"])
def test_neither_id_nor_email(directory: FakeDirectory, query: str) -> None:
    with make_client(directory) as client, pytest.raises(UserNotFoundError):
        resolve_user(client, query)
    assert directory.requests == []


def test_directory_token_loop_is_stopped() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        return ok({"data": [{"uuid": "o"}], "has_more": True, "next_page": "same"})

    with make_client(loop) as client, pytest.raises(PaginationLoopError):
        list(iter_organizations(client))
