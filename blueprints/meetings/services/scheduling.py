"""Before the meeting: the standard agenda of each kind, the cell's roll-call lines, and the
tasks of earlier meetings to review."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from blueprints.meetings.models import (
    AgendaItem,
    Attend,
    Attendance,
    Meeting,
    MeetingKind,
    Task,
)
from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from core.extensions import db
from core.i18n import fmt_date
from core.models import utcnow

# A meeting more than this far ahead is most likely a typo in the year or month: it is asked
# about (the secretary confirms) rather than refused, as a cell may plan a thematic meeting.
FAR_AHEAD = timedelta(days=92)

# (key, title) of the standard agenda of each kind of meeting.
AGENDA_TEMPLATES = {
    MeetingKind.REGULAR: [
        ("opening", _l("Khai mạc, giới thiệu đại biểu, cử thư ký")),
        ("rollcall", _l("Báo cáo tình hình đảng viên dự sinh hoạt (điểm danh)")),
        ("documents", _l("Thông tin thời sự, phổ biến văn bản của cấp trên")),
        ("review", _l("Kiểm điểm việc thực hiện nhiệm vụ tháng trước")),
        ("discussion", _l("Thảo luận, đóng góp ý kiến")),
        ("next_tasks", _l("Phương hướng, nhiệm vụ tháng tới")),
        ("resolution", _l("Thông qua nghị quyết, biểu quyết")),
        ("closing", _l("Thông qua biên bản, bế mạc")),
    ],
    MeetingKind.THEMATIC: [
        ("opening", _l("Khai mạc, giới thiệu đại biểu, cử thư ký")),
        ("rollcall", _l("Báo cáo tình hình đảng viên dự sinh hoạt (điểm danh)")),
        ("documents", _l("Trình bày chuyên đề và văn bản của cấp trên")),
        ("review", _l("Kiểm điểm việc thực hiện nhiệm vụ tháng trước")),
        ("discussion", _l("Thảo luận chuyên đề")),
        ("next_tasks", _l("Phương hướng, nhiệm vụ tháng tới")),
        ("resolution", _l("Kết luận chuyên đề, biểu quyết")),
        ("closing", _l("Thông qua biên bản, bế mạc")),
    ],
}


def apply_template(meeting: Meeting) -> None:
    """Fill a new meeting's agenda from the standard template of its kind."""
    for position, (key, title) in enumerate(
        AGENDA_TEMPLATES[MeetingKind(meeting.kind or MeetingKind.REGULAR)]
    ):
        meeting.items.append(AgendaItem(position=position, key=key, title=str(title)))


# Documents must reach members a full day before (Hướng dẫn 42-HD/BTCTW; see
# Meeting.documents_deadline), and the cell committee needs time to prepare them: a proposed
# date is never less than this far ahead.
PROPOSAL_LEAD = timedelta(days=2)


def proposed_start(now: datetime) -> datetime | None:
    """The start proposed for a new regular meeting: the next common meeting day of the month
    (`MEETING_COMMON_DAY`) at `MEETING_DEFAULT_TIME`, local time, at least two days ahead.

    None when the province has no common day (0). Only a proposal: the day of a public
    holiday, Tết, or another day set by the upper committee is for the secretary to choose.
    """
    day = current_app.config.get("MEETING_COMMON_DAY", 0)
    if not day:
        return None
    hour, minute = current_app.config.get("MEETING_DEFAULT_TIME", (8, 0))
    year, month = now.year, now.month
    while True:
        candidate = datetime(year, month, day, hour, minute)
        if candidate - now >= PROPOSAL_LEAD:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def cell_members(cell_id: int) -> list[Member]:
    """Members of a cell who take part in meetings (everyone but those transferred away)."""
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.cell_id == cell_id, Member.status.not_in(DEPARTED_STATUSES))
            .order_by(Member.name_sort, Member.id)
        )
    )


def sync_attendance(meeting: Meeting) -> None:
    """Make sure every member of the cell has a roll-call line (exempt members marked so)."""
    have = set(
        db.session.scalars(select(Attendance.member_id).where(Attendance.meeting_id == meeting.id))
    )
    for member in cell_members(meeting.cell_id):
        if member.id not in have:
            status = Attend.EXEMPT if member.status == MemberStatus.EXEMPT else Attend.PENDING
            db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status=status))


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The cell's last meeting before this one."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == meeting.cell_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.id != meeting.id,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def tasks_to_review(meeting: Meeting) -> list[Task]:
    """Tasks shown under "review of last month's tasks": every task of the previous meeting,
    and the still unfinished tasks of the cell's earlier meetings (they carry over until
    someone ticks them done), oldest first."""
    prev = previous_meeting(meeting)
    if prev is None:
        return []
    return list(
        db.session.scalars(
            select(Task)
            .join(Meeting, Meeting.id == Task.meeting_id)
            .where(
                Task.cell_id == meeting.cell_id,
                Meeting.starts_at <= prev.starts_at,
                Meeting.id != meeting.id,
                or_(Task.meeting_id == prev.id, Task.done.is_(False)),
            )
            .options(selectinload(Task.assignee))
            .order_by(Meeting.starts_at, Task.id)
        )
    )


def start_problem(starts_at: datetime, *, confirmed_far: bool = False) -> tuple[str, bool] | None:
    """What is wrong with a new start time (UTC), or None: (message, only_far_ahead).

    The past is refused (a year typo once hid the real meeting from every member's home);
    more than FAR_AHEAD ahead needs the secretary's confirmation.
    """
    now = utcnow()
    if starts_at <= now:
        return (
            _(
                "Thời gian bắt đầu (%(day)s) đã qua. Đồng chí hãy kiểm tra lại ngày, tháng, năm và "
                "chọn một thời điểm sắp tới.",
                day=fmt_date(starts_at),
            ),
            False,
        )
    if starts_at - now > FAR_AHEAD and not confirmed_far:
        return (
            _(
                "Ngày %(day)s còn hơn ba tháng nữa. Nếu đúng là ngày này, hãy đánh dấu ô xác "
                "nhận bên dưới rồi lưu lại; nếu gõ nhầm năm hoặc tháng, hãy sửa ngày.",
                day=fmt_date(starts_at),
            ),
            True,
        )
    return None
