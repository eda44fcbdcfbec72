"""After the meeting: minutes drafted, revised, approved and locked, DOCX/PDF exports and
members' ratings."""

from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from blueprints.audit.models import record
from blueprints.meetings.blueprint import (
    acknowledge,
    bp,
    get_meeting,
    is_chair,
    is_clerk,
    my_member,
    refuse,
)
from blueprints.meetings.forms import MinutesForm, RatingForm
from blueprints.meetings.models import Meeting, Minutes, Rating
from blueprints.meetings.services.attendance import totals
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.minutes import content_hash, save_minutes, text_blocks
from blueprints.meetings.services.quality import quality, ratings_summary, store_quality
from blueprints.meetings.stages import Stage, allowed_in
from core.extensions import db
from core.i18n import local_time
from core.models import utcnow
from core.permissions import can, permission
from core.rendering import is_htmx, render
from core.text import clean


def _minutes(meeting: Meeting) -> Minutes:
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        abort(404)
    return minutes


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@permission("meeting.view")
@allowed_in(Stage.CLOSED)
def minutes(meeting_id: int):
    """Read the minutes; the clerk (or the cell's leaders) edit them until they are locked."""
    meeting = get_meeting(meeting_id)
    minutes = _minutes(meeting)
    may_edit = is_clerk(meeting) or can(current_user, "meeting.manage", meeting)
    form = MinutesForm(obj=minutes if request.method == "GET" else None)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if minutes.locked:
            return refuse(
                meeting, _("Biên bản đã được duyệt và khóa, không thể sửa trực tiếp."), 409
            )
        if form.validate_on_submit():
            save_minutes(minutes, form.body.data, by=current_user, note=form.note.data or "")
            minutes.chair_approved_at = None
            minutes.clerk_approved_at = None
            record("meeting.minutes_edit", meeting)
            db.session.commit()
            flash(_("Đã lưu biên bản (bản sửa mới)."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    member = current_user.member
    is_member = member is not None and member.cell_id == meeting.cell_id
    rated = is_member and db.session.scalar(
        select(func.count())
        .select_from(Rating)
        .where(Rating.meeting_id == meeting.id, Rating.member_id == member.id)
    )
    return render(
        "meetings/minutes.html",
        meeting=meeting,
        minutes=minutes,
        blocks=text_blocks(minutes.body),
        form=form,
        may_edit=may_edit,
        manage=can(current_user, "meeting.manage", meeting),
        is_chair=is_chair(meeting),
        is_clerk=is_clerk(meeting),
        is_member=is_member,
        rated=rated,
        rating_form=RatingForm(),
        quality=quality(meeting),
        ratings=ratings_summary(meeting.id),
        t=totals(meeting),
    )


@bp.post("/<int:meeting_id>/minutes/approve")
@permission("meeting.view")
@allowed_in(Stage.CLOSED)
def approve_minutes(meeting_id: int):
    """Chair and clerk approve; with both approvals the minutes are locked and hashed."""
    meeting = get_meeting(meeting_id)
    minutes = _minutes(meeting)
    if minutes.locked:
        return refuse(meeting, _("Biên bản đã được khóa."), 409)
    if not (is_chair(meeting) or is_clerk(meeting)):
        abort(403)
    if meeting.chair_id == meeting.clerk_id:
        # One person would approve as both and lock alone (meetings scheduled before the form
        # refused it): two different people must approve.
        return refuse(
            meeting,
            _(
                "Chủ trì và thư ký của buổi sinh hoạt này là cùng một đồng chí, nên biên bản "
                "không thể do một người duyệt và khóa. Đồng chí hãy liên hệ Ban Tổ chức cấp "
                "trên để được hướng dẫn."
            ),
            409,
        )
    now = utcnow()
    if is_chair(meeting):
        minutes.chair_approved_at = now
    if is_clerk(meeting):
        minutes.clerk_approved_at = now
    record("meeting.minutes_approve", meeting)
    if minutes.chair_approved_at and minutes.clerk_approved_at:
        minutes.locked_at = now
        minutes.content_hash = content_hash(minutes.body)
        record("meeting.minutes_lock", meeting, content_hash=minutes.content_hash)
        store_quality(meeting)  # approved minutes are part of the score
        flash(_("Biên bản đã được duyệt đủ và khóa."), "success")
    else:
        flash(_("Đã ghi nhận duyệt biên bản."), "success")
    live_change(meeting)
    db.session.commit()
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/minutes/amend")
@permission("meeting.view")
@allowed_in(Stage.LOCKED)
def amend_minutes(meeting_id: int):
    """Change locked minutes: a new audited revision with a reason, approvals start again."""
    meeting = get_meeting(meeting_id)
    minutes = _minutes(meeting)
    if not (is_clerk(meeting) or can(current_user, "meeting.manage", meeting)):
        abort(403)
    reason = clean(request.form.get("reason"))[:255]
    if not minutes.locked:
        return refuse(meeting, _("Biên bản chưa khóa, hãy sửa trực tiếp."), 409)
    if not reason:
        return refuse(meeting, _("Cần ghi lý do mở lại biên bản đã khóa."))
    minutes.locked_at = None
    minutes.chair_approved_at = None
    minutes.clerk_approved_at = None
    old_hash, minutes.content_hash = minutes.content_hash, None
    save_minutes(minutes, minutes.body, by=current_user, note=reason)
    store_quality(meeting)  # no longer approved: the score drops until they are again
    record("meeting.minutes_reopen", meeting, reason=reason, old_hash=old_hash)
    db.session.commit()
    flash(_("Đã mở lại biên bản để sửa; cần duyệt lại."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/minutes.<fmt>")
@permission("meeting.view")
def export_minutes(meeting_id: int, fmt: str):
    """The minutes as DOCX or PDF, laid out like the paper form."""
    from blueprints.meetings import exports

    meeting = get_meeting(meeting_id)
    minutes = _minutes(meeting)
    name = f"bien-ban-{local_time(meeting.starts_at):%Y-%m-%d}-{meeting.id}"
    if fmt == "docx":
        data = exports.minutes_docx(meeting, minutes)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        data = exports.minutes_pdf(meeting, minutes)
        mime = "application/pdf"
    else:
        abort(404)
    import io

    return send_file(
        io.BytesIO(data), mimetype=mime, download_name=f"{name}.{fmt}", as_attachment=True
    )


@bp.post("/<int:meeting_id>/rating")
@permission("meeting.take_part")
@allowed_in(Stage.CLOSED, Stage.LOCKED)
def rate(meeting_id: int):
    """A member's 1–5 rating after the meeting (once)."""
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    form = RatingForm()
    if not meeting.is_closed:
        return refuse(meeting, _("Chỉ đánh giá sau khi buổi sinh hoạt kết thúc."), 409)
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy chọn điểm từ 1 đến 5 cho cả ba mục."))
    exists = db.session.scalar(
        select(func.count())
        .select_from(Rating)
        .where(Rating.meeting_id == meeting.id, Rating.member_id == member.id)
    )
    if not exists:
        db.session.add(
            Rating(
                meeting_id=meeting.id,
                member_id=member.id,
                preparation=int(form.preparation.data),
                proceedings=int(form.proceedings.data),
                follow_through=int(form.follow_through.data),
            )
        )
        live_change(meeting)  # the phone's region shows "đã đánh giá" instead of the form
        db.session.commit()
    if is_htmx():  # from the member's phone: the receipt beside the form
        return acknowledge(meeting, _("Cảm ơn đồng chí đã đánh giá buổi sinh hoạt ✓"))
    flash(_("Cảm ơn đồng chí đã đánh giá buổi sinh hoạt."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
