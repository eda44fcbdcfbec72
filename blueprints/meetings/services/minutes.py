"""After the meeting: closing it, drafting the minutes (template meetings/minutes/draft.txt),
and storing every text as a revision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import (
    MINUTES_MAX_CHARS,
    Attend,
    Attendance,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    Motion,
    Opinion,
    Speaker,
    Task,
)
from blueprints.meetings.services.attendance import totals
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.quality import (
    quality,
    store_quality,
)
from blueprints.meetings.services.scheduling import tasks_to_review
from blueprints.meetings.services.votes import close_motion
from blueprints.members.models import Member
from core.extensions import db
from core.models import utcnow


def draft_minutes(meeting: Meeting) -> str:
    """Write the minutes from what happened. Lines starting with "# " are section headings.

    The wording and layout are the template meetings/minutes/draft.txt; this gathers its data.
    """
    motions = db.session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)
    ).all()
    # The minutes are official once approved, and approval is itself part of the score: the
    # text states the score with that part counted, so the locked minutes agree with the
    # score shown beside them (a draft used to say 66 — Trung bình, the page 81 — Khá).
    context = {
        "meeting": meeting,
        "t": totals(meeting),
        "start": meeting.started_at or meeting.starts_at,
        "attendance": db.session.scalars(
            select(Attendance)
            .join(Member, Member.id == Attendance.member_id)
            .where(Attendance.meeting_id == meeting.id)
            .order_by(Member.name_sort)
        ).all(),
        "absent": (Attend.EXCUSED, Attend.UNEXCUSED, Attend.PENDING),
        "excused": Attend.EXCUSED,
        "away": Attend.AWAY,
        "proxy_votes": _proxy_votes(motions),
        "opinions": db.session.scalars(
            select(Opinion).where(Opinion.meeting_id == meeting.id).order_by(Opinion.created_at)
        ).all(),
        "closed": [m for m in motions if m.status == "closed"],
        "review_tasks": _review_tasks(meeting),
        "tasks": db.session.scalars(select(Task).where(Task.meeting_id == meeting.id)).all(),
        "q": quality(meeting).with_minutes_approved(),
    }
    # Rendered by the environment, not render_template: the draft is also written outside a
    # request (closing from the command line, the demo data), so no request context processors.
    return current_app.jinja_env.get_template("meetings/minutes/draft.txt").render(context)


@dataclass
class ProxyVote:
    """A vote recorded on a member's behalf, as the minutes name it (never its choice)."""

    member: Member
    motion: Motion
    by_name: str
    recorded_at: object
    proxy_reason: str


def _proxy_votes(motions: list[Motion]) -> list[ProxyVote]:
    """Every vote recorded for a member without a smartphone, with who recorded it and why.

    Secret ballots give only the receipt (who voted, not how), the same as for any vote.
    """
    from blueprints.auth.models import User

    by_id = {m.id: m for m in motions}
    found: list[ProxyVote] = []
    for model in (OpenVote, BallotReceipt):
        rows = db.session.execute(
            select(model, User)
            .outerjoin(User, User.id == model.recorded_by_id)
            .where(model.motion_id.in_(list(by_id)), model.by_proxy.is_(True))
            .order_by(model.recorded_at)
        ).all()
        for vote, user in rows:
            name = (user.member.full_name if user.member else user.display_name) if user else ""
            found.append(
                ProxyVote(
                    vote.member, by_id[vote.motion_id], name, vote.recorded_at, vote.proxy_reason
                )
            )
    return sorted(found, key=lambda v: (v.recorded_at is None, v.recorded_at or 0))


def _review_tasks(meeting: Meeting) -> list:
    """The tasks listed under the agenda's review item (read only when the agenda has one)."""
    if not any(item.key == "review" for item in meeting.items):
        return []
    return tasks_to_review(meeting)


def text_blocks(body: str) -> list[tuple[bool, str]]:
    """The minutes text as the DOCX, PDF and HTML views lay it out: (is_heading, text) pairs.

    A line starting with "# " is a section heading (without the mark); blank lines are dropped.
    """
    return [
        (line.startswith("# "), line[2:] if line.startswith("# ") else line)
        for line in body.splitlines()
        if line.startswith("# ") or line.strip()
    ]


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class MinutesTooLongError(ValueError):
    """A minutes text over MINUTES_MAX_CHARS."""


