"""Counting adoption and meeting quality per unit of a subtree with a handful of grouped queries.

Every figure is first counted per cell in SQL (at most ~2.500 rows for the whole province),
then summed in Python into the rows of the page: the unit's direct sub-units, each covering
its own subtree. So the province page costs the same few queries as a district's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select

from blueprints.auth.models import User
from blueprints.meetings.models import Meeting, MeetingStatus, Minutes
from blueprints.members.models import DEPARTED_STATUSES, Member
from blueprints.pwa.models import AppInstall
from blueprints.units.models import Unit, UnitKind, subtree_clause
from core.extensions import db
from core.text import text_sort_key

VIETNAM_OFFSET = timedelta(hours=7)


@dataclass
class Row:
    """Figures of one unit's subtree."""

    unit: Unit
    cells: int = 0
    members: int = 0
    accounts: int = 0
    logged_in: int = 0
    installed: int = 0
    cells_met: int = 0
    minutes_locked: int = 0
    scored_meetings: int = 0
    score_total: int = 0

    def share(self, part: int, whole: int) -> float | None:
        """part / whole, or None when there is nothing to divide by."""
        return part / whole if whole else None

    @property
    def average_score(self) -> int | None:
        """Mean quality score of the month's meetings held in the app (None without any)."""
        return round(self.score_total / self.scored_meetings) if self.scored_meetings else None


@dataclass
class Report:
    """The unit's total and one row per direct sub-unit."""

    unit: Unit
    month: date
    total: Row
    rows: list[Row] = field(default_factory=list)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in Vietnam time as naive UTC bounds, like stored meeting times."""
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start - VIETNAM_OFFSET, end - VIETNAM_OFFSET


def _per_cell(statement) -> dict[int, int]:
    return dict(db.session.execute(statement).all())


def build_report(unit: Unit, month: date) -> Report:
    """Adoption and meeting figures of `unit`'s subtree for `month`."""
    cells = dict(
        db.session.execute(
            select(Unit.id, Unit.path).where(
                subtree_clause(Unit.path, unit.path), Unit.kind == UnitKind.CELL
            )
        ).all()
    )
    in_subtree = Member.cell_id.in_(list(cells)) if cells else Member.cell_id.is_(None)
    active = Member.status.not_in(DEPARTED_STATUSES)
    members = _per_cell(
        select(Member.cell_id, func.count()).where(in_subtree, active).group_by(Member.cell_id)
    )
    accounts = db.session.execute(
        select(Member.cell_id, func.count(User.id), func.count(User.last_login_at))
        .join(User, User.member_id == Member.id)
        .where(in_subtree, active, User.active.is_(True))
        .group_by(Member.cell_id)
    ).all()
    installed = _per_cell(
        select(Member.cell_id, func.count(distinct(User.id)))
        .join(User, User.member_id == Member.id)
        .join(AppInstall, AppInstall.user_id == User.id)
        .where(in_subtree, active)
        .group_by(Member.cell_id)
    )
    start, end = month_bounds(month)
    held = (
        Meeting.cell_id.in_(list(cells)) if cells else Meeting.cell_id.is_(None),
        Meeting.status == MeetingStatus.CLOSED,
        Meeting.started_at >= start,
        Meeting.started_at < end,
    )
    # One row per cell that met: how many of its meetings carry a score, and their sum.
    met = {
        cell_id: (scored, total_score or 0)
        for cell_id, scored, total_score in db.session.execute(
            select(
                Meeting.cell_id, func.count(Meeting.quality_score), func.sum(Meeting.quality_score)
            )
            .where(*held)
            .group_by(Meeting.cell_id)
        )
    }
    locked = _per_cell(
        select(Meeting.cell_id, func.count(distinct(Meeting.id)))
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .where(*held, Minutes.locked_at.is_not(None))
        .group_by(Meeting.cell_id)
    )

    children = [] if unit.is_cell else sorted(unit.children, key=lambda u: text_sort_key(u.name))
    rows = {child.id: Row(child) for child in children}
    total = Row(unit)

    def rows_of(cell_id: int) -> list[Row]:
        path = cells[cell_id]
        owners = [total]
        owners += [rows[c.id] for c in children if path.startswith(c.path)]
        return owners

    sums: dict[int, list[Row]] = defaultdict(list)
    for cell_id in cells:
        sums[cell_id] = rows_of(cell_id)
        for row in sums[cell_id]:
            row.cells += 1
            row.members += members.get(cell_id, 0)
            row.installed += installed.get(cell_id, 0)
            row.cells_met += 1 if cell_id in met else 0
            row.minutes_locked += 1 if locked.get(cell_id) else 0
    for cell_id, issued, logged_in in accounts:
        for row in sums[cell_id]:
            row.accounts += issued
            row.logged_in += logged_in
    for cell_id, (scored, total_score) in met.items():
        for row in sums[cell_id]:
            row.scored_meetings += scored
            row.score_total += total_score
    return Report(unit=unit, month=month, total=total, rows=list(rows.values()))
