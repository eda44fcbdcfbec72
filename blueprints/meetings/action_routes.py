"""What happens during the meeting: check-in and roll call, the current item, speakers,
opinions, motions and votes (open and secret, in person or on behalf), tasks."""

from __future__ import annotations

import uuid

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from blueprints.audit.models import record
from blueprints.meetings.blueprint import (
    NOT_IN_THE_ROOM,
    acknowledge,
    bp,
    get_meeting,
    my_member,
    refuse,
    runs_the_room,
    task_form,
    warn_no_quorum,
)
from blueprints.meetings.forms import MotionForm, OpinionForm
from blueprints.meetings.models import (
    AgendaItem,
    Attend,
    Meeting,
    Motion,
    MotionStatus,
    Opinion,
    Speaker,
    SpeakerStatus,
    Task,
)
from blueprints.meetings.services.attendance import (
    attendance_of,
    check_in,
    checkin_attempt,
    code_is_valid,
    totals,
)
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.votes import (
    VoteError,
    cast_vote,
    on_behalf_message,
    open_motion,
    recorded_on_behalf,
)
from blueprints.meetings.services.votes import close_motion as close_and_count
from blueprints.meetings.stages import BEFORE_CLOSE, Stage, allowed_in
from core.extensions import db
from core.idempotency import first_time
from core.ids import db_int
from core.models import utcnow
from core.permissions import permission
from core.rendering import is_htmx, render
from core.text import clean, clean_multiline

NO_CHOICE = _l(
    'Đồng chí chưa chọn: hãy chọn "Tán thành", "Không tán thành" hoặc "Không biểu quyết", '
    'rồi bấm "Gửi phiếu".'
)


@bp.route("/<int:meeting_id>/checkin", methods=["GET", "POST"])
@permission("meeting.take_part")
@allowed_in(Stage.ONGOING)
def checkin(meeting_id: int):
    """A member checks in with the code shown on the console (typed, or from the QR code)."""
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    if request.method == "GET":
        return render(
            "meetings/checkin.html", meeting=meeting, code=request.args.get("code", "")[:12]
        )
    line = attendance_of(meeting.id, member.id)
    if line is None or line.status != Attend.PRESENT:  # a present member has nothing to guess
        wait = checkin_attempt(meeting, current_user.id)
        if wait:
            message = _(
                "Đồng chí đã nhập mã nhiều lần chưa đúng. Đồng chí hãy chờ khoảng %(minutes)s phút "
                "rồi nhập lại mã đang hiện trên màn hình, hoặc báo bí thư chi bộ điểm danh giúp.",
                minutes=wait,
            )
            return refuse(meeting, message, 429)
        if not code_is_valid(meeting, request.form.get("code", "")):
            wrong = _(
                "Mã điểm danh không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trên màn hình."
            )
            if not is_htmx():  # the page of the QR code: stay on the field, error beside it
                return render("meetings/checkin.html", status=400, meeting=meeting, error=wrong)
            return refuse(meeting, wrong)
        check_in(meeting, member.id, by=current_user)
        db.session.commit()
    if not is_htmx():
        flash(_("Đã điểm danh: có mặt ✓"), "success")
        return redirect(url_for("meetings.live", meeting_id=meeting.id))
    return acknowledge(meeting, _("Đã điểm danh: có mặt ✓"))


@bp.post("/<int:meeting_id>/current")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def set_current(meeting_id: int):
    """Move the meeting to an agenda item; the items before it are marked done."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    item_id = request.form.get("item_id", type=db_int)
    items = list(meeting.items)
    target = next((i for i in items if i.id == item_id), None)
    if target is None:
        abort(404)
    for item in items:
        if item.position < target.position:
            item.done = True
    target.done = False
    meeting.current_item_id = target.id
    live_change(meeting)
    db.session.commit()
    return acknowledge(meeting, _("Đã chuyển sang nội dung: %(title)s", title=target.title))


@bp.post("/<int:meeting_id>/items/<int:item_id>/conclusion")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def conclude(meeting_id: int, item_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    item.conclusion = clean_multiline(request.form.get("conclusion"))[:4000]
    live_change(meeting)
    db.session.commit()
    return acknowledge(meeting, _("Đã lưu kết luận ✓"))


@bp.post("/<int:meeting_id>/speak")
@permission("meeting.take_part")
@allowed_in(Stage.ONGOING)
def speak(meeting_id: int):
    """ "Xin phát biểu": join the speakers queue (once)."""
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Speaker)
        .where(
            Speaker.meeting_id == meeting.id,
            Speaker.member_id == member.id,
            Speaker.status != SpeakerStatus.DONE,
        )
    )
    if not waiting and first_time(request.form.get("key")):
        db.session.add(
            Speaker(meeting_id=meeting.id, member_id=member.id, item_id=meeting.current_item_id)
        )
        live_change(meeting)
        db.session.commit()
    return acknowledge(meeting, _("Đã đăng ký phát biểu ✓"))


@bp.post("/<int:meeting_id>/speakers/next")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def next_speaker(meeting_id: int):
    """Call the next member in the queue."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    current = db.session.scalar(
        select(Speaker).where(
            Speaker.meeting_id == meeting.id, Speaker.status == SpeakerStatus.SPEAKING
        )
    )
    if current is not None:
        return refuse(meeting, _("Hãy ghi ý kiến của người đang phát biểu trước."), 409)
    nxt = db.session.scalar(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.status == SpeakerStatus.WAITING)
        .order_by(Speaker.requested_at, Speaker.id)
        .limit(1)
    )
    if nxt is None:
        return refuse(meeting, _("Không còn ai đăng ký phát biểu."), 409)
    nxt.status = SpeakerStatus.SPEAKING
    nxt.called_at = utcnow()
    live_change(meeting)
    db.session.commit()
    return acknowledge(meeting, _("Mời đồng chí %(name)s phát biểu", name=nxt.member.full_name))


