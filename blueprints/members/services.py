"""Membership dates by the rules in force: end of probation, tuổi đảng, next Huy hiệu Đảng.

- Probation lasts twelve months counted from the day the cell holds the admission ceremony
  (Điều lệ Đảng, Điều 5 khoản 1). A probationary member who qualifies is official as of the day
  those twelve months end, even when the cell or the committee decides later (Quy định
  294-QĐ/TW, 26/5/2025, the point on Điều 5; the same rule as the texts it replaced). Twelve
  calendar months, not 365 days: a probation spanning 29 February still ends on the same day
  of the month a year later.
- Tuổi đảng: counted for official members from the date of the admission decision, minus the
  time out of Party activity (expulsion, removal, lost contact, gaps when moving between cells)
  (Điều lệ Đảng, Điều 5 khoản 4; Quy định 294-QĐ/TW, the same point). The roster holds the date
  on the card ("ngày vào Đảng"), which the guidance accepts when the decision is not at hand.
- Huy hiệu Đảng at 30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85 and 90 years (Hướng dẫn
  01-HD/TW, 28/9/2021, mục 18, as carried on under Quy định 294).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

BADGE_YEARS = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
PROBATION_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def probation_end(joined_on: date) -> date:
    """The day a member admitted on `joined_on` becomes official (when the cell recognises it)."""
    return add_months(joined_on, PROBATION_MONTHS)


@dataclass(frozen=True)
class PartyAge:
    """Whole years and months of membership, and the next badge with its date."""

    years: int
    months: int
    next_badge: int | None
    next_badge_on: date | None


def party_age(
    joined_on: date | None, official_on: date | None, today: date, interrupted_days: int = 0
) -> PartyAge | None:
    """Tuổi đảng on `today`, or None while the member is probationary or has no dates.

    `interrupted_days` is the time out of Party activity that the committee has confirmed; it
    pushes the start (and so every badge) later by that many days.
    """
    if joined_on is None or official_on is None or official_on > today:
        return None
    start = date.fromordinal(joined_on.toordinal() + max(0, interrupted_days))
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day and add_months(start, months) > today:
        months -= 1
    months = max(0, months)
    years = months // 12
    badge = next((b for b in BADGE_YEARS if b > years), None)
    badge_on = add_months(start, badge * 12) if badge else None
    return PartyAge(years, months % 12, badge, badge_on)
