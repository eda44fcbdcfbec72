"""The dashboards' figures, summed in SQL from the monthly table (models.DashboardMonth).

A page needs: the unit's total for a month, one total per direct sub-unit (each its whole
subtree, whatever the depth), the unit's last 12 months, and the cells that did not meet.
The sums are kept in rollup rows (see models.py), so each is a lookup of a few rows by unit,
parent or month, and the province page costs the same handful of queries as a cell's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from flask import g, has_request_context
from sqlalchemy import Select, and_, or_, select

from blueprints.adoption.counting import GRADE_FLOORS
from blueprints.adoption.models import CELL_COLUMNS, COUNT_COLUMNS, DashboardMonth
from blueprints.adoption.months import months_back, this_month
from blueprints.adoption.refresh import refresh_month
from blueprints.meetings.services import grade
from blueprints.units.models import Unit, UnitKind, subtree_clause
from core.extensions import db
from core.i18n import fmt_number, fmt_percent
from core.models import utcnow
from core.text import fold, text_sort_key

# A subtree this small is recounted on view when its figures are older than STALE (a cell's
# secretary sees today's sign-ins); larger ones rely on the meeting hook and the nightly job.
LIVE_CELLS = 300
STALE = timedelta(minutes=10)
MARKED = 3  # best and weakest units marked in ranked tables


def ratio(part: int | None, whole: int | None) -> str:
    """ "51.500/55.795 — 92,3%", or just the count when there is nothing to divide by."""
    if not whole:
        return fmt_number(part or 0)
    return f"{fmt_number(part or 0)}/{fmt_number(whole)} — {fmt_percent((part or 0) / whole)}"


def share(part: int | None, whole: int | None) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return (part or 0) / whole if whole else None


@dataclass
class Figures:
    """Sums over a group of cells for one month (or per month in a history)."""

    unit: Unit | UnitRef | None = None
    month: date | None = None
    cells: int = 0
    cells_met: int = 0
    cells_regular: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    mark: str = ""  # "best", "weakest" or "" in a ranked table
    position: int | None = None  # 1 for the best in a ranked table; None when not ranked

    def __post_init__(self) -> None:
        # Each count as a plain attribute (f.installed): read thousands of times per page, and
        # set in one update (a province page builds a Figures per sub-unit).
        self.__dict__.update(_ZERO_COUNTS, **self.counts)

    @property
    def denominator(self) -> int:
        """Members counted in the adjusted rates: all but the exempt and those with no phone."""
        return max(0, self.members - self.exempt - self.no_smartphone)

    @property
    def install_rate(self) -> float | None:
        """Installed over the adjusted denominator (what the committees report)."""
        return share(self.installed, self.denominator)

    @property
    def average_score(self) -> int | None:
        """Mean quality score of the month's meetings held in the app (None without any)."""
        return round(self.score_total / self.scored) if self.scored else None

    @property
    def grade(self) -> str:
        score = self.average_score
        return "" if score is None else _grade_word(score)

    @property
    def average_rating(self) -> float | None:
        """Members' own ratings: mean of the three 1–5 marks."""
        return self.rating_points / (3 * self.ratings) if self.ratings else None

    @property
    def cells_thematic(self) -> int:
        """Cells that held a thematic meeting this quarter, up to this month."""
        return self.thematic_quarter

    @property
    def cells_not_met(self) -> int:
        return self.cells - self.cells_met


_ZERO_COUNTS = dict.fromkeys((c for c in COUNT_COLUMNS if c not in CELL_COLUMNS), 0)


def _grade_word(score: int) -> str:
    """The grade's word, translated once per request for each band (a province's tables ask
    for ~150 grades, and each gettext call costs more than the rest of the row)."""
    floor = next((f for _name, f in GRADE_FLOORS if score >= f), 0)
    if not has_request_context():
        return grade(floor)
    words = g.setdefault("adoption_grade_words", {})
    if floor not in words:
        words[floor] = grade(floor)
    return words[floor]


def _columns():
    """The counted columns of a rollup row."""
    return [getattr(DashboardMonth, c) for c in COUNT_COLUMNS]


def _figures(row, **kw) -> Figures:
    if row is None:
        return Figures(**kw)
    counts = {c: int(row[c] or 0) for c in COUNT_COLUMNS}
    return Figures(
        cells=counts.pop("cells"),
        cells_met=counts.pop("cells_met"),
        cells_regular=counts.pop("cells_regular"),
        counts=counts,
        **kw,
    )


def _rollup(month: date | None = None):
    """Rollup rows (the unit's whole subtree), optionally of one month."""
    where = [DashboardMonth.leaf.is_(False)]
    if month is not None:
        where.append(DashboardMonth.month == month)
    return where


def total(unit: Unit, month: date) -> Figures:
    """The unit's whole subtree for `month`: its rollup row."""
    row = (
        db.session.execute(
            select(*_columns()).where(*_rollup(month), DashboardMonth.unit_id == unit.id)
        )
        .mappings()
        .first()
    )
    return _figures(row, unit=unit, month=month)


