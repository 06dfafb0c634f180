"""Pages of a long list without counting it.

Django's Paginator counts the whole list on every page (`SELECT COUNT(*)`), which costs as much as
the list is long: at 100,000 cases it dominates the page. Here a page reads its rows and one
more, which tells whether a next page exists; the pages are numbered, without a total. The
template `_pages.html` shows the links (« Page précédente », « Page n », « Page suivante »).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

# Beyond this page the offset would make the database walk too far; nobody pages that deep.
LAST_PAGE = 10_000


@dataclass(frozen=True)
class Window:
    """One page of a list: its rows, its number, whether there is a next one. Answers the
    parts of django.core.paginator.Page that the templates use."""

    object_list: list[Any]
    number: int
    has_next: bool
    param: str = "page"  # the GET parameter that carries the page number

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), LAST_PAGE)


def window(
    rows: QuerySet[Any, Any], raw_page: str | None, per_page: int, param: str = "page"
) -> Window:
    """The page `raw_page` (a GET value: anything else than a number gives the first page) of
    `rows`, a queryset in a stable order. Past the end, the first page."""
    number = page_number(raw_page)
    start = (number - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    if not found and number > 1:
        number, found = 1, list(rows[: per_page + 1])
    return Window(found[:per_page], number, len(found) > per_page, param)


def other_parameters(query: QueryDict, *params: str) -> str:
    """The query string without the given parameters (the page numbers), for the links."""
    copy = query.copy()
    for param in params:
        copy.pop(param, None)
    return copy.urlencode()
