"""Meeting logic kept out of the views: agenda template, check-in codes, quorum, votes,
minutes drafting and the quality score."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from blueprints.meetings import tally
from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import (
    MINUTES_MAX_CHARS,
    ActionKey,
    AgendaItem,
    Attend,
    Attendance,
    Choice,
    Document,
    Majority,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesRevision,
    Motion,
    Opinion,
    Rating,
    Speaker,
    Task,
    bump,
)
from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from core.extensions import db
from core.i18n import fmt_date, fmt_datetime, fmt_percent
from core.models import utcnow

# (key, title) of the standard agenda of each kind of meeting.
AGENDA_TEMPLATES = {
    MeetingKind.REGULAR: [
        ("opening", _l("Khai mạc, giới thiệu đại biểu, cử thư ký")),
        ("rollcall", _l("Báo cáo tình hình đảng viên dự họp (điểm danh)")),
        ("documents", _l("Thông tin thời sự, phổ biến văn bản của cấp trên")),
        ("review", _l("Kiểm điểm việc thực hiện nhiệm vụ tháng trước")),
        ("discussion", _l("Thảo luận, đóng góp ý kiến")),
        ("next_tasks", _l("Phương hướng, nhiệm vụ tháng tới")),
        ("resolution", _l("Thông qua nghị quyết, biểu quyết")),
        ("closing", _l("Thông qua biên bản, bế mạc")),
    ],
    MeetingKind.THEMATIC: [
        ("opening", _l("Khai mạc, giới thiệu đại biểu, cử thư ký")),
        ("rollcall", _l("Báo cáo tình hình đảng viên dự họp (điểm danh)")),
        ("documents", _l("Trình bày chuyên đề và văn bản của cấp trên")),
        ("review", _l("Kiểm điểm việc thực hiện nhiệm vụ tháng trước")),
        ("discussion", _l("Thảo luận chuyên đề")),
        ("next_tasks", _l("Phương hướng, nhiệm vụ tháng tới")),
        ("resolution", _l("Kết luận chuyên đề, biểu quyết")),
        ("closing", _l("Thông qua biên bản, bế mạc")),
    ],
}

CODE_WINDOW_SECONDS = 60


def apply_template(meeting: Meeting) -> None:
    """Fill a new meeting's agenda from the standard template of its kind."""
    for position, (key, title) in enumerate(
        AGENDA_TEMPLATES[MeetingKind(meeting.kind or MeetingKind.REGULAR)]
    ):
        meeting.items.append(AgendaItem(position=position, key=key, title=str(title)))


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


# ---- check-in code -------------------------------------------------------------------------


