"""The monthly figures table: each cell's counts per month, and each unit's sums of them.

Counting 92.000 members and 40.000 meetings on every page view would cost seconds. Two kinds
of rows share one table, told apart by `leaf`:

- leaf rows: one cell's counts for a month, counted from members and meetings;
- rollup rows (leaf false): one unit's whole subtree for a month, the sums of the leaf rows
  under it (a cell has one too, equal to its leaf row), so every page reads a handful of rows:
  the unit's row, its sub-units' rows (by `parent_id`) and its 12 months.

They are refreshed for one cell and its ancestors when one of its meetings is scored (closed,
minutes locked or reopened: `refresh.refresh_after_score`), and for every unit by
`flask dashboard refresh` (run nightly), which also picks up roster and sign-in changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import BinaryString, utcnow

# Counted columns, in the order the refresh writes them and the rollup sums them.
ADOPTION_COLUMNS = (
    "members",  # every member not departed (official + probationary + exempt)
    "probationary",
    "exempt",
    "no_smartphone",  # declared without a smartphone, not counted again when exempt
    "accounts",
    "logged_in",
    "installed",
    "active_30d",
)
MEETING_COLUMNS = (
    "held",  # closed meetings started in the month
    "regular_held",  # regular ones (a combined meeting counts as regular and thematic)
    "thematic_held",
    "thematic_quarter",  # 1 when the cell held a thematic meeting this quarter up to the month
    "on_common_day",
    "docs_on_time",  # meetings with documents, all posted at least one day ahead
    "with_docs",
    "present",  # sums over the month's meetings
    "eligible",
    "spoke",
    "band_high",  # meetings by attendance rate: ≥ 90%, 70–89%, < 70%
    "band_mid",
    "band_low",
    "duration_ok",
    "minutes_locked",
    "minutes_in_time",
    "scored",
    "score_total",
    "grade_good",
    "grade_fair",
    "grade_average",
    "grade_poor",
    "ratings",
    "rating_points",  # sum of the three 1–5 marks of every rating
)
CELL_COLUMNS = ("cells", "cells_met", "cells_regular")  # 1/0 on a leaf row, sums above
COUNT_COLUMNS = ADOPTION_COLUMNS + MEETING_COLUMNS + CELL_COLUMNS


class DashboardMonth(db.Model):
    """A cell's (leaf) or a unit's subtree's (rollup) figures for one month; adoption as of
    the last refresh in that month."""

    __tablename__ = "dashboard_months"
    __table_args__ = (
        UniqueConstraint("unit_id", "month", "leaf", name="uq_dashboard_month_unit"),
        Index("ix_dashboard_months_month_path", "month", "leaf", "path"),
        Index("ix_dashboard_months_parent", "parent_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    leaf: Mapped[bool] = mapped_column(default=True)
    # The unit's parent and path, copied so sub-unit rows and subtree scans need no join.
    parent_id: Mapped[int | None]
    path: Mapped[str] = mapped_column(BinaryString(255))
    month: Mapped[date] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)

    cells: Mapped[int] = mapped_column(default=0)
    cells_met: Mapped[int] = mapped_column(default=0)
    cells_regular: Mapped[int] = mapped_column(default=0)

    members: Mapped[int] = mapped_column(default=0)
    probationary: Mapped[int] = mapped_column(default=0)
    exempt: Mapped[int] = mapped_column(default=0)
    no_smartphone: Mapped[int] = mapped_column(default=0)
    accounts: Mapped[int] = mapped_column(default=0)
    logged_in: Mapped[int] = mapped_column(default=0)
    installed: Mapped[int] = mapped_column(default=0)
    active_30d: Mapped[int] = mapped_column(default=0)

    held: Mapped[int] = mapped_column(default=0)
    regular_held: Mapped[int] = mapped_column(default=0)
    thematic_held: Mapped[int] = mapped_column(default=0)
    thematic_quarter: Mapped[int] = mapped_column(default=0)
    on_common_day: Mapped[int] = mapped_column(default=0)
    docs_on_time: Mapped[int] = mapped_column(default=0)
    with_docs: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    eligible: Mapped[int] = mapped_column(default=0)
    spoke: Mapped[int] = mapped_column(default=0)
    band_high: Mapped[int] = mapped_column(default=0)
    band_mid: Mapped[int] = mapped_column(default=0)
    band_low: Mapped[int] = mapped_column(default=0)
    duration_ok: Mapped[int] = mapped_column(default=0)
    minutes_locked: Mapped[int] = mapped_column(default=0)
    minutes_in_time: Mapped[int] = mapped_column(default=0)
    scored: Mapped[int] = mapped_column(default=0)
    score_total: Mapped[int] = mapped_column(default=0)
    grade_good: Mapped[int] = mapped_column(default=0)
    grade_fair: Mapped[int] = mapped_column(default=0)
    grade_average: Mapped[int] = mapped_column(default=0)
    grade_poor: Mapped[int] = mapped_column(default=0)
    ratings: Mapped[int] = mapped_column(default=0)
    rating_points: Mapped[int] = mapped_column(default=0)
