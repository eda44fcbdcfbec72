"""The roll call kept by the secretary, and the close that never guesses an absence.

Marking one member (with a preset reason or a typed one, refused when the screen showed an
older version of the line), marking every member still unmarked at once, and closing the
meeting: with members unmarked the close shows who they are and waits for the secretary's
choice (present, excused, unexcused) or a return to the roll call.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.audit.models import record
from blueprints.meetings.blueprint import (
    NOT_IN_THE_ROOM,
    acknowledge,
    bp,
    get_meeting,
    refuse,
    runs_the_room,
)
from blueprints.meetings.models import Attend, Attendance, Meeting
from blueprints.meetings.services.attendance import (
    REASON_PRESETS,
    StaleAttendanceError,
    attendance_of,
    check_in,
    is_stale,
    mark,
    roll_names,
)
from blueprints.meetings.services.minutes import (
    UNMARKED_CHOICES,
    UnmarkedMembersError,
    close_meeting,
    mark_unmarked,
    unmarked,
)
from blueprints.meetings.stages import BEFORE_CLOSE, Stage, allowed_in
from core.extensions import db
from core.ids import db_int
from core.permissions import permission
from core.rendering import render
from core.text import clean


def _reason(form) -> str:
    """The reason as sent: a preset ("Ốm", "Đi công tác"…) and/or a few typed words."""
    preset = REASON_PRESETS.get(form.get("reason_preset", ""))
    typed = clean(form.get("reason"))
    if preset and typed:
        return f"{preset}: {typed}"[:255]
    return (str(preset) if preset else typed)[:255]


def _stale(meeting: Meeting, line: Attendance):
    """Refuse a change made on an old view of the line, saying what it is now."""
    name = line.member.full_name
    now = line.status_label
    if line.by_proxy and line.proxy_reason:
        now = f"{now} — {_('điểm danh hộ')}: {line.proxy_reason}"
    elif line.reason:
        now = f"{now} — {line.reason}"
    message = _(
        "Điểm danh của đồng chí %(name)s vừa được người khác cập nhật, hiện là: %(now)s. "
        "Thay đổi của đồng chí chưa được lưu. Danh sách đã tải lại; hãy xem rồi lưu lại nếu "
        "vẫn cần thay đổi.",
        name=name,
        now=now,
    )
    # The refusal also refreshes the regions, so the screen shows the current value at once.
    response = make_response(refuse(meeting, message, 409))
    response.headers["HX-Trigger"] = "meeting:changed"
    return response


@bp.post("/<int:meeting_id>/attendance/<int:member_id>")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def set_attendance(meeting_id: int, member_id: int):
    """The secretary marks a member: present (maybe on their behalf), excused, unexcused, exempt,
    or attached elsewhere for a while."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    line = attendance_of(meeting.id, member_id)
    if line is None:
        return refuse(meeting, _("Không tìm thấy đồng chí này trong danh sách điểm danh."), 404)
    status = request.form.get("status", "")
    reason = _reason(request.form)
    seen = request.form.get("version", type=db_int)
    if not status:
        return refuse(meeting, _("Hãy chọn trạng thái điểm danh trước khi lưu."))
    if status not in {a.value for a in Attend} or status == Attend.PENDING:
        return refuse(
            meeting, _("Trạng thái điểm danh không hợp lệ. Hãy chọn lại trong danh sách.")
        )
    if is_stale(line, seen):
        return _stale(meeting, line)
    if status == Attend.PRESENT:
        refusal = _mark_present(meeting, line, reason)
        if refusal is not None:
            return refusal
    else:
        if status == Attend.EXCUSED and not reason:
            return refuse(
                meeting, _("Vắng có lý do cần ghi lý do: chọn một lý do hoặc gõ vài chữ.")
            )
        try:
            mark(line, status, reason=reason, by=current_user, seen=line.version)
        except StaleAttendanceError as error:
            return _stale(meeting, error.line)
        record("meeting.attendance", meeting, member_id=member_id, status=status)
    db.session.commit()
    return acknowledge(meeting, _("Đã cập nhật điểm danh ✓"))


