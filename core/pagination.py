"""Paged lists: every list with a pager asks Flask-SQLAlchemy's `db.paginate` for one page.

The page number comes from the `page` query argument as before (nonsense, zero, negative and
huge numbers count as 1, so a crafted URL never reaches the database as an out-of-range
integer), and every list renders the shared `templates/_pager.html` with `current_page` and
`pages`. A page holding several paged lists gives each its own argument (`page_arg`), and a
list swapped by htmx names the element its pager links replace (`pager_target`).

A list already in memory (ranked in Python over every row, say) is paged by `paginate_list`,
with the same pager.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from core.extensions import db
from core.ids import db_int


def page_number(arg: str = "page") -> int:
    """The `arg` query number, at least 1 (nonsense and huge numbers count as 1)."""
    return max(1, request.args.get(arg, 1, type=db_int) or 1)


class _RowPagination(SelectPagination):
    """A page of rows holding several columns (a model and joined values), not one entity."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(
    stmt: Select,
    per_page: int,
    *,
    page: int | None = None,
    rows: bool = False,
    count: bool = True,
    total: int | None = None,
) -> Pagination:
    """One page of `stmt` (ordered by the caller); `rows` for multi-column selects, `count`
    False when the caller counts by itself (the audit log caps its count), `total` when the
    caller already knows the count (the dashboards read it from a rollup row)."""
    args = {
        "page": page or page_number(),
        "per_page": per_page,
        "max_per_page": per_page,
        "error_out": False,
        "count": count and total is None,
    }
    if rows:
        listed = _RowPagination(select=stmt, session=db.session(), **args)
    else:
        listed = db.paginate(stmt, **args)
    if total is not None:
        listed.total = total
    return listed


class _ListPagination(Pagination):
    """A page of a list already in memory; a page past the end shows the last one (a search
    that narrows the list keeps the reader on a page with rows)."""

    def __init__(self, items: Sequence[Any], page: int, per_page: int) -> None:
        last = max(1, -(-len(items) // per_page))
        super().__init__(page=min(page, last), per_page=per_page, max_per_page=per_page,
                         error_out=False, all_items=items)  # fmt: skip

    def _query_items(self) -> list[Any]:
        items = self._query_args["all_items"]
        return list(items[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["all_items"])


def paginate_list(
    items: Sequence[Any], per_page: int, *, arg: str = "page", page: int | None = None
) -> Pagination:
    """One page of `items` (page number from the `arg` query argument unless given)."""
    return _ListPagination(items, page or page_number(arg), per_page)


def pager(pagination: Pagination, arg: str = "page", target: str = "") -> dict[str, Any]:
    """What `_pager.html` reads: the current page, the number of pages (at least 1), the query
    argument holding the page and, for htmx, the id of the element the links swap."""
    return {
        "current_page": pagination.page,
        "pages": max(pagination.pages, 1),
        "page_arg": arg,
        "pager_target": target,
    }
