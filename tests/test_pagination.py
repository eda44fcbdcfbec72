"""Every paged list goes through core/pagination.py (Flask-SQLAlchemy's `db.paginate`)."""

from __future__ import annotations

import pathlib

import pytest
from sqlalchemy import select

from blueprints.units.models import Unit
from core.pagination import page_number, pager, paginate

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Ranked full-text search pages inside its own SQL (bm25 / ts_rank), not through a pager query.
OWN_PAGING = {"blueprints/handbook/search.py"}


def test_no_hand_written_pager():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "blueprints").rglob("*.py")
        if ".offset(" in path.read_text(encoding="utf-8")
        and str(path.relative_to(ROOT)) not in OWN_PAGING
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 1),
        ("page=3", 3),
        ("page=0", 1),
        ("page=-4", 1),
        ("page=abc", 1),
        ("page=" + "9" * 23, 1),
    ],
)
def test_page_number_from_the_query(app, query, expected):
    with app.test_request_context("/?" + query):
        assert page_number() == expected


def test_pages_of_entities_and_of_rows(app, world):
    with app.test_request_context("/?page=2"):
        stmt = select(Unit).order_by(Unit.code)
        second = paginate(stmt, 3)
        assert [u.code for u in second.items] == ["D1", "D2", "G1"]
        assert pager(second) == {"current_page": 2, "pages": 3}
        rows = paginate(select(Unit.code, Unit.kind).order_by(Unit.code), 3, rows=True)
        assert tuple(rows.items[0]) == ("D1", "committee")
        empty = paginate(stmt.where(Unit.code == "none"), 3, page=1)
        assert empty.items == [] and pager(empty) == {"current_page": 1, "pages": 1}
