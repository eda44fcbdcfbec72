"""Counting one month's figures per cell with a few grouped queries over all the cells at once
(or over the few cells a refresh names): adoption from the roster, accounts and installs;
meeting quality from the closed meetings and their roll call, opinions, documents, minutes
and ratings. `refresh` writes what these return."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, distinct, func, or_, select

from blueprints.adoption.models import ADOPTION_COLUMNS, DashboardMonth
from blueprints.adoption.months import month_bounds, quarter_start
from blueprints.auth.models import User
from blueprints.meetings.models import (
    Attend,
    Attendance,
    Document,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    Opinion,
    Rating,
)
from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from blueprints.pwa.models import AppInstall
from core.extensions import db

# Grade thresholds of the quality score; the same as meetings.services.quality.grade (a test
# compares them), written as SQL here so the grades are counted in the database.
GRADE_FLOORS = (("grade_good", 90), ("grade_fair", 70), ("grade_average", 50))
# Attendance bands (present / members expected, exempt left out), as percentages.
BAND_HIGH, BAND_MID = 90, 70
ACTIVE_DAYS = 30


def common_day() -> int:
    """The common meeting day of the month: the one setting the meeting form proposes too
    (MEETING_COMMON_DAY, handbook ch. 1; 0 = none, so no meeting counts as "on the day")."""
    return int(current_app.config.get("MEETING_COMMON_DAY", 3))


def minutes_deadline_days() -> int:
    """Days after the close within which the minutes should be approved."""
    return int(
        current_app.config.get("DASHBOARD_MINUTES_DEADLINE_DAYS")
        or os.environ.get("DASHBOARD_MINUTES_DEADLINE_DAYS", 3)
    )


def _minutes_between(start, end):
    """SQL: whole minutes from `start` to `end` (two timestamp columns)."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 60
    return (func.julianday(end) - func.julianday(start)) * 1440


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# ---- adoption -------------------------------------------------------------------------------


def adoption(cells: list[int] | None, as_of: datetime) -> dict[int, dict]:
    """Adoption counts per cell as of `as_of` (None: every cell)."""
    scope = [Member.status.not_in(DEPARTED_STATUSES)]
    if cells is not None:
        scope.append(Member.cell_id.in_(cells))
    exempt = Member.status == MemberStatus.EXEMPT
    out: dict[int, dict] = {}
    for cell_id, members, probationary, exempt_n, no_phone in db.session.execute(
        select(
            Member.cell_id,
            func.count(),
            _count_if(Member.status == MemberStatus.PROBATIONARY),
            _count_if(exempt),
            _count_if(and_(Member.no_smartphone.is_(True), ~exempt)),
        )
        .where(*scope)
        .group_by(Member.cell_id)
    ):
        out[cell_id] = {
            "members": members,
            "probationary": probationary,
            "exempt": exempt_n,
            "no_smartphone": no_phone,
        }
    accounts = (
        select(
            Member.cell_id,
            func.count(User.id),
            _count_if(User.last_login_at <= as_of),
            _count_if(User.last_seen_at.between(as_of - timedelta(days=ACTIVE_DAYS), as_of)),
        )
        .join(User, User.member_id == Member.id)
        .where(*scope, User.active.is_(True), User.created_at <= as_of)
        .group_by(Member.cell_id)
    )
    for cell_id, issued, logged_in, active in db.session.execute(accounts):
        out.setdefault(cell_id, {}).update(accounts=issued, logged_in=logged_in, active_30d=active)
    installs = (
        select(Member.cell_id, func.count(distinct(User.id)))
        .join(User, User.member_id == Member.id)
        .join(AppInstall, AppInstall.user_id == User.id)
        .where(*scope, User.active.is_(True), AppInstall.first_seen_at <= as_of)
        .group_by(Member.cell_id)
    )
    for cell_id, installed in db.session.execute(installs):
        out.setdefault(cell_id, {})["installed"] = installed
    return out


def kept_adoption(cells: list[int] | None, month: date) -> dict[int, dict]:
    """The adoption counts already stored for `month` (a past month keeps what it saw)."""
    stmt = select(DashboardMonth.unit_id, *(getattr(DashboardMonth, c) for c in ADOPTION_COLUMNS))
    stmt = stmt.where(DashboardMonth.month == month, DashboardMonth.leaf.is_(True))
    if cells is not None:
        stmt = stmt.where(DashboardMonth.unit_id.in_(cells))
    return {
        row[0]: dict(zip(ADOPTION_COLUMNS, row[1:], strict=True))
        for row in db.session.execute(stmt)
    }


# ---- meetings -------------------------------------------------------------------------------