def checkin_code(meeting: Meeting, at: float | None = None) -> str:
    """The 6-digit code shown on the console; it changes every minute.

    Derived from the app secret, the meeting's own secret and the minute, so every worker and
    host computes the same code without sharing any state.
    """
    window = int((at or time.time()) // CODE_WINDOW_SECONDS)
    key = (current_app.config["SECRET_KEY"] + meeting.checkin_secret).encode()
    digest = hmac.new(key, f"{meeting.id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def code_is_valid(meeting: Meeting, code: str) -> bool:
    """True for the current code or the previous one (a member may be slow to type)."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = time.time()
    return any(
        hmac.compare_digest(code, checkin_code(meeting, now - back))
        for back in (0, CODE_WINDOW_SECONDS)
    )


# Guessing the code. An absent member could script guesses at ~125 a second (74% chance to
# "check in" over a 90-minute meeting). Now every check-in attempt of one account at one
# meeting counts (atomically, in the shared rate-limit store: the database or Redis, so all
# workers and hosts share it), and past 5 attempts in a 10-minute window the next ones are
# refused until the window ends. Odds for a guesser: 2 codes are valid at any moment (this
# minute's and the last), so each guess wins with p = 2/1.000.000; a 90-minute meeting touches
# at most 10 windows, i.e. at most 50 guesses: P = 1 - (1 - 2e-6)^50 ≈ 0,01% (1 in 10.000).
# Six digits stay easy to type for older members.
CHECKIN_LIMIT = "5 per 10 minutes"


def checkin_attempt(meeting: Meeting, user_id: int) -> int:
    """Count one check-in attempt; 0 when it may go ahead, else the minutes left to wait.

    The attempt is counted BEFORE the code is checked, in one atomic increment, so parallel
    guesses cannot slip in between a check and a count.
    """
    from limits import parse

    from core.extensions import limiter

    item = parse(current_app.config.get("MEETING_CHECKIN_LIMIT", CHECKIN_LIMIT))
    ids = ("meeting-checkin", str(meeting.id), str(user_id))
    if limiter.limiter.hit(item, *ids):
        return 0
    reset_at, _remaining = limiter.limiter.get_window_stats(item, *ids)
    return max(1, int((reset_at - time.time()) // 60) + 1)


# ---- attendance and quorum -----------------------------------------------------------------


@dataclass
class Totals:
    """Attendance figures of a meeting."""

    total: int = 0
    official: int = 0
    probationary: int = 0
    exempt: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0
    pending: int = 0
    quorum_percent: int = 50

    @property
    def eligible(self) -> int:
        """Members counted for quorum and rates: everyone but the exempt."""
        return self.total - self.exempt

    @property
    def needed(self) -> int:
        """Smallest number present that is MORE than quorum_percent of the eligible."""
        return self.eligible * self.quorum_percent // 100 + 1 if self.eligible else 0

    @property
    def quorum(self) -> bool:
        return self.eligible > 0 and self.present >= self.needed

    @property
    def rate(self) -> float:
        return self.present / self.eligible if self.eligible else 0.0


def totals(meeting: Meeting) -> Totals:
    """Count the roll call in one query."""
    rows = db.session.execute(
        select(Attendance.status, Member.status, func.count())
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id == meeting.id)
        .group_by(Attendance.status, Member.status)
    ).all()
    t = Totals(quorum_percent=meeting.quorum_percent)
    for attend, member_status, n in rows:
        t.total += n
        if member_status == MemberStatus.EXEMPT or attend == Attend.EXEMPT:
            t.exempt += n
            continue
        if member_status == MemberStatus.PROBATIONARY:
            t.probationary += n
        else:
            t.official += n
        if attend == Attend.PRESENT:
            t.present += n
        elif attend == Attend.EXCUSED:
            t.excused += n
        elif attend == Attend.UNEXCUSED:
            t.unexcused += n
        else:
            t.pending += n
    return t


def attendance_of(meeting_id: int, member_id: int) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
        )
    )


def check_in(meeting: Meeting, member_id: int, *, by=None, proxy_reason: str = "") -> bool:
    """Mark a member present; False when they already were (a repeated check-in does nothing)."""
    line = attendance_of(meeting.id, member_id)
    if line is None:
        line = Attendance(meeting_id=meeting.id, member_id=member_id)
        db.session.add(line)
    if line.status == Attend.PRESENT:
        return False
    line.status = Attend.PRESENT
    line.reason = ""
    line.checked_in_at = utcnow()
    line.by_proxy = bool(proxy_reason)
    line.proxy_reason = proxy_reason
    line.recorded_by_id = getattr(by, "id", None)
    bump(meeting.id)
    return True


# ---- idempotency ---------------------------------------------------------------------------


def claim_action(meeting_id: int, key: str | None) -> bool:
    """Record a client action's key; False when the same action was already done."""
    if not key:
        return True
    key = key[:64]
    if db.session.get(ActionKey, key) is not None:
        return False
    db.session.add(ActionKey(key=key, meeting_id=meeting_id))
    return True


# ---- votes ---------------------------------------------------------------------------------


class VoteError(Exception):
    """A vote that cannot be taken (motion not open, not present...)."""


def cast_vote(
    motion: Motion, member_id: int, choice: str, *, by=None, proxy_reason: str = ""
) -> bool:
    """Record one vote and commit; False when this member had already voted (counted once).

    Open votes store the member with the choice. A secret vote stores a receipt (who voted)
    and adds one to its choice's tally (no ballot row: see tally.py) in the same transaction;
    the unique receipt makes a second submission fail as a whole, so it is not counted.
    `by`/`proxy_reason` are given for a vote recorded on the member's behalf.
    """
    if motion.status != "open":
        raise VoteError(_("Biểu quyết này chưa mở hoặc đã kết thúc."))
    if choice not in {c.value for c in Choice}:
        raise VoteError(_("Lựa chọn không hợp lệ."))
    common = {"by_proxy": bool(proxy_reason), "proxy_reason": proxy_reason}
    common["recorded_by_id"] = getattr(by, "id", None)
    common["recorded_at"] = utcnow() if proxy_reason else None
    try:
        if motion.secret:
            db.session.add(BallotReceipt(motion_id=motion.id, member_id=member_id, **common))
        else:
            db.session.add(
                OpenVote(motion_id=motion.id, member_id=member_id, choice=choice, **common)
            )
        db.session.flush()
        # Read the status again now that this transaction writes: a close that committed
        # meanwhile has already counted, so this vote must not be kept (see close_motion).
        status = db.session.scalar(
            select(Motion.status).where(Motion.id == motion.id).with_for_update(read=True)
        )
        if status != "open":
            db.session.rollback()
            raise VoteError(_("Biểu quyết này chưa mở hoặc đã kết thúc."))
        if motion.secret:
            # After the motion is share-locked: a close holding it waits for no tally row lock.
            tally.add_vote(motion.id, choice)
        bump(motion.meeting_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def recorded_on_behalf(motion: Motion, member_id: int):
    """When the member's vote on `motion` was recorded on their behalf, else None."""
    model = BallotReceipt if motion.secret else OpenVote
    return db.session.scalar(
        select(model.recorded_at).where(
            model.motion_id == motion.id, model.member_id == member_id, model.by_proxy.is_(True)
        )
    )


def on_behalf_message(recorded_at) -> str:
    """What the member's phone says about a vote recorded for them (never "sent")."""
    return _(
        "Phiếu của đồng chí đã được bí thư ghi thay lúc %(time)s. Điện thoại này không gửi "
        "phiếu nào. Nếu đồng chí không nhờ ghi thay, hãy báo ngay chủ trì buổi họp.",
        time=fmt_datetime(recorded_at) if recorded_at else "",
    )


def vote_counts(motion: Motion) -> dict[str, int]:
    """Counts per choice, live (a secret vote's come from its tally while it is open)."""
    if motion.secret:
        if motion.status == "closed":
            return {"yes": motion.yes, "no": motion.no, "abstain": motion.abstain}
        return tally.counts(motion.id)
    q = select(OpenVote.choice, func.count()).where(OpenVote.motion_id == motion.id)
    q = q.group_by(OpenVote.choice)
    counts = {c.value: 0 for c in Choice}
    counts.update(dict(db.session.execute(q).all()))
    return counts


def voters_count(motion: Motion) -> int:
    model = BallotReceipt if motion.secret else OpenVote
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.motion_id == motion.id)
    )


def close_motion(motion: Motion, meeting: Meeting) -> bool:
    """Close the vote, store the counts and decide by the motion's majority rule.

    The motion row is locked and marked closed before anything is counted, so a vote being
    written at the same moment either finishes first and is counted or finds the vote closed.
    False when another request closed it first.
    """
    locked = select(Motion).where(Motion.id == motion.id).with_for_update()
    db.session.execute(locked.execution_options(populate_existing=True))
    if motion.status != "open":
        return False
    motion.status = "closed"
    motion.closed_at = utcnow()
    db.session.flush()  # on SQLite this takes the write lock before the count
    counts = tally.counts(motion.id) if motion.secret else vote_counts(motion)
    t = totals(meeting)
    motion.yes, motion.no, motion.abstain = counts["yes"], counts["no"], counts["abstain"]
    if motion.majority == Majority.ALL:
        motion.base = t.eligible
        motion.passed = motion.yes * 2 > motion.base
    elif motion.majority == Majority.TWO_THIRDS:
        motion.base = t.present
        motion.passed = motion.base > 0 and motion.yes * 3 >= motion.base * 2
    else:
        motion.base = t.present
        motion.passed = motion.yes * 2 > motion.base
    if motion.secret:
        tally.discard(motion.id)  # only the final counts, on the motion, remain
    bump(meeting.id)
    return True


# ---- quality -------------------------------------------------------------------------------


@dataclass
class Quality:
    """The meeting's score out of 100 and its parts."""

    attendance: int
    duration: int
    speakers: int
    documents: int
    minutes: int

    @property
    def score(self) -> int:
        return self.attendance + self.duration + self.speakers + self.documents + self.minutes

    @property
    def label(self) -> str:
        return grade(self.score)


def grade(score: float) -> str:
    """Tốt (≥ 90), Khá (70–89), Trung bình (50–69), Kém (< 50)."""
    if score >= 90:
        return _("Tốt")
    if score >= 70:
        return _("Khá")
    if score >= 50:
        return _("Trung bình")
    return _("Kém")


MINUTES_POINTS = 15  # part of the quality score earned by approved minutes


def quality(meeting: Meeting) -> Quality:
    """Score: attendance 30, duration 20, members who spoke 20, documents in time 15, minutes 15.

    Full marks on attendance when every eligible member is present, on duration at 90 minutes
    (120 for thematic or combined meetings), on opinions when at least half of those present
    spoke or wrote, on documents when none came later than one day before, on minutes when
    they are approved.
    """
    t = totals(meeting)
    attendance = round(30 * t.rate)
    duration = round(20 * min(1.0, meeting.duration_minutes / meeting.required_minutes))
    spoke = db.session.scalar(
        select(func.count(func.distinct(Opinion.member_id))).where(Opinion.meeting_id == meeting.id)
    )
    speakers = round(20 * min(1.0, spoke / max(1, t.present) * 2)) if t.present else 0
    docs = list(db.session.scalars(select(Document).where(Document.meeting_id == meeting.id)))
    late = sum(1 for d in docs if d.late)
    documents = 15 if not docs else round(15 * (len(docs) - late) / len(docs))
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    minutes_points = MINUTES_POINTS if minutes is not None and minutes.locked else 0
    return Quality(attendance, duration, speakers, documents, minutes_points)


def store_quality(meeting: Meeting) -> None:
    """Keep the meeting's current score on the meeting (see Meeting.quality_score)."""
    db.session.flush()  # the score reads attendance, opinions and minutes from the database
    meeting.quality_score = quality(meeting).score


def ratings_summary(meeting_id: int) -> dict:
    """Average member ratings (1–5) and how many rated."""
    row = db.session.execute(
        select(
            func.count(),
            func.avg(Rating.preparation),
            func.avg(Rating.proceedings),
            func.avg(Rating.follow_through),
        ).where(Rating.meeting_id == meeting_id)
    ).one()
    return {"count": row[0], "preparation": row[1], "proceedings": row[2], "follow": row[3]}


# ---- tasks ---------------------------------------------------------------------------------


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


# ---- minutes -------------------------------------------------------------------------------


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
    bump(meeting.id)
    return minutes
