"""Limit/offset pages: {count, next, previous, results}, `limit` at most 100."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

MAX_LIMIT = 100
DEFAULT_LIMIT = 25


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Au plus 100")
    offset: int = Field(0, ge=0, le=2**31, description="Rang du premier résultat (0 d'abord)")


def _link(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), True)}")


def paginate[M: Model](
    request: HttpRequest,
    rows: QuerySet[M],
    page: PageParams,
    serialize: Callable[[Sequence[M]], list[Any]],
) -> dict[str, Any]:
    """The page asked for, of `rows` (already in a stable order); `serialize` turns the page's
    objects into dicts (its prefetches run once for the page)."""
    count = rows.count()
    items = list(rows[page.offset : page.offset + page.limit]) if page.offset < count else []
    end = page.offset + page.limit
    return {
        "count": count,
        "next": _link(request, page.limit, end) if end < count else None,
        "previous": (
            _link(request, page.limit, max(0, page.offset - page.limit))
            if page.offset > 0 and count
            else None
        ),
        "results": serialize(items),
    }
