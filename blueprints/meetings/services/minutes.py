"""After the meeting: closing it, drafting the minutes (template meetings/minutes/draft.txt),
and storing every text as a revision."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import func, select

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
from blueprints.meetings.services.attendance import (
    totals,
)
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.quality import (
    MINUTES_POINTS,
    quality,
    store_quality,
)
from blueprints.meetings.services.scheduling import (
    tasks_to_review,
)
from blueprints.meetings.services.votes import (
    close_motion,
)
from blueprints.members.models import Member
from core.extensions import db
from core.i18n import fmt_date, fmt_datetime, fmt_percent
from core.models import utcnow


def draft_minutes(meeting: Meeting) -> str:
    """Write the minutes from what happened. Lines starting with "# " are section headings."""
    t = totals(meeting)
    lines: list[str] = []
    add = lines.append
    start = meeting.started_at or meeting.starts_at
    add("# " + _("I. THỜI GIAN, ĐỊA ĐIỂM"))
    add(_("Bắt đầu lúc %(time)s tại %(place)s.", time=fmt_datetime(start), place=meeting.place))
    if meeting.ended_at:
        add(
            _(
                "Kết thúc lúc %(time)s; thời gian sinh hoạt %(minutes)s phút.",
                time=fmt_datetime(meeting.ended_at),
                minutes=meeting.duration_minutes,
            )
        )
    add(_("Hình thức: %(kind)s. Chủ đề: %(topic)s.", kind=meeting.kind_label, topic=meeting.topic))
    add("# " + _("II. THÀNH PHẦN"))
    add(
        _(
            "Tổng số đảng viên: %(total)s (chính thức: %(official)s, dự bị: %(prob)s, "
            "miễn sinh hoạt: %(exempt)s).",
            total=t.total,
            official=t.official,
            prob=t.probationary,
            exempt=t.exempt,
        )
    )
    add(
        _(
            "Có mặt: %(present)s/%(eligible)s đồng chí (%(rate)s); vắng có lý do: %(excused)s; "
            "vắng không lý do: %(unexcused)s.",
            present=t.present,
            eligible=t.eligible,
            rate=fmt_percent(t.rate),
            excused=t.excused,
            unexcused=t.unexcused + t.pending,
        )
    )
    lines_att = db.session.scalars(
        select(Attendance)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(Member.name_sort)
    ).all()
    for line in lines_att:
        if line.status in (Attend.EXCUSED, Attend.UNEXCUSED, Attend.PENDING):
            reason = line.reason or _("không có lý do")
            label = _("vắng có lý do") if line.status == Attend.EXCUSED else _("vắng không lý do")
            add(
                _(
                    "- Đồng chí %(name)s: %(label)s (%(reason)s).",
                    name=line.member.full_name,
                    label=label,
                    reason=reason,
                )
            )
        elif line.by_proxy:
            add(
                _(
                    "- Đồng chí %(name)s được điểm danh hộ (%(reason)s).",
                    name=line.member.full_name,
                    reason=line.proxy_reason,
                )
            )
    add(_("Chủ trì: đồng chí %(name)s.", name=meeting.chair.full_name if meeting.chair else ""))
    add(_("Thư ký: đồng chí %(name)s.", name=meeting.clerk.full_name if meeting.clerk else ""))
    if meeting.guests:
        add(_("Đại biểu, khách mời: %(guests)s.", guests=meeting.guests))
    add("# " + _("III. NỘI DUNG"))
    opinions = db.session.scalars(
        select(Opinion).where(Opinion.meeting_id == meeting.id).order_by(Opinion.created_at)
    ).all()
    motions = db.session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)
    ).all()
    for number, item in enumerate(meeting.items, start=1):
        add(f"{number}. {item.title}")
        if item.key == "review":
            for task in tasks_to_review(meeting):
                state = _("đã hoàn thành") if task.done else _("chưa hoàn thành")
                who = task.assignee.full_name if task.assignee else ""
                add(f"- {task.description} ({who}): {state}")
        for opinion in opinions:
            if opinion.item_id == item.id:
                kind = _("phát biểu") if opinion.spoken else _("ý kiến bằng văn bản")
                add(f"- {opinion.member.full_name} ({kind}): {opinion.text}")
        for motion in motions:
            if motion.item_id == item.id and motion.status == "closed":
                add(motion_line(motion))
        if item.conclusion:
            add(_("Kết luận: %(text)s", text=item.conclusion))
    loose = [o for o in opinions if o.item_id is None]
    for opinion in loose:
        add(f"- {opinion.member.full_name}: {opinion.text}")
    tasks = db.session.scalars(select(Task).where(Task.meeting_id == meeting.id)).all()
    if tasks:
        add("# " + _("IV. NHIỆM VỤ THÁNG TỚI"))
        for task in tasks:
            who = task.assignee.full_name if task.assignee else ""
            due = fmt_date(task.due_on) if task.due_on else ""
            add(f"- {task.description} — {who} {('(' + due + ')') if due else ''}".rstrip())
    add("# " + _("V. BIỂU QUYẾT"))
    closed = [m for m in motions if m.status == "closed"]
    if not closed:
        add(_("Không có biểu quyết."))
    for motion in closed:
        add(motion_line(motion))
    add("# " + _("VI. ĐÁNH GIÁ CHẤT LƯỢNG"))
    # The minutes are official once approved, and approval is itself part of the score: the
    # text states the score with that part counted, so the locked minutes agree with the
    # score shown beside them (a draft used to say 66 — Trung bình, the page 81 — Khá).
    q = replace(quality(meeting), minutes=MINUTES_POINTS)
    add(
        _(
            "Chất lượng buổi sinh hoạt (tự động tính, khi biên bản này được duyệt): "
            "%(score)s điểm — %(label)s.",
            score=q.score,
            label=q.label,
        )
    )
    return "\n".join(lines)


def motion_line(motion: Motion) -> str:
    """One line of minutes for a closed vote."""
    kind = _("bỏ phiếu kín") if motion.secret else _("biểu quyết công khai")
    result = _("thông qua") if motion.passed else _("không thông qua")
    return _(
        'Biểu quyết (%(kind)s) "%(text)s": tán thành %(yes)s, không tán thành %(no)s, '
        "không biểu quyết %(abstain)s trên %(base)s đồng chí — %(result)s.",
        kind=kind,
        text=motion.text,
        yes=motion.yes,
        no=motion.no,
        abstain=motion.abstain,
        base=motion.base,
        result=result,
    )


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class MinutesTooLongError(ValueError):
    """A minutes text over MINUTES_MAX_CHARS."""


def save_minutes(minutes: Minutes, body: str, *, by=None, note: str = "") -> MinutesRevision:
    """Store a new text as the next revision (the old ones stay); MinutesTooLongError past the limit
    (forms say so beside the field first; this holds for every other caller)."""
    if len(body) > MINUTES_MAX_CHARS:
        raise MinutesTooLongError(
            _("Biên bản dài quá %(max)s ký tự. Vui lòng rút gọn.", max=MINUTES_MAX_CHARS)
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


def close_meeting(meeting: Meeting, *, by=None) -> Minutes:
    """End the meeting, close open votes, draft the minutes as revision 1."""
    now = utcnow()
    for motion in db.session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id, Motion.status == "open")
    ):
        close_motion(motion, meeting)
    for line in db.session.scalars(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.status == Attend.PENDING
        )
    ):
        line.status = Attend.UNEXCUSED
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