def _per_meeting(cells: list[int] | None, start: datetime, end: datetime):
    """Subquery: one row per closed meeting started in [start, end) with its counts."""
    held = [
        Meeting.status == MeetingStatus.CLOSED,
        Meeting.started_at >= start,
        Meeting.started_at < end,
    ]
    if cells is not None:
        held.append(Meeting.cell_id.in_(cells))
    ids = select(Meeting.id).where(*held)
    counted = and_(Member.status != MemberStatus.EXEMPT, Attendance.status != Attend.EXEMPT)
    att = (
        select(
            Attendance.meeting_id.label("mid"),
            _count_if(and_(counted, Attendance.status == Attend.PRESENT)).label("present"),
            _count_if(counted).label("eligible"),
        )
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id.in_(ids))
        .group_by(Attendance.meeting_id)
        .subquery()
    )
    spoke = (
        select(Opinion.meeting_id.label("mid"), func.count(distinct(Opinion.member_id)).label("n"))
        .where(Opinion.meeting_id.in_(ids))
        .group_by(Opinion.meeting_id)
        .subquery()
    )
    late = _minutes_between(Document.uploaded_at, Meeting.starts_at) < 24 * 60
    docs = (
        select(
            Document.meeting_id.label("mid"),
            func.count().label("n"),
            _count_if(late).label("late"),
        )
        .join(Meeting, Meeting.id == Document.meeting_id)
        .where(Document.meeting_id.in_(ids))
        .group_by(Document.meeting_id)
        .subquery()
    )
    rated = (
        select(
            Rating.meeting_id.label("mid"),
            func.count().label("n"),
            func.sum(Rating.preparation + Rating.proceedings + Rating.follow_through).label("pts"),
        )
        .where(Rating.meeting_id.in_(ids))
        .group_by(Rating.meeting_id)
        .subquery()
    )
    return (
        select(
            Meeting.cell_id,
            Meeting.kind,
            Meeting.combined,
            Meeting.starts_at,
            Meeting.quality_score.label("score"),
            _minutes_between(Meeting.started_at, Meeting.ended_at).label("duration"),
            _minutes_between(Meeting.ended_at, Minutes.locked_at).label("approval_delay"),
            Minutes.locked_at,
            func.coalesce(att.c.present, 0).label("present"),
            func.coalesce(att.c.eligible, 0).label("eligible"),
            func.coalesce(spoke.c.n, 0).label("spoke"),
            func.coalesce(docs.c.n, 0).label("docs"),
            func.coalesce(docs.c.late, 0).label("late"),
            func.coalesce(rated.c.n, 0).label("ratings"),
            func.coalesce(rated.c.pts, 0).label("rating_points"),
        )
        .outerjoin(att, att.c.mid == Meeting.id)
        .outerjoin(spoke, spoke.c.mid == Meeting.id)
        .outerjoin(docs, docs.c.mid == Meeting.id)
        .outerjoin(rated, rated.c.mid == Meeting.id)
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .where(*held)
        .subquery()
    )


def _meeting_columns(m, month: date) -> dict:
    """SQL aggregates over the per-meeting subquery `m`, keyed by the table's column names."""
    day_start = datetime(month.year, month.month, common_day()) - timedelta(hours=7)
    thematic = or_(m.c.kind == MeetingKind.THEMATIC, m.c.combined.is_(True))
    required = case((thematic, 120), else_=90)
    grades = {name: _count_if(m.c.score >= floor) for name, floor in GRADE_FLOORS}
    return {
        "held": func.count(),
        "regular_held": _count_if(or_(m.c.kind == MeetingKind.REGULAR, m.c.combined.is_(True))),
        "thematic_held": _count_if(thematic),
        "on_common_day": _count_if(
            and_(m.c.starts_at >= day_start, m.c.starts_at < day_start + timedelta(days=1))
        ),
        "docs_on_time": _count_if(and_(m.c.docs > 0, m.c.late == 0)),
        "with_docs": _count_if(m.c.docs > 0),
        "present": func.coalesce(func.sum(m.c.present), 0),
        "eligible": func.coalesce(func.sum(m.c.eligible), 0),
        "spoke": func.coalesce(func.sum(m.c.spoke), 0),
        "band_high": _count_if(
            and_(m.c.eligible > 0, m.c.present * 100 >= BAND_HIGH * m.c.eligible)
        ),
        "band_mid": _count_if(
            and_(
                m.c.present * 100 < BAND_HIGH * m.c.eligible,
                m.c.present * 100 >= BAND_MID * m.c.eligible,
            )
        ),
        "band_low": _count_if(and_(m.c.eligible > 0, m.c.present * 100 < BAND_MID * m.c.eligible)),
        "duration_ok": _count_if(m.c.duration >= required),
        "minutes_locked": _count_if(m.c.locked_at.is_not(None)),
        "minutes_in_time": _count_if(m.c.approval_delay <= minutes_deadline_days() * 24 * 60),
        "scored": func.count(m.c.score),
        "score_total": func.coalesce(func.sum(m.c.score), 0),
        # Counted as "at least the floor" and turned into bands in `_grade_bands`.
        **grades,
        "grade_poor": _count_if(m.c.score < GRADE_FLOORS[-1][1]),
        "ratings": func.coalesce(func.sum(m.c.ratings), 0),
        "rating_points": func.coalesce(func.sum(m.c.rating_points), 0),
    }


def _grade_bands(row: dict) -> None:
    """From "score ≥ 90 / ≥ 70 / ≥ 50" counts to the exclusive bands Tốt / Khá / Trung bình."""
    good, fair, average = row["grade_good"], row["grade_fair"], row["grade_average"]
    row["grade_average"] = average - fair
    row["grade_fair"] = fair - good


def meetings(cells: list[int] | None, month: date) -> dict[int, dict]:
    """Meeting figures per cell for `month`."""
    start, end = month_bounds(month)
    m = _per_meeting(cells, start, end)
    columns = _meeting_columns(m, month)
    stmt = select(m.c.cell_id, *(expr.label(name) for name, expr in columns.items()))
    out = {}
    for row in db.session.execute(stmt.group_by(m.c.cell_id)).mappings():
        values = {name: int(row[name] or 0) for name in columns}
        _grade_bands(values)
        out[row["cell_id"]] = values
    quarter_from, _unused = month_bounds(quarter_start(month))
    thematic = select(Meeting.cell_id).where(
        Meeting.status == MeetingStatus.CLOSED,
        Meeting.started_at >= quarter_from,
        Meeting.started_at < end,
        or_(Meeting.kind == MeetingKind.THEMATIC, Meeting.combined.is_(True)),
    )
    if cells is not None:
        thematic = thematic.where(Meeting.cell_id.in_(cells))
    for (cell_id,) in db.session.execute(thematic.distinct()):
        out.setdefault(cell_id, {})["thematic_quarter"] = 1
    return out
