"""Paginators: what they send, when they stop, and how they refuse to loop."""

from __future__ import annotations

import pytest

from fetch import CursorPaginator, PageTokenPaginator
from fetch.errors import FetchConfigError, MalformedResponseError, PageCapError, PaginationLoopError
from fetch.models import CursorPage, TokenPage


def cpage(last_id: str | None, has_more: bool) -> CursorPage:
    return CursorPage(has_more=has_more, first_id=last_id, last_id=last_id)


def test_cursor_walk_sends_each_last_id_and_ends() -> None:
    pag = CursorPaginator()
    sent = []
    for page in [cpage("c1", True), cpage("c2", True), cpage("c3", False)]:
        sent.append(pag.params())
        pag.advance(page)
    assert sent == [[], [("after_id", "c1")], [("after_id", "c2")]]
    assert pag.finished and pag.cursor == "c3" and pag.pages == 3


def test_cursor_starts_from_a_stored_cursor() -> None:
    pag = CursorPaginator(start="stored")
    assert pag.cursor == "stored" and pag.params() == [("after_id", "stored")]


def test_empty_final_page_keeps_the_previous_cursor() -> None:
    pag = CursorPaginator(start="stored")
    pag.advance(cpage(None, False))
    assert pag.finished and pag.cursor == "stored"


def test_has_more_without_last_id_is_malformed() -> None:
    pag = CursorPaginator(path_template="/v1/compliance/apps/chats")
    with pytest.raises(MalformedResponseError) as info:
        pag.advance(cpage(None, True))
    assert info.value.code == "missing_cursor" and info.value.path_template == "/v1/compliance/apps/chats"


@pytest.mark.parametrize(
    ("start", "pages"),
    [(None, [cpage("a", True), cpage("a", True)]),
     (None, [cpage("a", True), cpage("b", True), cpage("a", True)]),
     ("stored", [cpage("stored", True)])],
)  # fmt: skip
def test_repeated_cursor_is_a_loop(start: str | None, pages: list[CursorPage]) -> None:
    pag = CursorPaginator(start=start)
    with pytest.raises(PaginationLoopError) as info:
        for page in pages:
            pag.params()
            pag.advance(page)
    assert info.value.code == "pagination_loop"


def test_repeat_on_the_final_page_is_harmless() -> None:
    # has_more false: no further request would be made, so nothing can loop
    pag = CursorPaginator(start="stored")
    pag.advance(cpage("stored", False))
    assert pag.finished


def test_page_cap() -> None:
    pag = CursorPaginator(max_pages=2)
    pag.advance(cpage("a", True))
    pag.params()
    pag.advance(cpage("b", True))
    with pytest.raises(PageCapError) as info:
        pag.params()
    assert "2 pages" in str(info.value)


def test_page_cap_not_hit_when_the_last_page_is_the_cap() -> None:
    pag = CursorPaginator(max_pages=2)
    pag.advance(cpage("a", True))
    pag.advance(cpage("b", False))
    assert pag.finished


def test_misuse_after_finish_is_a_programming_error() -> None:
    pag = CursorPaginator()
    pag.advance(cpage("a", False))
    with pytest.raises(RuntimeError):
        pag.params()
    with pytest.raises(RuntimeError):
        pag.advance(cpage("b", False))


@pytest.mark.parametrize("cls", [CursorPaginator, PageTokenPaginator])
def test_max_pages_must_be_positive(cls: type[CursorPaginator] | type[PageTokenPaginator]) -> None:
    with pytest.raises(FetchConfigError):
        cls(max_pages=0)


@pytest.mark.parametrize(
    ("page", "finished", "token"),
    [
        (TokenPage(has_more=True, next_page="p2"), False, "p2"),
        (TokenPage(has_more=None, next_page="p2"), False, "p2"),  # sessions-style: no has_more at all
        (TokenPage(has_more=True, next_page=None), True, None),
        (TokenPage(has_more=False, next_page="p2"), True, None),
        (TokenPage(), True, None),
    ],
)
def test_token_paginator_stop_rules(page: TokenPage, finished: bool, token: str | None) -> None:
    pag = PageTokenPaginator()
    assert pag.params() == []
    pag.advance(page)
    assert pag.finished is finished and pag.token == token
    if not finished:
        assert pag.params() == [("page", token)]


def test_token_paginator_detects_loops_and_caps() -> None:
    pag = PageTokenPaginator()
    pag.advance(TokenPage(has_more=True, next_page="p2"))
    with pytest.raises(PaginationLoopError):
        pag.advance(TokenPage(has_more=True, next_page="p2"))
    capped = PageTokenPaginator(max_pages=1)
    capped.advance(TokenPage(has_more=True, next_page="p2"))
    with pytest.raises(PageCapError):
        capped.params()
