"""The live meeting's three views (secretary's console, projector, member's phone) and the
polling that keeps them current: version checks and region fragments."""

from __future__ import annotations

import json
import uuid

import segno
from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.audit.models import record
from blueprints.meetings import fragments, push
from blueprints.meetings.blueprint import (
    CONSOLE_PARTS,
    MEMBER_PARTS,
    PART_TEMPLATES,
    PROJECTOR_PARTS,
    bp,
    get_meeting,
    my_member,
    refuse,
    runs_the_room,
    task_form,
)
from blueprints.meetings.forms import MotionForm, OpinionForm, RatingForm
from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import (
    Attend,
    Attendance,
    Choice,
    Meeting,
    MeetingStatus,
    Motion,
    MotionStatus,
    Opinion,
    Rating,
    Recommendation,
    Speaker,
    SpeakerStatus,
    Task,
)
from blueprints.meetings.services.attendance import (
    REASON_PRESETS,
    attendance_of,
    checkin_code,
    roll_names,
    totals,
)
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.rules import PROBATIONARY_NO_VOTE, may_vote
from blueprints.meetings.services.scheduling import sync_attendance, tasks_to_review
from blueprints.meetings.services.votes import on_behalf_message, vote_counts, voters_count
from blueprints.meetings.stages import Stage, allowed_in
from blueprints.members.models import Member
from core.extensions import db
from core.i18n import fmt_datetime
from core.models import utcnow
from core.permissions import AUTHENTICATED, PUBLIC, authorize, can, permission
from core.rendering import render
from core.urls import external_url


@bp.post("/<int:meeting_id>/start")
@permission("meeting.manage")
@allowed_in(Stage.SCHEDULED)
def start(meeting_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    if not meeting.is_scheduled:
        return refuse(meeting, _("Buổi sinh hoạt đã bắt đầu hoặc đã kết thúc."), 409)
    if meeting.too_early_to_start:
        message = _(
            "Buổi sinh hoạt này dự kiến bắt đầu lúc %(when)s. Chỉ bắt đầu được trong vòng 12 giờ "
            "trước giờ sinh hoạt; nếu chi bộ họp sớm hơn, hãy sửa thời gian trước.",
            when=fmt_datetime(meeting.starts_at),
        )
        return refuse(meeting, message, 409)
    sync_attendance(meeting)
    meeting.status = MeetingStatus.ONGOING
    meeting.started_at = utcnow()
    if meeting.items:
        meeting.current_item_id = meeting.items[0].id
    live_change(meeting)
    record("meeting.start", meeting)
    db.session.commit()
    return redirect(url_for("meetings.console", meeting_id=meeting.id))


def _console_context(meeting: Meeting) -> dict:
    lines = db.session.scalars(
        select(Attendance)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id == meeting.id)
        .options(selectinload(Attendance.member))
        .order_by(Member.name_sort)
    ).all()
    speakers = db.session.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.status != SpeakerStatus.DONE)
        .options(selectinload(Speaker.member))
        .order_by(Speaker.requested_at, Speaker.id)
    ).all()
    opinions = db.session.scalars(
        select(Opinion)
        .where(Opinion.meeting_id == meeting.id)
        .options(selectinload(Opinion.member), selectinload(Opinion.item))
        .order_by(Opinion.created_at.desc())
    ).all()
    motions = db.session.scalars(
        select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id.desc())
    ).all()
    tasks = db.session.scalars(
        select(Task)
        .where(Task.meeting_id == meeting.id)
        .options(selectinload(Task.assignee))
        .order_by(Task.id)
    ).all()
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.meeting_id == meeting.id)
        .options(selectinload(Recommendation.member))
    ).all()
    present_ids = [ln.member_id for ln in lines if ln.status == Attend.PRESENT]
    return {
        "lines": lines,
        "speakers": speakers,
        "opinions": opinions,
        "motions": motions,
        "motion_stats": {m.id: (vote_counts(m), voters_count(m)) for m in motions},
        "tasks": tasks,
        "recs": recs,
        "review_tasks": tasks_to_review(meeting),
        "present_ids": present_ids,
        "members": [ln.member for ln in lines],
        # Namesakes told apart (birth year or the card's last digits), preset reasons.
        "names": roll_names([ln.member for ln in lines]),
        "reason_presets": REASON_PRESETS,
        # Votes on a member's behalf: only by the people running the room, only for members
        # checked in on their behalf (no smartphone).
        "may_record_on_behalf": runs_the_room(meeting),
        "proxy_lines": [ln for ln in lines if ln.status == Attend.PRESENT and ln.by_proxy],
    }


def _common(meeting: Meeting, *, with_totals: bool = True) -> dict:
    return {
        "meeting": meeting,
        "t": totals(meeting) if with_totals else None,
        "attend_labels": Attend.labels(),
        "choice_labels": Choice.labels(),
        "key": uuid.uuid4().hex,
    }


