"""Writing the monthly figures table (models.DashboardMonth): leaf rows per cell, then the
rollup rows of every unit above them, all as upserts (executemany).

`counting` counts a month per cell in a few grouped queries; Python only merges those results
into one row per cell. The rollup of a unit is one GROUP BY over the leaf rows of its subtree
(a range join on the unit paths, any depth). How the rows stay fresh:

- a meeting's close, the locking or reopening of its minutes call `store_quality`, which calls
  `refresh_after_score` in the same transaction: the cell's leaf row of that month (and of the
  later months of the quarter, whose thematic flag may change) and the rollups of its
  ancestors are rewritten before the commit, so every dashboard shows the meeting at once.
  Two closes committing at the same moment may each miss the other in a shared ancestor's
  sums; the next close below it or the nightly refresh puts that right;
- `flask dashboard refresh` (nightly) rewrites the current month for every cell, adoption
  included (accounts, sign-ins, installs, activity), and the meeting figures of the last 12
  months. A past month keeps the adoption counts its last refresh saw; a month never refreshed
  gets them estimated from the timestamps (account created, first install, last sign-in).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import and_, delete, func, select, text

from blueprints.adoption import counting
from blueprints.adoption.counting import GRADE_FLOORS
from blueprints.adoption.models import COUNT_COLUMNS, DashboardMonth
from blueprints.adoption.months import month_bounds, months_back, next_month, this_month
from blueprints.meetings.models import Meeting
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.jobs import periodic
from core.models import utcnow
from core.tree import path_ids

__all__ = ["GRADE_FLOORS", "refresh_after_score", "refresh_all", "refresh_month"]
KEY = ("unit_id", "month", "leaf")


def _upsert(rows: list[dict]) -> None:
    """Insert or replace rows by (unit_id, month, leaf), one executemany."""
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(DashboardMonth.__table__)
    changed = [c for c in rows[0] if c not in KEY]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY), set_={c: stmt.excluded[c] for c in changed}
    )
    db.session.execute(stmt, rows)


def _units(ids: Iterable[int] | None) -> dict[int, tuple[int | None, str, str]]:
    """Id → (parent id, path, kind) of the units listed (None: every cell)."""
    stmt = select(Unit.id, Unit.parent_id, Unit.path, Unit.kind)
    stmt = (
        stmt.where(Unit.id.in_(list(ids)))
        if ids is not None
        else stmt.where(Unit.kind == UnitKind.CELL)
    )
    return {uid: (parent, path, kind) for uid, parent, path, kind in db.session.execute(stmt)}


def _leaf_rows(month: date, cells: list[int] | None, live: bool) -> list[dict]:
    """The month's leaf rows of `cells` (None: every cell and every unit holding members)."""
    now = utcnow()
    if live:
        adoption = counting.adoption(cells, now)
    else:
        adoption = counting.kept_adoption(cells, month) or counting.adoption(
            cells, min(now, month_bounds(next_month(month))[0])
        )
    meetings = counting.meetings(cells, month)
    units = _units(cells)
    extra = (set(adoption) | set(meetings)) - set(units)
    if extra:
        units.update(_units(extra))
    zero = dict.fromkeys(COUNT_COLUMNS, 0)
    rows = []
    for uid, (parent, path, _kind) in units.items():
        row = zero | adoption.get(uid, {}) | meetings.get(uid, {})
        row |= {"cells": 1, "cells_met": int(row["held"] > 0)}
        row["cells_regular"] = int(row["regular_held"] > 0)
        rows.append(
            {"unit_id": uid, "leaf": True, "parent_id": parent, "path": path, "month": month}
            | {"refreshed_at": now}
            | row
        )
    return rows


def _rollup_rows(month: date, units: list[int] | None) -> list[dict]:
    """Each unit's subtree sums of the month's leaf rows (None: every unit)."""
    unit = Unit.__table__.alias("anc")
    leaf = DashboardMonth.__table__.alias("leaf")
    end = func.substr(unit.c.path, 1, func.length(unit.c.path) - 1).concat("0")
    stmt = (
        select(
            unit.c.id,
            unit.c.parent_id,
            unit.c.path,
            *(func.coalesce(func.sum(leaf.c[c]), 0).label(c) for c in COUNT_COLUMNS),
        )
        .select_from(unit)
        .join(
            leaf,
            and_(
                leaf.c.month == month,
                leaf.c.leaf.is_(True),
                leaf.c.path >= unit.c.path,
                leaf.c.path < end,
            ),
        )
        .group_by(unit.c.id, unit.c.parent_id, unit.c.path)
    )
    if units is not None:
        stmt = stmt.where(unit.c.id.in_(units))
    now = utcnow()
    return [
        {"unit_id": r.id, "leaf": False, "parent_id": r.parent_id, "path": r.path, "month": month}
        | {"refreshed_at": now}
        | {c: int(getattr(r, c) or 0) for c in COUNT_COLUMNS}
        for r in db.session.execute(stmt)
    ]


def _analyse() -> None:
    """Fresh planner statistics on PostgreSQL before the rollup's range join. Right after a
    first load (or a month rewritten whole) the table looks empty to the planner, which then
    scans every leaf row once per unit: minutes at Hà Nội's 19.000 cells instead of a second."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE dashboard_months"))


def refresh_month(month: date, cells: list[int] | None = None, *, live: bool | None = None) -> int:
    """Rewrite `month` for `cells` (None: everything) and the rollups above them.

    `live` (default: `month` is the current month) recounts adoption as of now; otherwise a
    past month keeps its stored adoption counts, estimated from timestamps when it has none.
    Returns how many rows were written.
    """
    live = month == this_month() if live is None else live
    leaves = _leaf_rows(month, cells, live)
    if cells is None:
        # Everything is recounted: rows of units gone or emptied since go too.
        db.session.execute(delete(DashboardMonth).where(DashboardMonth.month == month))
        _upsert(leaves)
        _analyse()
        rollups = _rollup_rows(month, None)
    else:
        _upsert(leaves)
        above = {uid for row in leaves for uid in path_ids(row["path"])}
        rollups = _rollup_rows(month, sorted(above))
    _upsert(rollups)
    return len(leaves) + len(rollups)


def refresh_all(months: int = 12) -> int:
    """The nightly refresh: every cell, the current month and the `months - 1` before it."""
    return sum(refresh_month(month) for month in months_back(months))


@periodic(hour="1", minute="0")
def nightly_refresh() -> None:
    """The job consumer's nightly run of `flask dashboard refresh` (12 months)."""
    refresh_all(12)
    db.session.commit()


def refresh_after_score(meeting: Meeting) -> None:
    """Listener of `store_quality`: the meeting's month and the rest of its quarter, at once."""
    if meeting.started_at is None:
        return
    month = (meeting.started_at + timedelta(hours=7)).date().replace(day=1)
    quarter_end = next_month(date(month.year, (month.month - 1) // 3 * 3 + 1, 1), 3)
    current = this_month()
    while month < quarter_end and month <= current:
        refresh_month(month, [meeting.cell_id])
        month = next_month(month)
