"""Calendar months in Vietnam time, as the dashboards count them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.models import utcnow

VIETNAM_OFFSET = timedelta(hours=7)


def this_month() -> date:
    """The first day of the current month in Vietnam."""
    return (utcnow() + VIETNAM_OFFSET).date().replace(day=1)


def next_month(month: date, steps: int = 1) -> date:
    """The first day of the month `steps` months after `month` (negative: before)."""
    index = month.year * 12 + month.month - 1 + steps
    return date(index // 12, index % 12 + 1, 1)


def months_back(count: int = 12) -> list[date]:
    """This month and the `count - 1` before it, newest first."""
    current = this_month()
    return [next_month(current, -step) for step in range(count)]


def quarter_start(month: date) -> date:
    """The first month of `month`'s quarter."""
    return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in Vietnam time as naive UTC bounds, like stored meeting times."""
    start = datetime(month.year, month.month, 1)
    end = datetime.combine(next_month(month), datetime.min.time())
    return start - VIETNAM_OFFSET, end - VIETNAM_OFFSET