def _code_context(meeting: Meeting) -> dict:
    code = checkin_code(meeting)
    url = external_url("meetings.checkin", meeting_id=meeting.id, code=code)
    return {"code": code, "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2)}


@bp.get("/<int:meeting_id>/console")
@permission("meeting.manage")
def console(meeting_id: int):
    """The secretary's laptop console."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    ctx = _common(meeting) | _console_context(meeting) | _code_context(meeting)
    return render(
        "meetings/console.html", motion_form=MotionForm(), task_form=task_form(meeting), **ctx
    )


@bp.get("/<int:meeting_id>/projector")
@permission("meeting.manage")
def projector(meeting_id: int):
    """Shared-screen view in large type."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    return render(
        "meetings/projector.html",
        **_common(meeting),
        **_projector_context(meeting),
        **_code_context(meeting),
    )


def _projector_context(meeting: Meeting) -> dict:
    motion = db.session.scalar(
        select(Motion)
        .where(Motion.meeting_id == meeting.id, Motion.status != MotionStatus.DRAFT)
        .order_by(Motion.id.desc())
        .limit(1)
    )
    stats = (vote_counts(motion), voters_count(motion)) if motion else None
    return {"motion": motion, "stats": stats}


def member_lists(meeting: Meeting) -> tuple[list[Motion], list[Speaker]]:
    """The meeting's non-draft motions (newest first) and its speakers' queue, as every
    member's region shows them (also the basis of the push message's shape)."""
    motions = db.session.scalars(
        select(Motion)
        .where(Motion.meeting_id == meeting.id, Motion.status != MotionStatus.DRAFT)
        .order_by(Motion.id.desc())
    ).all()
    queue = db.session.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.status != SpeakerStatus.DONE)
        .options(joinedload(Speaker.member))
        .order_by(Speaker.requested_at, Speaker.id)
    ).all()
    return list(motions), list(queue)


def _member_context(meeting: Meeting, member: Member) -> dict:
    line = attendance_of(meeting.id, member.id)
    motions, queue = member_lists(meeting)
    voted: set[int] = set()
    my_choice: dict[int, str] = {}
    on_behalf: dict[int, str] = {}
    if motions:
        ids = [m.id for m in motions]
        rows = db.session.execute(
            select(OpenVote.motion_id, OpenVote.choice, OpenVote.by_proxy, OpenVote.recorded_at)
            .where(OpenVote.member_id == member.id, OpenVote.motion_id.in_(ids))
            .union_all(
                select(
                    BallotReceipt.motion_id,
                    literal(None),
                    BallotReceipt.by_proxy,
                    BallotReceipt.recorded_at,
                ).where(BallotReceipt.member_id == member.id, BallotReceipt.motion_id.in_(ids))
            )
        ).all()
        # "Sent" only for what the member sent themselves; a vote recorded on their behalf is
        # shown as such, with its time (the phone never claims a vote it did not send).
        voted = {motion_id for motion_id, _c, proxy, _t in rows if not proxy}
        my_choice = {motion_id: choice for motion_id, choice, _p, _t in rows if choice}
        on_behalf = {motion_id: on_behalf_message(at) for motion_id, _c, proxy, at in rows if proxy}
    my_place = next((i + 1 for i, s in enumerate(queue) if s.member_id == member.id), None)
    speaking = next((s for s in queue if s.status == SpeakerStatus.SPEAKING), None)

    # Top card ("head") and catch-up list ("done"): the same for every member.
    shared_part = fragments.member_shared(meeting, motions)
    late = bool(
        line
        and line.checked_in_at
        and meeting.started_at
        and (line.checked_in_at - meeting.started_at).total_seconds() > 300
    )
    rated = meeting.is_closed and db.session.scalar(
        select(func.count())
        .select_from(Rating)
        .where(Rating.meeting_id == meeting.id, Rating.member_id == member.id)
    )
    return {
        "member": member,
        # Điều lệ Đảng, Điều 3: a probationary member's phone says why it offers no vote.
        "may_vote": may_vote(member.status),
        "no_vote_reason": str(PROBATIONARY_NO_VOTE),
        "line": line,
        "motions": motions,
        "voted": voted,
        "my_choice": my_choice,
        "on_behalf": on_behalf,
        "my_place": my_place,
        "speaking": speaking,
        "shared_part": shared_part,
        "late": late,
        "rated": rated,
        # Only a phone that listens for pushes compares shapes; polling phones skip the cost.
        # Phones compare it with each change's shared message (pushed or polled).
        "shape": push.shape(meeting, motions, queue),
    }


