"""Paginators that own cursor state: what to send next, when to stop, and when the API misbehaves.

A paginator is advanced only with a page that was fetched and validated, so a 429 or 5xx (which
raise before any page exists) can never move a cursor: the retry sends the same one again.
Every cursor or token seen is remembered; a repeat is an error, not an endless loop.
"""

from __future__ import annotations

from fetch.errors import FetchConfigError, MalformedResponseError, PageCapError, PaginationLoopError
from fetch.models import CursorPage, TokenPage

DEFAULT_MAX_PAGES = 100_000


class _Paginator:
    """Shared state: tokens seen, pages taken, the page cap and the finished flag."""

    param_name = ""

    def __init__(
        self,
        max_pages: int = DEFAULT_MAX_PAGES,
        *,
        start: str | None = None,
        path_template: str | None = None,
    ) -> None:
        if max_pages < 1:
            raise FetchConfigError("max_pages must be at least 1", code="bad_max_pages")
        self.max_pages = max_pages
        self.path_template = path_template
        self.pages = 0
        self.finished = False
        self._token = start
        self._seen: set[str] = {start} if start else set()

    def params(self) -> list[tuple[str, str]]:
        """Query parameters for the next request; raises PageCapError past ``max_pages``."""
        if self.finished:
            raise RuntimeError("the paginator has finished; there is no next page")
        if self.pages >= self.max_pages:
            raise PageCapError(
                f"stopped after {self.pages} pages (cap {self.max_pages})", path_template=self.path_template
            )
        return [(self.param_name, self._token)] if self._token else []

    def _take(self, token: str | None, more: bool) -> None:
        """Record one fetched page whose next token is ``token`` and whose has-more flag is ``more``."""
        if self.finished:
            raise RuntimeError("advance() called after the last page")
        self.pages += 1
        if not more:
            self.finished = True
            if token:
                self._token = token
            return
        if token is None:
            raise MalformedResponseError(
                f"page {self.pages} says there is more but gives no {self.param_name}",
                code="missing_cursor",
                path_template=self.path_template,
            )
        if token in self._seen:
            raise PaginationLoopError(
                f"page {self.pages} repeated a {self.param_name} already seen",
                path_template=self.path_template,
            )
        self._seen.add(token)
        self._token = token


class CursorPaginator(_Paginator):
    """``after_id``/``last_id``/``has_more`` pagination (chats, chat messages, activities)."""

    param_name = "after_id"

    @property
    def cursor(self) -> str | None:
        """The last ``last_id`` seen (or the start cursor): the value to persist."""
        return self._token

    def advance(self, page: CursorPage) -> None:
        """Move past ``page``; an empty final page (``last_id`` null) keeps the current cursor."""
        self._take(page.last_id, page.has_more)


class PageTokenPaginator(_Paginator):
    """``page``/``next_page`` pagination (directory endpoints)."""

    param_name = "page"

    @property
    def token(self) -> str | None:
        """The page token the next request sends."""
        return self._token

    def advance(self, page: TokenPage) -> None:
        """Move past ``page``: stop when ``next_page`` is null or ``has_more`` is false."""
        more = page.next_page is not None and page.has_more is not False
        self._take(page.next_page if more else None, more)