class UnitRef(NamedTuple):
    """What a sub-unit's row needs of the unit (no ORM object: a province has ~130)."""

    id: int
    code: str
    name: str


def by_sub_unit(unit: Unit, month: date) -> list[Figures]:
    """One total per direct sub-unit (its whole subtree), sorted by name; one query."""
    figures = DashboardMonth.__table__
    stmt = (
        select(Unit.id, Unit.code, Unit.name, *(figures.c[c] for c in COUNT_COLUMNS))
        .outerjoin(
            figures,
            and_(figures.c.unit_id == Unit.id, figures.c.month == month, figures.c.leaf.is_(False)),
        )
        .where(Unit.parent_id == unit.id)
    )
    out = []
    for row in db.session.execute(stmt).mappings():
        ref = UnitRef(row["id"], row["code"], row["name"])
        out.append(_figures(row if row["members"] is not None else None, unit=ref, month=month))
    return sorted(out, key=lambda f: _name_key(f.unit.name))


# The Vietnamese sort key of a unit name (a pure function of the text, so safe to keep between
# requests): a province page sorts its 130 sub-units on every view.
_name_key = lru_cache(maxsize=8192)(text_sort_key)


def history(unit: Unit, months: int = 12) -> list[Figures]:
    """The unit's totals for each of the last `months` months, oldest first (gaps as zeros)."""
    wanted = list(reversed(months_back(months)))
    stmt = select(DashboardMonth.month, *_columns()).where(
        *_rollup(),
        DashboardMonth.unit_id == unit.id,
        DashboardMonth.month >= wanted[0],
    )
    found = {r["month"]: r for r in db.session.execute(stmt).mappings()}
    return [_figures(found.get(m), unit=unit, month=m) for m in wanted]


def cells_not_met(unit: Unit, month: date, q: str = "") -> Select:
    """(cell, parent) names of the subtree's cells with no meeting closed in `month`, in tree
    order (the cells of one committee together; the month-and-path index gives that order
    without sorting Hà Nội's thousands); `q` keeps those whose name or parent's name, without
    diacritics, contains it. The same leaf rows the rollup counts as `cells_not_met`."""
    parent = Unit.__table__.alias("parent")
    stmt = (
        select(Unit.name, parent.c.name)
        .join(DashboardMonth, DashboardMonth.unit_id == Unit.id)
        .outerjoin(parent, parent.c.id == Unit.parent_id)
        .where(
            DashboardMonth.month == month,
            DashboardMonth.leaf.is_(True),
            DashboardMonth.held == 0,
            subtree_clause(DashboardMonth.path, unit.path),
        )
        .order_by(DashboardMonth.path)
    )
    if q:
        wanted = fold(q)
        stmt = stmt.where(
            or_(
                Unit.name_search.contains(wanted, autoescape=True),
                parent.c.name_search.contains(wanted, autoescape=True),
            )
        )
    return stmt


def rank(rows: list[Figures], key) -> list[Figures]:
    """`rows` ordered by `key` (highest first, None last), each numbered by its place among
    all of them (equal values share a place) and the best and weakest marked."""
    keyed = [(key(r), r) for r in rows]  # each key computed once
    ordered = sorted((kr for kr in keyed if kr[0] is not None), key=lambda kr: kr[0], reverse=True)
    for r in rows:
        r.mark, r.position = "", None
    for place, (value, r) in enumerate(ordered, 1):
        tied = place > 1 and ordered[place - 2][0] == value
        r.position = ordered[place - 2][1].position if tied else place
    scored = [r for _value, r in ordered]
    marked = min(MARKED, len(scored) // 2)
    for r in scored[:marked]:
        r.mark = "best"
    for r in scored[len(scored) - marked :]:
        r.mark = "weakest"
    return scored + [r for value, r in keyed if value is None]


def ensure_fresh(unit: Unit, month: date) -> None:
    """Fill the month's rows for the subtree when missing; recount a small one when stale.

    The unit's rollup row tells both in one lookup: it is rewritten whenever a cell below is
    (so its time is the latest refresh under it) and it counts the cells under it."""
    rollup = db.session.execute(
        select(DashboardMonth.refreshed_at, DashboardMonth.cells).where(
            *_rollup(month), DashboardMonth.unit_id == unit.id
        )
    ).first()
    current = month == this_month()
    if rollup is not None and not (
        current and rollup.cells <= LIVE_CELLS and utcnow() - rollup.refreshed_at > STALE
    ):
        return
    cells = list(
        db.session.scalars(
            select(Unit.id).where(subtree_clause(Unit.path, unit.path), Unit.kind == UnitKind.CELL)
        )
    )
    if cells:
        refresh_month(month, cells)
        db.session.commit()


def offered_months() -> list[date]:
    """The months a user can pick: this one and the eleven before it."""
    return months_back(12)