@bp.get("/<int:meeting_id>/live")
@permission("meeting.view")
def live(meeting_id: int):
    """The member's phone view."""
    meeting = get_meeting(meeting_id)
    member = current_user.member
    if member is None or member.cell_id != meeting.cell_id:
        if can(current_user, "meeting.manage", meeting):
            return redirect(url_for("meetings.console", meeting_id=meeting.id))
        abort(403)
    return render(
        "meetings/live.html",
        push_url=push.subscribe_url(meeting.id),
        opinion_form=OpinionForm(),
        rating_form=RatingForm(),
        **_common(meeting),
        **_member_context(meeting, member),
    )


def _shared_message(meeting: Meeting) -> Response | None:
    """The change's shared message, when the polling phone's region has its shape."""
    seen_shape = request.args.get("shape")
    if seen_shape is None:
        return None
    text = push.poll_message(meeting)
    if json.loads(text)["shape"] != seen_shape:
        return None
    headers = {"X-Meeting-Version": str(meeting.version), "Cache-Control": "no-store"}
    return Response(text, mimetype="application/json", headers=headers)


@bp.get("/<int:meeting_id>/live/version")
@permission(AUTHENTICATED)
def live_version(meeting_id: int):
    """The cheap poll: 204 with no body while the meeting's version is unchanged.

    When it has changed: the new version as text, or with `part=member` (the member's phone)
    the refreshed member region itself, rendered by `part` with its own permission checks.
    One small query reads the meeting's cell and version together with the cell of the
    caller's member record; only people outside the cell (leaders above, staff) take the
    slower full permission check. No template is rendered on this path.
    """
    known = request.args.get("v") or request.headers.get("X-Meeting-Version")
    part_name = request.args.get("part")
    if part_name in MEMBER_PARTS and current_user.member is not None:
        # A member's phone: the meeting row is needed anyway if the version moved.
        meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.cell)])
        if meeting is None:
            abort(404)
        if current_user.member.cell_id == meeting.cell_id:
            if known == str(meeting.version):
                return Response(status=204, headers={"Cache-Control": "no-store"})
            # The version moved. A phone whose region has the change's shape gets the shared
            # message (applied in place; built once, then served by the fast path); any
            # other gets its refreshed region at once, saving it a second round trip.
            return _shared_message(meeting) or part(meeting_id, part_name)
    row = db.session.execute(
        select(Meeting.cell_id, Meeting.version, Member.cell_id)
        .select_from(Meeting)
        .outerjoin(Member, Member.id == current_user.member_id)
        .where(Meeting.id == meeting_id)
    ).first()
    if row is None:
        abort(404)
    cell_id, version, member_cell = row
    if member_cell != cell_id:
        authorize("meeting.view", db.session.get(Meeting, meeting_id))
    if known == str(version):
        return Response(status=204, headers={"Cache-Control": "no-store"})
    return Response(
        str(version),
        mimetype="text/plain",
        headers={"X-Meeting-Version": str(version), "Cache-Control": "no-store"},
    )


@bp.get("/<int:meeting_id>/live/push-auth")
@permission(PUBLIC)  # checked here: the gateway needs a bare 403, never a redirect to login
def push_auth(meeting_id: int):
    """May the caller listen to the meeting's push channel? Asked by the gateway (nchan's
    authorisation request) with the phone's cookies: 204 for a member of the meeting's cell,
    403 for anyone else. Members of the cell are usually answered by the WSGI fast path."""
    # Bare answers, no error page: the gateway only reads the status (and nchan 1.3.6 has
    # been seen to crash a worker relaying a large refusal body).
    # (A redirect answer has been seen to let the EventSource in: nchan 1.3.6.)
    meeting = db.session.get(Meeting, meeting_id)
    member = current_user.member if current_user.is_authenticated else None
    allowed = meeting is not None and member is not None and member.cell_id == meeting.cell_id
    return Response(status=204 if allowed else 403, headers={"Cache-Control": "no-store"})


@bp.get("/<int:meeting_id>/part/<name>")
@permission("meeting.view")
def part(meeting_id: int, name: str):
    """One refreshed region of a live view."""
    meeting = get_meeting(meeting_id)
    if name in CONSOLE_PARTS or name in PROJECTOR_PARTS:
        authorize("meeting.manage", meeting)
        ctx = _common(meeting)
        if name in CONSOLE_PARTS:
            ctx |= _console_context(meeting)
        if name == "projector":
            ctx |= _projector_context(meeting)
        if name in ("head", "projector"):
            ctx |= _code_context(meeting)
    elif name in MEMBER_PARTS:
        member = my_member(meeting)
        # The quorum figures are in the shared head fragment: counted only when it is rendered.
        ctx = _common(meeting, with_totals=False) | _member_context(meeting, member)
    else:
        abort(404)
    response = Response(render_template(PART_TEMPLATES[name], **ctx))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Meeting-Version"] = str(meeting.version)
    return response
