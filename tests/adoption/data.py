"""The hand-built dashboard data shared by the dashboard tests and the browser test.

Cell A of conftest's province gets three more members (exempt, no smartphone, probationary),
sign-ins and one install, a regular and a thematic meeting whose every quality criterion is
known; cell C met only last month; then the monthly figures are refreshed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from blueprints.adoption.months import VIETNAM_OFFSET, next_month, this_month
from blueprints.adoption.refresh import refresh_all
from blueprints.auth.models import User
from blueprints.meetings.models import (
    AgendaItem,
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
from blueprints.members.models import MemberStatus
from blueprints.pwa.models import AppInstall
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from tests.conftest import make_member


def local_time_of(day: int, hour: int, month=None) -> datetime:
    """A Vietnam wall-clock time of this month as stored (naive UTC)."""
    month = month or this_month()
    return datetime(month.year, month.month, day, hour) - VIETNAM_OFFSET


def add_meeting(cell_id, kind, starts, minutes, score, **kw) -> Meeting:
    meeting = Meeting(
        cell_id=cell_id,
        kind=kind,
        topic="Sinh hoạt",
        starts_at=starts,
        started_at=starts,
        ended_at=starts + timedelta(minutes=minutes),
        status=kw.pop("status", MeetingStatus.CLOSED),
        quality_score=score,
        **kw,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _document(meeting: Meeting, uploaded_at: datetime) -> None:
    item = AgendaItem(meeting_id=meeting.id, title="Tài liệu", position=1)
    db.session.add(item)
    db.session.flush()
    db.session.add(
        Document(
            meeting_id=meeting.id,
            item_id=item.id,
            filename="a.pdf",
            data=b"%PDF",
            uploaded_at=uploaded_at,
        )
    )


def add_dashboard_data(app, world) -> None:
    """The hand-counted data of tests/adoption/test_adoption.py, refreshed into the table."""
    with app.app_context():
        a = db.session.get(Unit, world.units["A"])
        exempt = make_member("52100011", "Đỗ Văn Cao", a, status=MemberStatus.EXEMPT)
        no_phone = make_member("52100012", "Huỳnh Thị Lan", a, no_smartphone=True)
        probationary = make_member("52100013", "Mai Văn Tú", a, status=MemberStatus.PROBATIONARY)
        db.session.flush()
        now = utcnow()
        member = db.session.get(User, world.users["member_a"])
        member.last_login_at = member.last_seen_at = now
        db.session.add(AppInstall(user_id=member.id, platform="android", source="standalone"))
        secretary = db.session.get(User, world.users["secretary_a"])
        secretary.last_login_at = secretary.last_seen_at = now - timedelta(days=40)

        # Regular, on the common day (3rd), 95 minutes, documents two days ahead, minutes
        # locked a day after: 4 of the 5 expected present (80%), two members spoke.
        first = add_meeting(a.id, MeetingKind.REGULAR, local_time_of(3, 8), 95, 86)
        present = {world.members["sec_a"], world.members["mem_a"], probationary.id, no_phone.id}
        for member_id in [*present, world.members["new_a"], exempt.id]:
            status = Attend.PRESENT if member_id in present else Attend.EXCUSED
            if member_id == exempt.id:
                status = Attend.EXEMPT
            db.session.add(Attendance(meeting_id=first.id, member_id=member_id, status=status))
        for member_id in (world.members["sec_a"], world.members["mem_a"], world.members["mem_a"]):
            db.session.add(Opinion(meeting_id=first.id, member_id=member_id, text="Ý kiến"))
        _document(first, first.starts_at - timedelta(days=2))
        db.session.add(
            Minutes(meeting_id=first.id, body="…", locked_at=first.ended_at + timedelta(days=1))
        )
        db.session.add(
            Rating(
                meeting_id=first.id,
                member_id=world.members["sec_a"],
                preparation=5,
                proceedings=4,
                follow_through=3,
            )
        )
        db.session.add(
            Rating(
                meeting_id=first.id,
                member_id=world.members["mem_a"],
                preparation=4,
                proceedings=4,
                follow_through=4,
            )
        )
        # Thematic on the 10th, 100 of 120 minutes, a document two hours ahead, no minutes.
        second = add_meeting(a.id, MeetingKind.THEMATIC, local_time_of(10, 8), 100, 95)
        _document(second, second.starts_at - timedelta(hours=2))
        # Not counted: still scheduled; cell C met only last month.
        add_meeting(
            a.id, MeetingKind.REGULAR, local_time_of(20, 8), 0, None, status=MeetingStatus.SCHEDULED
        )
        add_meeting(
            world.units["C"],
            MeetingKind.REGULAR,
            local_time_of(3, 8, next_month(this_month(), -1)),
            90,
            40,
        )
        db.session.commit()
        refresh_all()
        db.session.commit()