def save_minutes(minutes: Minutes, body: str, *, by=None, note: str = "") -> MinutesRevision:
    """Store a new text as the next revision (the old ones stay); MinutesTooLongError past the limit
    (forms say so beside the field first; this holds for every other caller)."""
    if len(body) > MINUTES_MAX_CHARS:
        raise MinutesTooLongError(
            _("Biên bản dài quá %(max)s ký tự. Đồng chí hãy rút gọn.", max=MINUTES_MAX_CHARS)
        )
    number = (
        db.session.scalar(
            select(func.max(MinutesRevision.number)).where(MinutesRevision.minutes_id == minutes.id)
        )
        or 0
    ) + 1
    minutes.body = body
    minutes.updated_at = utcnow()
    revision = MinutesRevision(
        minutes_id=minutes.id,
        number=number,
        body=body,
        note=note,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(revision)
    return revision


# What the secretary may choose for the members still unmarked at the close (never a guess).
UNMARKED_CHOICES = (Attend.PRESENT, Attend.EXCUSED, Attend.UNEXCUSED)


class UnmarkedMembersError(ValueError):
    """Members are still unmarked and the secretary chose nothing for them."""


def unmarked(meeting: Meeting) -> list[Attendance]:
    """Roll-call lines nobody has marked yet, in Vietnamese name order."""
    return list(
        db.session.scalars(
            select(Attendance)
            .join(Member, Member.id == Attendance.member_id)
            .where(Attendance.meeting_id == meeting.id, Attendance.status == Attend.PENDING)
            .order_by(Member.name_sort, Member.id)
        )
    )


def mark_unmarked(meeting: Meeting, status: str, *, by=None, reason: str = "") -> int:
    """Give every unmarked member the status the secretary chose; the number marked.

    Marked present by the secretary, they count as checked in on their behalf (seen in the
    room, no phone used), so their vote too can be recorded for them, with `reason` kept.
    """
    lines = unmarked(meeting)
    present = status == Attend.PRESENT
    for line in lines:
        line.status = status
        line.reason = reason if status == Attend.EXCUSED else ""
        line.checked_in_at = utcnow() if present else None
        line.by_proxy = present
        line.proxy_reason = (reason or _("bí thư điểm danh tại chỗ")) if present else ""
        line.recorded_by_id = getattr(by, "id", None)
        line.version = (line.version or 0) + 1
    if lines:
        live_change(meeting.id)
    return len(lines)


def close_meeting(meeting: Meeting, *, by=None, unmarked_as: str | None = None) -> Minutes:
    """End the meeting, close open votes, draft the minutes as revision 1.

    Members still unmarked get `unmarked_as` (present, excused or unexcused, as the secretary
    chose); with none chosen and members unmarked, UnmarkedMembersError and nothing changes:
    the minutes never guess an absence.
    """
    now = utcnow()
    if unmarked_as in UNMARKED_CHOICES:
        mark_unmarked(meeting, unmarked_as, by=by)
    elif unmarked(meeting):
        raise UnmarkedMembersError(meeting.id)
    for motion in db.session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id, Motion.status == "open")
    ):
        close_motion(motion, meeting)
    db.session.execute(
        Speaker.__table__.update()
        .where(Speaker.meeting_id == meeting.id, Speaker.status != "done")
        .values(status="done")
    )
    meeting.status = MeetingStatus.CLOSED
    meeting.ended_at = now
    db.session.flush()
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id)
        db.session.add(minutes)
        db.session.flush()
    draft = draft_minutes(meeting)
    if len(draft) > MINUTES_MAX_CHARS:  # very many long opinions: the clerk shortens it
        tail = "\n" + _(
            "[Bản dự thảo dài quá giới hạn nên đã được cắt bớt; toàn văn ý kiến xem trên trang "
            "buổi sinh hoạt.]"
        )
        draft = draft[: MINUTES_MAX_CHARS - len(tail)] + tail
    save_minutes(minutes, draft, by=by, note=_("Bản dự thảo tự động"))
    store_quality(meeting)
    live_change(meeting.id)
    return minutes