@bp.post("/<int:meeting_id>/speakers/<int:speaker_id>/done")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def speaker_done(meeting_id: int, speaker_id: int):
    """Record what the speaker said (by name) and end their turn."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.meeting_id != meeting.id:
        abort(404)
    text = clean_multiline(request.form.get("text"))[:4000]
    if speaker.status != SpeakerStatus.DONE:
        if text:
            db.session.add(
                Opinion(
                    meeting_id=meeting.id,
                    item_id=meeting.current_item_id or speaker.item_id,
                    member_id=speaker.member_id,
                    spoken=True,
                    text=text,
                )
            )
        speaker.status = SpeakerStatus.DONE
        live_change(meeting)
        db.session.commit()
    return acknowledge(meeting, _("Đã ghi ý kiến phát biểu ✓"))


@bp.post("/<int:meeting_id>/opinions")
@permission("meeting.take_part")
@allowed_in(Stage.ONGOING)
def opinion(meeting_id: int):
    """A written opinion on the current item, by name."""
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    form = OpinionForm()
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy nhập ý kiến."))
    # The offline outbox's key and the form's own key (sent without the app script too).
    if first_time(request.form.get("idempotency_key")) and first_time(form.key.data):
        db.session.add(
            Opinion(
                meeting_id=meeting.id,
                item_id=meeting.current_item_id,
                member_id=member.id,
                text=form.text.data,
            )
        )
        live_change(meeting)
        db.session.commit()
    if is_htmx():
        response = Response(
            render_template(
                "meetings/_r_opinion_form.html",
                meeting=meeting,
                opinion_form=OpinionForm(formdata=None),
                key=uuid.uuid4().hex,
                sent=True,
            )
        )
        # No HX-Trigger here: a refresh racing this answer would wipe the "Đã gửi ✓"; the
        # next version poll (≤ 1 s) brings the other regions up to date.
        return response
    return acknowledge(meeting, _("Đã gửi ý kiến ✓"))


@bp.post("/<int:meeting_id>/motions")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def add_motion(meeting_id: int):
    """Put a motion to the vote on the current item (voting opens at once)."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    form = MotionForm()
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy nhập nội dung biểu quyết."))
    # The version bump comes first: it takes the meeting's write lock (row lock on PostgreSQL,
    # the database's on SQLite), so two secretaries opening votes at once are served in turn
    # and the second one sees the first one's vote below.
    live_change(meeting)
    already = open_motion(meeting)
    if already is not None:
        message = _(
            "Đang có một biểu quyết chưa kết thúc: «%(text)s». Mỗi lúc chỉ mở một biểu quyết; "
            "hãy kết thúc biểu quyết đó trước rồi mở biểu quyết mới.",
            text=already.text,
        )
        return refuse(meeting, message, 409)
    t = totals(meeting)
    if not t.quorum and form.confirm_no_quorum.data != "1":
        db.session.rollback()
        return warn_no_quorum(meeting, form, t)
    motion = Motion(
        meeting_id=meeting.id,
        item_id=meeting.current_item_id,
        text=form.text.data,
        secret=form.secret.data,
        majority=form.majority.data,
        status=MotionStatus.OPEN,
        opened_at=utcnow(),
    )
    db.session.add(motion)
    record(
        "meeting.motion_open",
        meeting,
        text=motion.text,
        secret=motion.secret,
        quorum=t.quorum,
        present=t.official_present,
        base=t.base,
    )
    db.session.commit()
    return acknowledge(meeting, _("Đã mở biểu quyết ✓"))


