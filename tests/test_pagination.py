"""Every paged list goes through core/pagination.py (Flask-SQLAlchemy's `db.paginate`)."""

from __future__ import annotations

import pathlib

import pytest
from sqlalchemy import select

from blueprints.units.models import Unit
from core.pagination import page_number, pager, paginate, paginate_list

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
        assert pager(second) == {
            "current_page": 2,
            "pages": 3,
            "page_arg": "page",
            "pager_target": "",
        }
        rows = paginate(select(Unit.code, Unit.kind).order_by(Unit.code), 3, rows=True)
        assert tuple(rows.items[0]) == ("D1", "committee")
        empty = paginate(stmt.where(Unit.code == "none"), 3, page=1)
        assert empty.items == [] and pager(empty)["pages"] == 1


def test_a_list_in_memory_is_paged_with_its_own_argument(app):
    with app.test_request_context("/?ranked_page=2&page=9"):
        listed = paginate_list(list(range(45)), 20, arg="ranked_page")
        assert listed.items == list(range(20, 40)) and listed.total == 45 and listed.pages == 3
        assert pager(listed, "ranked_page", "part-ranked") == {
            "current_page": 2,
            "pages": 3,
            "page_arg": "ranked_page",
            "pager_target": "part-ranked",
        }
    with app.test_request_context("/?page=7"):  # past the end: the last page, not an empty one
        listed = paginate_list(range(45), 20)
        assert listed.page == 3 and list(listed.items) == list(range(40, 45))
        assert paginate_list([], 20).items == [] and pager(paginate_list([], 20))["pages"] == 1