def _mark_present(meeting: Meeting, line: Attendance, reason: str):
    """Check a member in from the console; a refusal response, or None when done."""
    if line.status == Attend.PRESENT:
        return None
    if line.member_id == current_user.member_id:
        check_in(meeting, line.member_id, by=current_user)  # the secretary's own check-in
        return None
    if not runs_the_room(meeting):
        return refuse(meeting, str(NOT_IN_THE_ROOM), 403)
    if not reason:
        return refuse(
            meeting,
            _(
                "Điểm danh hộ cần ghi lý do: chọn «Không có điện thoại thông minh» hoặc gõ lý "
                "do khác."
            ),
        )
    check_in(meeting, line.member_id, by=current_user, proxy_reason=reason)
    record("meeting.proxy_checkin", meeting, member_id=line.member_id, reason=reason)
    return None


def _unmarked_refusal(meeting: Meeting, status: str, reason: str):
    """Why marking the rest as `status` is refused, or None."""
    if status not in UNMARKED_CHOICES:
        return _("Hãy chọn: có mặt, vắng có lý do hoặc vắng không lý do.")
    if status == Attend.PRESENT and not runs_the_room(meeting):
        return str(NOT_IN_THE_ROOM)
    if status == Attend.EXCUSED and not reason:
        return _("Vắng có lý do cần ghi lý do: chọn một lý do hoặc gõ vài chữ.")
    return None


@bp.post("/<int:meeting_id>/attendance/rest")
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def mark_rest(meeting_id: int):
    """ "Đánh dấu những đồng chí còn lại là có mặt" (or excused / unexcused) in one step."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    status = request.form.get("status", Attend.PRESENT)
    reason = _reason(request.form)
    refusal = _unmarked_refusal(meeting, status, reason)
    if refusal:
        return refuse(meeting, refusal, 403 if status == Attend.PRESENT else 400)
    count = mark_unmarked(meeting, status, by=current_user, reason=reason)
    record("meeting.attendance_rest", meeting, status=status, count=count)
    db.session.commit()
    return acknowledge(
        meeting,
        _(
            "Đã đánh dấu %(n)s đồng chí còn lại: %(status)s ✓",
            n=count,
            status=Attend.label_for(status),
        ),
    )


def _close_page(meeting: Meeting, status: int = 200, error: str = ""):
    lines = unmarked(meeting)
    return render(
        "meetings/close.html",
        "meetings/_close_unmarked.html",
        status=status,
        meeting=meeting,
        lines=lines,
        names=roll_names([ln.member for ln in lines]),
        presets=REASON_PRESETS,
        choices=[(c, Attend.label_for(c)) for c in UNMARKED_CHOICES],
        error=error,
    )


@bp.route("/<int:meeting_id>/close", methods=["GET", "POST"])
@permission("meeting.manage")
@allowed_in(Stage.ONGOING)
def close(meeting_id: int):
    """End the meeting; with members unmarked, first show them and take the secretary's
    choice (never a silent "vắng không lý do")."""
    meeting = get_meeting(meeting_id, "meeting.manage")
    if not meeting.is_ongoing:
        return refuse(meeting, _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."), 409)
    if request.method == "GET":
        return _close_page(meeting)
    choice = request.form.get("unmarked_as") or None
    reason = _reason(request.form)
    if choice is not None:
        refusal = _unmarked_refusal(meeting, choice, reason)
        if refusal:
            db.session.rollback()
            return _close_page(meeting, 400, refusal)
        mark_unmarked(meeting, choice, by=current_user, reason=reason)
    for item in meeting.items:
        item.done = True
    try:
        close_meeting(meeting, by=current_user)
    except UnmarkedMembersError:
        db.session.rollback()
        return _close_page(meeting, 409)
    record("meeting.close", meeting, unmarked_as=choice or "")
    db.session.commit()
    flash(_("Đã kết thúc buổi sinh hoạt. Biên bản dự thảo đã được lập."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