def _motion(meeting: Meeting, motion_id: int) -> Motion:
    motion = db.session.get(Motion, motion_id)
    if motion is None or motion.meeting_id != meeting.id:
        abort(404)
    return motion


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/close")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def close_motion(meeting_id: int, motion_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    motion = _motion(meeting, motion_id)
    if motion.status != MotionStatus.OPEN:
        return refuse(meeting, _("Biểu quyết này đã kết thúc."), 409)
    if not close_and_count(motion, meeting):
        db.session.rollback()
        return refuse(meeting, _("Biểu quyết này đã kết thúc."), 409)
    record("meeting.motion_close", meeting, motion_id=motion.id, yes=motion.yes, no=motion.no)
    db.session.commit()
    return acknowledge(meeting, _("Đã kết thúc biểu quyết và công bố kết quả ✓"))


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/vote")
@permission("meeting.take_part")
@allowed_in(Stage.ONGOING)
def vote(meeting_id: int, motion_id: int):
    """A member's vote; sending it twice counts once."""
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    motion = _motion(meeting, motion_id)
    line = attendance_of(meeting.id, member.id)
    if line is None or line.status != Attend.PRESENT:
        return refuse(meeting, _("Đồng chí cần điểm danh có mặt trước khi biểu quyết."), 409)
    if not request.form.get("choice"):
        return refuse(meeting, NO_CHOICE)
    try:
        counted = cast_vote(motion, member.id, request.form.get("choice", ""))
    except VoteError as error:
        return refuse(meeting, str(error), 409)
    if counted:
        return acknowledge(meeting, _("Đã gửi biểu quyết ✓"))
    recorded_at = recorded_on_behalf(motion, member.id)
    if recorded_at is not None:
        # Say plainly that this phone's vote was NOT sent, and why.
        return refuse(meeting, on_behalf_message(recorded_at), 409)
    return acknowledge(meeting, _("Đồng chí đã biểu quyết rồi ✓"))


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/proxy")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def proxy_vote(meeting_id: int, motion_id: int):
    """Record the vote of a present member without a smartphone, with the reason kept."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    motion = _motion(meeting, motion_id)
    member_id = request.form.get("member_id", type=db_int) or 0
    reason = clean(request.form.get("reason"))[:255]
    if not runs_the_room(meeting):
        return refuse(meeting, str(NOT_IN_THE_ROOM), 403)
    line = attendance_of(meeting.id, member_id)
    if line is None or line.status != Attend.PRESENT:
        return refuse(meeting, _("Chỉ ghi biểu quyết hộ cho đảng viên có mặt."), 409)
    if not line.by_proxy:
        return refuse(
            meeting,
            _(
                "Đồng chí này đã tự điểm danh bằng điện thoại nên tự biểu quyết trên điện thoại "
                "của mình. Chỉ ghi biểu quyết hộ cho đảng viên được điểm danh hộ."
            ),
            409,
        )
    if not reason:
        return refuse(meeting, _("Biểu quyết hộ cần ghi lý do."))
    try:
        counted = cast_vote(
            motion, member_id, request.form.get("choice", ""), by=current_user, proxy_reason=reason
        )
    except VoteError as error:
        return refuse(meeting, str(error), 409)
    if counted:
        record(
            "meeting.proxy_vote", meeting, motion_id=motion.id, member_id=member_id, reason=reason
        )
        db.session.commit()
        return acknowledge(meeting, _("Đã ghi biểu quyết hộ ✓"))
    return refuse(meeting, _("Đảng viên này đã biểu quyết rồi."), 409)


@bp.post("/<int:meeting_id>/tasks")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def add_task(meeting_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    form = task_form(meeting)
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy nhập nhiệm vụ và người thực hiện."))
    db.session.add(
        Task(
            meeting_id=meeting.id,
            cell_id=meeting.cell_id,
            description=form.description.data,
            assignee_id=form.assignee_id.data,
            due_on=form.due_on.data,
        )
    )
    live_change(meeting)
    db.session.commit()
    return acknowledge(meeting, _("Đã giao nhiệm vụ ✓"))


@bp.post("/<int:meeting_id>/tasks/<int:task_id>/done")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def task_done(meeting_id: int, task_id: int):
    """Tick a task of last month as done during the review."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    task = db.session.get(Task, task_id)
    if task is None or task.cell_id != meeting.cell_id:
        abort(404)
    task.done = request.form.get("done") == "1"
    live_change(meeting)
    db.session.commit()
    return acknowledge(meeting, _("Đã cập nhật nhiệm vụ ✓"))
