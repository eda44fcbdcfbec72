"""Paged lists: every list with a pager asks Flask-SQLAlchemy's `db.paginate` for one page.

The page number comes from the `page` query argument as before (nonsense, zero, negative and
huge numbers count as 1, so a crafted URL never reaches the database as an out-of-range
integer), and every list renders the shared `templates/_pager.html` with `current_page` and
`pages`.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from core.extensions import db
from core.ids import db_int


def page_number() -> int:
    """The `page` query number, at least 1 (nonsense and huge numbers count as 1)."""
    return max(1, request.args.get("page", 1, type=db_int) or 1)


class _RowPagination(SelectPagination):
    """A page of rows holding several columns (a model and joined values), not one entity."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(
    stmt: Select, per_page: int, *, page: int | None = None, rows: bool = False, count: bool = True
) -> Pagination:
    """One page of `stmt` (ordered by the caller); `rows` for multi-column selects, `count`
    False when the caller counts by itself (the audit log caps its count)."""
    args = {
        "page": page or page_number(),
        "per_page": per_page,
        "max_per_page": per_page,
        "error_out": False,
        "count": count,
    }
    if rows:
        return _RowPagination(select=stmt, session=db.session(), **args)
    return db.paginate(stmt, **args)


def pager(pagination: Pagination) -> dict[str, int]:
    """What `_pager.html` reads: the current page and the number of pages (at least 1)."""
    return {"current_page": pagination.page, "pages": max(pagination.pages, 1)}
