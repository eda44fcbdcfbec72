"""Meetings: preparation, the live console / projector / member views, votes and minutes."""

from __future__ import annotations

import uuid

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from sqlalchemy import func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from blueprints.audit.models import record
from blueprints.meetings import fragments
from blueprints.meetings import services as sv
from blueprints.meetings.forms import (
    AgendaItemForm,
    DocumentForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    MotionForm,
    OpinionForm,
    RatingForm,
    RecommendationForm,
    TaskForm,
)
from blueprints.meetings.models import (
    ATTEND_LABELS,
    CHOICE_LABELS,
    AgendaItem,
    Attend,
    Attendance,
    BallotReceipt,
    Document,
    Meeting,
    MeetingStatus,
    Minutes,
    Motion,
    OpenVote,
    Opinion,
    Rating,
    Recommendation,
    Speaker,
    Task,
    bump,
)
from blueprints.members.models import Member
from blueprints.units.models import Unit, UnitKind
from core.errors import render_error
from core.extensions import db
from core.idempotency import first_time
from core.ids import db_int
from core.models import utcnow
from core.permissions import (
    AUTHENTICATED,
    DEPUTY,
    SECRETARY,
    STAFF,
    authorize,
    can,
    permission,
    register_action,
    scope_clause,
)
from core.rendering import is_htmx, render
from core.text import clean, clean_multiline

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

register_action("meeting.view", (SECRETARY, DEPUTY, STAFF), own_cell=True)
register_action("meeting.manage", (SECRETARY, DEPUTY, STAFF))
register_action("meeting.take_part", (), own_cell=True)
# Changing what was announced (time, place, topic, chair, clerk): the cell's own leaders only.
register_action("meeting.edit", (SECRETARY, DEPUTY))

CONSOLE_PARTS = ("head", "attendance", "agenda", "speakers", "opinions", "motions", "tasks")
MEMBER_PARTS = ("member",)
PROJECTOR_PARTS = ("projector", "code")


# ---- helpers -------------------------------------------------------------------------------


def _meeting(meeting_id: int, action: str = "meeting.view") -> Meeting:
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.cell)])
    if meeting is None:
        abort(404)
    authorize(action, meeting)
    return meeting


def _my_member(meeting: Meeting) -> Member:
    """The current user as a member of the meeting's cell (403 for anyone else)."""
    member = current_user.member
    if member is None or member.cell_id != meeting.cell_id:
        abort(403)
    return member


def _is_clerk(meeting: Meeting) -> bool:
    return bool(current_user.member_id) and current_user.member_id == meeting.clerk_id


def _is_chair(meeting: Meeting) -> bool:
    return bool(current_user.member_id) and current_user.member_id == meeting.chair_id


def _back(meeting: Meeting):
    return redirect(request.form.get("next") or url_for("meetings.detail", meeting_id=meeting.id))


def _fail(meeting: Meeting, message: str, status: int = 400):
    """Explain a refused action: a fragment for htmx, a flash message otherwise."""
    db.session.rollback()
    if is_htmx():
        return render_error(status, message)
    flash(message, "error")
    return _back(meeting)


def _done(meeting: Meeting, message: str):
    """Answer a successful live action: a receipt for htmx (and refresh regions), else redirect."""
    if is_htmx():
        response = Response(render_template("meetings/_receipt.html", message=message))
        response.headers["HX-Trigger"] = "meeting:changed"
        return response
    flash(message, "success")
    return _back(meeting)


def _require_ongoing(meeting: Meeting):
    if not meeting.is_ongoing:
        return _fail(meeting, _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."), 409)
    return None


def _member_choices(cell_id: int) -> list[tuple[int, str]]:
    return [(m.id, m.full_name) for m in sv.cell_members(cell_id)]


def upcoming_meeting():
    """The member's next or ongoing meeting (for the home screen card), or None."""
    if not current_user.is_authenticated or current_user.member is None:
        return None
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == current_user.member.cell_id,
            Meeting.status != MeetingStatus.CLOSED,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


bp.app_context_processor(lambda: {"upcoming_meeting": upcoming_meeting})


@bp.record_once
def _install_fast_path(state) -> None:
    """Answer unchanged version polls before Flask runs (see fastpath.py)."""
    from blueprints.meetings.fastpath import install

    install(state.app)


# ---- list and scheduling -------------------------------------------------------------------


@bp.get("/")
@permission(AUTHENTICATED)
def index():
    """Meetings of the member's cell and of the cells the user leads or oversees."""
    cells = []
    if current_user.member is not None:
        cells.append(current_user.member.cell_id)
    query = select(Meeting).join(Unit, Unit.id == Meeting.cell_id)
    condition = scope_clause(current_user, "meeting.view", Unit.path)
    if cells:
        condition = condition | Meeting.cell_id.in_(cells)
    meetings = db.session.scalars(
        query.where(condition)
        .options(selectinload(Meeting.cell))
        .order_by(Meeting.starts_at.desc())
        .limit(100)
    ).all()
    lead_cells = db.session.scalars(
        select(Unit)
        .where(Unit.kind == UnitKind.CELL, scope_clause(current_user, "meeting.manage", Unit.path))
        .order_by(Unit.name)
        .limit(50)
    ).all()
    return render("meetings/index.html", meetings=meetings, lead_cells=lead_cells)


@bp.route("/new", methods=["GET", "POST"])
@permission("meeting.manage")
def new():
    """Schedule a meeting for a cell; the agenda starts from the standard template."""
    cell = db.session.get(Unit, request.values.get("cell_id", type=db_int) or 0)
    if cell is None or not cell.is_cell:
        abort(404)
    authorize("meeting.manage", cell)
    form = MeetingForm()
    choices = _member_choices(cell.id)
    form.chair_id.choices = choices
    form.clerk_id.choices = choices
    if form.validate_on_submit():
        ids = {c[0] for c in choices}
        if form.chair_id.data not in ids or form.clerk_id.data not in ids:
            form.chair_id.errors.append(_("Chủ trì và thư ký phải là đảng viên của chi bộ."))
        else:
            meeting = Meeting(
                cell_id=cell.id,
                kind=form.kind.data,
                combined=form.combined.data,
                topic=form.topic.data,
                place=form.place.data,
                starts_at=to_utc(form.starts_at.data).replace(tzinfo=None),
                chair_id=form.chair_id.data,
                clerk_id=form.clerk_id.data,
                guests=form.guests.data or "",
                quorum_percent=form.quorum_percent.data,
                created_by_id=current_user.id,
            )
            db.session.add(meeting)
            sv.apply_template(meeting)
            db.session.flush()
            sv.sync_attendance(meeting)
            record("meeting.schedule", meeting, topic=meeting.topic)
            db.session.commit()
            flash(_("Đã lên lịch buổi sinh hoạt. Đảng viên sẽ thấy trên trang chủ."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "GET":
        if current_user.member_id:
            form.chair_id.data = current_user.member_id
        # The cell's own quorum rule carries over from its last meeting (50% by default).
        last_rule = db.session.scalar(
            select(Meeting.quorum_percent)
            .where(Meeting.cell_id == cell.id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
            .limit(1)
        )
        if last_rule:
            form.quorum_percent.data = last_rule
    return render("meetings/new.html", form=form, cell=cell)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@permission("meeting.edit")
def edit(meeting_id: int):
    """Change a scheduled meeting's date, time, place, topic, chair and clerk (audited)."""
    meeting = _meeting(meeting_id, "meeting.edit")
    if not meeting.is_scheduled:
        return _fail(
            meeting, _("Chỉ sửa được buổi sinh hoạt chưa bắt đầu: buổi này đã bắt đầu."), 409
        )
    form = MeetingEditForm(obj=meeting if request.method == "GET" else None)
    choices = _member_choices(meeting.cell_id)
    form.chair_id.choices = choices
    form.clerk_id.choices = choices
    if request.method == "GET":
        form.starts_at.data = to_user_timezone(meeting.starts_at).replace(tzinfo=None)
    elif form.validate_on_submit():
        ids = {c[0] for c in choices}
        starts_at = to_utc(form.starts_at.data).replace(tzinfo=None)
        if form.chair_id.data not in ids or form.clerk_id.data not in ids:
            form.chair_id.errors.append(_("Chủ trì và thư ký phải là đảng viên của chi bộ."))
        elif starts_at <= utcnow():
            form.starts_at.errors.append(
                _("Thời gian bắt đầu phải sau thời điểm hiện tại. Vui lòng chọn lại.")
            )
        else:
            new = {
                "topic": form.topic.data,
                "starts_at": starts_at,
                "place": form.place.data,
                "chair_id": form.chair_id.data,
                "clerk_id": form.clerk_id.data,
                "guests": form.guests.data or "",
            }
            changes = {
                name: [_audit_value(getattr(meeting, name)), _audit_value(value)]
                for name, value in new.items()
                if getattr(meeting, name) != value
            }
            if changes:
                for name, value in new.items():
                    setattr(meeting, name, value)
                bump(meeting.id)
                record("meeting.edit", meeting, changes=changes)
                db.session.commit()
                flash(_("Đã lưu thay đổi. Đảng viên sẽ thấy thông tin mới."), "success")
            else:
                flash(_("Không có gì thay đổi."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render("meetings/edit.html", "meetings/_edit_form.html", form=form, meeting=meeting)


def _audit_value(value):
    """Audit details are JSON: datetimes as ISO text."""
    return value.isoformat(timespec="minutes") if hasattr(value, "isoformat") else value


@bp.get("/<int:meeting_id>")
@permission("meeting.view")
def detail(meeting_id: int):
    """Preparation page: details, agenda, documents, recommendations."""
    meeting = _meeting(meeting_id)
    manage = can(current_user, "meeting.manage", meeting)
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(selectinload(AgendaItem.documents))
        .order_by(AgendaItem.position)
    ).all()
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.meeting_id == meeting.id)
        .options(selectinload(Recommendation.member))
        .order_by(Recommendation.created_at)
    ).all()
    if not manage:
        recs = [r for r in recs if r.member_id == current_user.member_id]
    doc_form = DocumentForm()
    doc_form.item_id.choices = [(i.id, i.title) for i in items]
    is_member = current_user.member is not None and current_user.member.cell_id == meeting.cell_id
    return render(
        "meetings/detail.html",
        meeting=meeting,
        items=items,
        recs=recs,
        manage=manage,
        may_edit=meeting.is_scheduled and can(current_user, "meeting.edit", meeting),
        is_member=is_member,
        item_form=AgendaItemForm(),
        doc_form=doc_form,
        rec_form=RecommendationForm(),
        review_tasks=sv.tasks_to_review(meeting),
        now=utcnow(),
    )


@bp.post("/<int:meeting_id>/items")
@permission("meeting.manage")
def add_item(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng nhập nội dung mới."))
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    db.session.add(
        AgendaItem(meeting_id=meeting.id, title=form.title.data, position=(last or 0) + 1)
    )
    bump(meeting.id)
    db.session.commit()
    flash(_("Đã thêm nội dung vào chương trình."), "success")
    return _back(meeting)


@bp.post("/<int:meeting_id>/items/<int:item_id>")
@permission("meeting.manage")
def edit_item(meeting_id: int, item_id: int):
    """Rename, move up/down or remove an agenda item."""
    meeting = _meeting(meeting_id, "meeting.manage")
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    op = request.form.get("op")
    items = list(meeting.items)
    index = items.index(item)
    if op in ("up", "down"):
        other = index - 1 if op == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            for position, it in enumerate(items):
                it.position = position
    elif op == "rename":
        title = clean(request.form.get("title"))[:255]
        if not title:
            return _fail(meeting, _("Tên nội dung không được để trống."))
        item.title = title
    elif op == "delete":
        has_docs = db.session.scalar(
            select(func.count()).select_from(Document).where(Document.item_id == item.id)
        )
        if has_docs or meeting.current_item_id == item.id:
            return _fail(meeting, _("Không thể xóa nội dung đã có tài liệu hoặc đang được bàn."))
        meeting.items.remove(item)
    else:
        abort(400)
    bump(meeting.id)
    db.session.commit()
    return _back(meeting)


@bp.post("/<int:meeting_id>/documents")
@permission("meeting.manage")
def upload_document(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    form = DocumentForm()
    form.item_id.choices = [(i.id, i.title) for i in meeting.items]
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng chọn nội dung và tệp tài liệu."))
    upload = form.file.data
    data = upload.read()
    name = clean(upload.filename or "tai-lieu")[:255] or "tai-lieu"
    doc = Document(
        meeting_id=meeting.id,
        item_id=form.item_id.data,
        filename=name,
        content_type=(upload.mimetype or "application/octet-stream")[:120],
        size=len(data),
        data=data,
        uploaded_by_id=current_user.id,
    )
    db.session.add(doc)
    bump(meeting.id)
    record("meeting.document", meeting, filename=name)
    db.session.commit()
    if utcnow() > meeting.documents_deadline:
        flash(
            _(
                "Đã đính kèm tài liệu, nhưng chưa đủ một ngày trước buổi họp: đảng viên có ít "
                "thời gian đọc trước."
            ),
            "error",
        )
    else:
        flash(_("Đã đính kèm tài liệu."), "success")
    return _back(meeting)


@bp.get("/<int:meeting_id>/documents/<int:doc_id>")
@permission("meeting.view")
def document(meeting_id: int, doc_id: int):
    meeting = _meeting(meeting_id)
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.meeting_id != meeting.id:
        abort(404)
    import io

    return send_file(
        io.BytesIO(doc.data),
        mimetype=doc.content_type,
        download_name=doc.filename,
        as_attachment=not doc.content_type.startswith(("application/pdf", "text/", "image/")),
        max_age=3600,
    )


@bp.post("/<int:meeting_id>/recommendations")
@permission("meeting.take_part")
def recommend(meeting_id: int):
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    form = RecommendationForm()
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng nhập nội dung kiến nghị."))
    if meeting.is_closed:
        return _fail(meeting, _("Buổi sinh hoạt đã kết thúc."), 409)
    if first_time(request.form.get("idempotency_key")):  # a phone's retry counts once
        db.session.add(
            Recommendation(meeting_id=meeting.id, member_id=member.id, text=form.text.data)
        )
        bump(meeting.id)
        db.session.commit()
    flash(_("Đã gửi kiến nghị đến chi ủy."), "success")
    return _back(meeting)


# ---- running the meeting -------------------------------------------------------------------


@bp.post("/<int:meeting_id>/start")
@permission("meeting.manage")
def start(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    if not meeting.is_scheduled:
        return _fail(meeting, _("Buổi sinh hoạt đã bắt đầu hoặc đã kết thúc."), 409)
    sv.sync_attendance(meeting)
    meeting.status = MeetingStatus.ONGOING
    meeting.started_at = utcnow()
    if meeting.items:
        meeting.current_item_id = meeting.items[0].id
    bump(meeting.id)
    record("meeting.start", meeting)
    db.session.commit()
    return redirect(url_for("meetings.console", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/close")
@permission("meeting.manage")
def close(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    if not meeting.is_ongoing:
        return _fail(meeting, _("Buổi sinh hoạt chưa bắt đầu hoặc đã kết thúc."), 409)
    for item in meeting.items:
        item.done = True
    sv.close_meeting(meeting, by=current_user)
    record("meeting.close", meeting)
    db.session.commit()
    flash(_("Đã kết thúc buổi sinh hoạt. Biên bản dự thảo đã được lập."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


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
        .where(Speaker.meeting_id == meeting.id, Speaker.status != "done")
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
        "motion_stats": {m.id: (sv.vote_counts(m), sv.voters_count(m)) for m in motions},
        "tasks": tasks,
        "recs": recs,
        "review_tasks": sv.tasks_to_review(meeting),
        "present_ids": present_ids,
        "members": [ln.member for ln in lines],
    }


def _common(meeting: Meeting, *, with_totals: bool = True) -> dict:
    return {
        "meeting": meeting,
        "t": sv.totals(meeting) if with_totals else None,
        "attend_labels": {k.value: v for k, v in ATTEND_LABELS.items()},
        "choice_labels": {k.value: v for k, v in CHOICE_LABELS.items()},
        "key": uuid.uuid4().hex,
    }


def _code_context(meeting: Meeting) -> dict:
    code = sv.checkin_code(meeting)
    url = url_for("meetings.checkin", meeting_id=meeting.id, code=code, _external=True)
    return {"code": code, "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2)}


@bp.get("/<int:meeting_id>/console")
@permission("meeting.manage")
def console(meeting_id: int):
    """The secretary's laptop console."""
    meeting = _meeting(meeting_id, "meeting.manage")
    ctx = _common(meeting) | _console_context(meeting) | _code_context(meeting)
    return render(
        "meetings/console.html",
        motion_form=MotionForm(),
        task_form=_task_form(meeting),
        **ctx,
    )


def _task_form(meeting: Meeting) -> TaskForm:
    form = TaskForm()
    form.assignee_id.choices = _member_choices(meeting.cell_id)
    return form


@bp.get("/<int:meeting_id>/projector")
@permission("meeting.manage")
def projector(meeting_id: int):
    """Shared-screen view in large type."""
    meeting = _meeting(meeting_id, "meeting.manage")
    return render(
        "meetings/projector.html",
        **_common(meeting),
        **_projector_context(meeting),
        **_code_context(meeting),
    )


def _projector_context(meeting: Meeting) -> dict:
    motion = db.session.scalar(
        select(Motion)
        .where(Motion.meeting_id == meeting.id, Motion.status != "draft")
        .order_by(Motion.id.desc())
        .limit(1)
    )
    stats = (sv.vote_counts(motion), sv.voters_count(motion)) if motion else None
    return {"motion": motion, "stats": stats}


def _member_context(meeting: Meeting, member: Member) -> dict:
    line = sv.attendance_of(meeting.id, member.id)
    motions = db.session.scalars(
        select(Motion)
        .where(Motion.meeting_id == meeting.id, Motion.status != "draft")
        .order_by(Motion.id.desc())
    ).all()
    voted: set[int] = set()
    my_choice: dict[int, str] = {}
    if motions:
        ids = [m.id for m in motions]
        rows = db.session.execute(
            select(OpenVote.motion_id, OpenVote.choice)
            .where(OpenVote.member_id == member.id, OpenVote.motion_id.in_(ids))
            .union_all(
                select(BallotReceipt.motion_id, literal(None)).where(
                    BallotReceipt.member_id == member.id, BallotReceipt.motion_id.in_(ids)
                )
            )
        ).all()
        voted = {motion_id for motion_id, _ in rows}
        my_choice = {motion_id: choice for motion_id, choice in rows if choice}
    queue = db.session.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.status != "done")
        .options(joinedload(Speaker.member))
        .order_by(Speaker.requested_at, Speaker.id)
    ).all()
    my_place = next((i + 1 for i, s in enumerate(queue) if s.member_id == member.id), None)
    speaking = next((s for s in queue if s.status == "speaking"), None)

    # Top card ("head") and catch-up list ("done"): the same for every member.
    shared_part = fragments.SharedParts(
        meeting,
        {
            "head": lambda: render_template(
                "meetings/_member_head.html", meeting=meeting, t=sv.totals(meeting)
            ),
            "done": lambda: render_template(
                "meetings/_member_done.html",
                done_items=[i for i in meeting.items if i.done],
                closed_motions=[m for m in motions if m.status == "closed"],
                choice_labels={k.value: v for k, v in CHOICE_LABELS.items()},
            ),
        },
    )
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
        "line": line,
        "motions": motions,
        "voted": voted,
        "my_choice": my_choice,
        "my_place": my_place,
        "speaking": speaking,
        "shared_part": shared_part,
        "late": late,
        "rated": rated,
    }


@bp.get("/<int:meeting_id>/live")
@permission("meeting.view")
def live(meeting_id: int):
    """The member's phone view."""
    meeting = _meeting(meeting_id)
    member = current_user.member
    if member is None or member.cell_id != meeting.cell_id:
        if can(current_user, "meeting.manage", meeting):
            return redirect(url_for("meetings.console", meeting_id=meeting.id))
        abort(403)
    return render(
        "meetings/live.html",
        opinion_form=OpinionForm(),
        rating_form=RatingForm(),
        **_common(meeting),
        **_member_context(meeting, member),
    )


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
            # The version moved: answer with the member's refreshed region at once, saving
            # the phone a second round trip (and the server a second request) per change.
            return part(meeting_id, part_name)
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


@bp.get("/<int:meeting_id>/part/<name>")
@permission("meeting.view")
def part(meeting_id: int, name: str):
    """One refreshed region of a live view."""
    meeting = _meeting(meeting_id)
    if name in CONSOLE_PARTS or name in PROJECTOR_PARTS:
        authorize("meeting.manage", meeting)
        ctx = _common(meeting)
        if name in CONSOLE_PARTS:
            ctx |= _console_context(meeting)
        if name == "projector":
            ctx |= _projector_context(meeting)
        if name in ("code", "head", "projector"):
            ctx |= _code_context(meeting)
    elif name in MEMBER_PARTS:
        member = _my_member(meeting)
        # The quorum figures are in the shared head fragment: counted only when it is rendered.
        ctx = _common(meeting, with_totals=False) | _member_context(meeting, member)
    else:
        abort(404)
    response = Response(render_template(f"meetings/_r_{name}.html", **ctx))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Meeting-Version"] = str(meeting.version)
    return response


@bp.route("/<int:meeting_id>/checkin", methods=["GET", "POST"])
@permission("meeting.take_part")
def checkin(meeting_id: int):
    """A member checks in with the code shown on the console (typed, or from the QR code)."""
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    if request.method == "GET":
        return render(
            "meetings/checkin.html", meeting=meeting, code=request.args.get("code", "")[:12]
        )
    if (blocked := _require_ongoing(meeting)) is not None:
        return blocked
    if not sv.code_is_valid(meeting, request.form.get("code", "")):
        return _fail(
            meeting,
            _("Mã điểm danh không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trên màn hình."),
        )
    sv.check_in(meeting, member.id, by=current_user)
    db.session.commit()
    if not is_htmx():
        flash(_("Đã điểm danh: có mặt ✓"), "success")
        return redirect(url_for("meetings.live", meeting_id=meeting.id))
    return _done(meeting, _("Đã điểm danh: có mặt ✓"))


@bp.post("/<int:meeting_id>/attendance/<int:member_id>")
@permission("meeting.manage")
def set_attendance(meeting_id: int, member_id: int):
    """The secretary marks a member: present (maybe on their behalf), excused, unexcused, exempt."""
    meeting = _meeting(meeting_id, "meeting.manage")
    line = sv.attendance_of(meeting.id, member_id) or abort(404)
    status = request.form.get("status", "")
    reason = clean(request.form.get("reason"))[:255]
    if not status:
        return _fail(meeting, _("Hãy chọn trạng thái điểm danh trước khi lưu."))
    if status not in {a.value for a in Attend} or status == Attend.PENDING:
        return _fail(meeting, _("Trạng thái điểm danh không hợp lệ."))
    if status == Attend.PRESENT:
        if line.status != Attend.PRESENT and member_id == current_user.member_id:
            sv.check_in(meeting, member_id, by=current_user)  # the secretary's own check-in
        elif line.status != Attend.PRESENT:
            if not reason:
                return _fail(meeting, _("Điểm danh hộ cần ghi lý do (ví dụ: không có điện thoại)."))
            sv.check_in(meeting, member_id, by=current_user, proxy_reason=reason)
            record("meeting.proxy_checkin", meeting, member_id=member_id, reason=reason)
    else:
        if status == Attend.EXCUSED and not reason:
            return _fail(meeting, _("Vắng có lý do cần ghi lý do."))
        line.status = status
        line.reason = reason
        line.by_proxy = False
        line.proxy_reason = ""
        line.checked_in_at = None
        line.recorded_by_id = current_user.id
        bump(meeting.id)
        record("meeting.attendance", meeting, member_id=member_id, status=status)
    db.session.commit()
    return _done(meeting, _("Đã cập nhật điểm danh ✓"))


@bp.post("/<int:meeting_id>/current")
@permission("meeting.manage")
def set_current(meeting_id: int):
    """Move the meeting to an agenda item; the items before it are marked done."""
    meeting = _meeting(meeting_id, "meeting.manage")
    if (blocked := _require_ongoing(meeting)) is not None:
        return blocked
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
    bump(meeting.id)
    db.session.commit()
    return _done(meeting, _("Đã chuyển sang nội dung: %(title)s", title=target.title))


@bp.post("/<int:meeting_id>/items/<int:item_id>/conclusion")
@permission("meeting.manage")
def conclude(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    item.conclusion = clean_multiline(request.form.get("conclusion"))[:4000]
    bump(meeting.id)
    db.session.commit()
    return _done(meeting, _("Đã lưu kết luận ✓"))


@bp.post("/<int:meeting_id>/speak")
@permission("meeting.take_part")
def speak(meeting_id: int):
    """ "Xin phát biểu": join the speakers queue (once)."""
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    if (blocked := _require_ongoing(meeting)) is not None:
        return blocked
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Speaker)
        .where(
            Speaker.meeting_id == meeting.id,
            Speaker.member_id == member.id,
            Speaker.status != "done",
        )
    )
    if not waiting and sv.claim_action(meeting.id, request.form.get("key")):
        db.session.add(
            Speaker(meeting_id=meeting.id, member_id=member.id, item_id=meeting.current_item_id)
        )
        bump(meeting.id)
        db.session.commit()
    return _done(meeting, _("Đã đăng ký phát biểu ✓"))


@bp.post("/<int:meeting_id>/speakers/next")
@permission("meeting.manage")
def next_speaker(meeting_id: int):
    """Call the next member in the queue."""
    meeting = _meeting(meeting_id, "meeting.manage")
    current = db.session.scalar(
        select(Speaker).where(Speaker.meeting_id == meeting.id, Speaker.status == "speaking")
    )
    if current is not None:
        return _fail(meeting, _("Hãy ghi ý kiến của người đang phát biểu trước."), 409)
    nxt = db.session.scalar(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.status == "waiting")
        .order_by(Speaker.requested_at, Speaker.id)
        .limit(1)
    )
    if nxt is None:
        return _fail(meeting, _("Không còn ai đăng ký phát biểu."), 409)
    nxt.status = "speaking"
    nxt.called_at = utcnow()
    bump(meeting.id)
    db.session.commit()
    return _done(meeting, _("Mời đồng chí %(name)s phát biểu", name=nxt.member.full_name))


@bp.post("/<int:meeting_id>/speakers/<int:speaker_id>/done")
@permission("meeting.manage")
def speaker_done(meeting_id: int, speaker_id: int):
    """Record what the speaker said (by name) and end their turn."""
    meeting = _meeting(meeting_id, "meeting.manage")
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.meeting_id != meeting.id:
        abort(404)
    text = clean_multiline(request.form.get("text"))[:4000]
    if speaker.status != "done":
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
        speaker.status = "done"
        bump(meeting.id)
        db.session.commit()
    return _done(meeting, _("Đã ghi ý kiến phát biểu ✓"))


@bp.post("/<int:meeting_id>/opinions")
@permission("meeting.take_part")
def opinion(meeting_id: int):
    """A written opinion on the current item, by name."""
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    if (blocked := _require_ongoing(meeting)) is not None:
        return blocked
    form = OpinionForm()
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng nhập ý kiến."))
    if first_time(request.form.get("idempotency_key")) and sv.claim_action(
        meeting.id, form.key.data
    ):
        db.session.add(
            Opinion(
                meeting_id=meeting.id,
                item_id=meeting.current_item_id,
                member_id=member.id,
                text=form.text.data,
            )
        )
        bump(meeting.id)
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
    return _done(meeting, _("Đã gửi ý kiến ✓"))


@bp.post("/<int:meeting_id>/motions")
@permission("meeting.manage")
def add_motion(meeting_id: int):
    """Put a motion to the vote on the current item (voting opens at once)."""
    meeting = _meeting(meeting_id, "meeting.manage")
    if (blocked := _require_ongoing(meeting)) is not None:
        return blocked
    form = MotionForm()
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng nhập nội dung biểu quyết."))
    motion = Motion(
        meeting_id=meeting.id,
        item_id=meeting.current_item_id,
        text=form.text.data,
        secret=form.secret.data,
        majority=form.majority.data,
        status="open",
        opened_at=utcnow(),
    )
    db.session.add(motion)
    bump(meeting.id)
    record("meeting.motion_open", meeting, text=motion.text, secret=motion.secret)
    db.session.commit()
    return _done(meeting, _("Đã mở biểu quyết ✓"))


def _motion(meeting: Meeting, motion_id: int) -> Motion:
    motion = db.session.get(Motion, motion_id)
    if motion is None or motion.meeting_id != meeting.id:
        abort(404)
    return motion


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/close")
@permission("meeting.manage")
def close_motion(meeting_id: int, motion_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    motion = _motion(meeting, motion_id)
    if motion.status != "open":
        return _fail(meeting, _("Biểu quyết này đã kết thúc."), 409)
    if not sv.close_motion(motion, meeting):
        db.session.rollback()
        return _fail(meeting, _("Biểu quyết này đã kết thúc."), 409)
    record("meeting.motion_close", meeting, motion_id=motion.id, yes=motion.yes, no=motion.no)
    db.session.commit()
    return _done(meeting, _("Đã kết thúc biểu quyết và công bố kết quả ✓"))


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/vote")
@permission("meeting.take_part")
def vote(meeting_id: int, motion_id: int):
    """A member's vote; sending it twice counts once."""
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    motion = _motion(meeting, motion_id)
    line = sv.attendance_of(meeting.id, member.id)
    if line is None or line.status != Attend.PRESENT:
        return _fail(meeting, _("Bạn cần điểm danh có mặt trước khi biểu quyết."), 409)
    try:
        counted = sv.cast_vote(motion, member.id, request.form.get("choice", ""))
    except sv.VoteError as error:
        return _fail(meeting, str(error), 409)
    message = _("Đã gửi biểu quyết ✓") if counted else _("Bạn đã biểu quyết rồi ✓")
    return _done(meeting, message)


@bp.post("/<int:meeting_id>/motions/<int:motion_id>/proxy")
@permission("meeting.manage")
def proxy_vote(meeting_id: int, motion_id: int):
    """Record the vote of a present member without a smartphone, with the reason kept."""
    meeting = _meeting(meeting_id, "meeting.manage")
    motion = _motion(meeting, motion_id)
    member_id = request.form.get("member_id", type=db_int) or 0
    reason = clean(request.form.get("reason"))[:255]
    line = sv.attendance_of(meeting.id, member_id)
    if line is None or line.status != Attend.PRESENT:
        return _fail(meeting, _("Chỉ ghi biểu quyết hộ cho đảng viên có mặt."), 409)
    if not reason:
        return _fail(meeting, _("Biểu quyết hộ cần ghi lý do."))
    try:
        counted = sv.cast_vote(
            motion, member_id, request.form.get("choice", ""), by=current_user, proxy_reason=reason
        )
    except sv.VoteError as error:
        return _fail(meeting, str(error), 409)
    if counted:
        record(
            "meeting.proxy_vote", meeting, motion_id=motion.id, member_id=member_id, reason=reason
        )
        db.session.commit()
        return _done(meeting, _("Đã ghi biểu quyết hộ ✓"))
    return _fail(meeting, _("Đảng viên này đã biểu quyết rồi."), 409)


@bp.post("/<int:meeting_id>/tasks")
@permission("meeting.manage")
def add_task(meeting_id: int):
    meeting = _meeting(meeting_id, "meeting.manage")
    form = _task_form(meeting)
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng nhập nhiệm vụ và người thực hiện."))
    db.session.add(
        Task(
            meeting_id=meeting.id,
            cell_id=meeting.cell_id,
            description=form.description.data,
            assignee_id=form.assignee_id.data,
            due_on=form.due_on.data,
        )
    )
    bump(meeting.id)
    db.session.commit()
    return _done(meeting, _("Đã giao nhiệm vụ ✓"))


@bp.post("/<int:meeting_id>/tasks/<int:task_id>/done")
@permission("meeting.manage")
def task_done(meeting_id: int, task_id: int):
    """Tick a task of last month as done during the review."""
    meeting = _meeting(meeting_id, "meeting.manage")
    task = db.session.get(Task, task_id)
    if task is None or task.cell_id != meeting.cell_id:
        abort(404)
    task.done = request.form.get("done") == "1"
    bump(meeting.id)
    db.session.commit()
    return _done(meeting, _("Đã cập nhật nhiệm vụ ✓"))


# ---- minutes, exports and ratings ----------------------------------------------------------


def _minutes(meeting: Meeting) -> Minutes:
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        abort(404)
    return minutes


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@permission("meeting.view")
def minutes(meeting_id: int):
    """Read the minutes; the clerk (or the cell's leaders) edit them until they are locked."""
    meeting = _meeting(meeting_id)
    minutes = _minutes(meeting)
    may_edit = _is_clerk(meeting) or can(current_user, "meeting.manage", meeting)
    form = MinutesForm(obj=minutes if request.method == "GET" else None)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if minutes.locked:
            return _fail(
                meeting,
                _("Biên bản đã được duyệt và khóa, không thể sửa trực tiếp."),
                409,
            )
        if form.validate_on_submit():
            sv.save_minutes(minutes, form.body.data, by=current_user, note=form.note.data or "")
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
        form=form,
        may_edit=may_edit,
        manage=can(current_user, "meeting.manage", meeting),
        is_chair=_is_chair(meeting),
        is_clerk=_is_clerk(meeting),
        is_member=is_member,
        rated=rated,
        rating_form=RatingForm(),
        quality=sv.quality(meeting),
        ratings=sv.ratings_summary(meeting.id),
        t=sv.totals(meeting),
    )


@bp.post("/<int:meeting_id>/minutes/approve")
@permission("meeting.view")
def approve_minutes(meeting_id: int):
    """Chair and clerk approve; with both approvals the minutes are locked and hashed."""
    meeting = _meeting(meeting_id)
    minutes = _minutes(meeting)
    if minutes.locked:
        return _fail(meeting, _("Biên bản đã được khóa."), 409)
    if not (_is_chair(meeting) or _is_clerk(meeting)):
        abort(403)
    now = utcnow()
    if _is_chair(meeting):
        minutes.chair_approved_at = now
    if _is_clerk(meeting):
        minutes.clerk_approved_at = now
    record("meeting.minutes_approve", meeting)
    if minutes.chair_approved_at and minutes.clerk_approved_at:
        minutes.locked_at = now
        minutes.content_hash = sv.content_hash(minutes.body)
        record("meeting.minutes_lock", meeting, content_hash=minutes.content_hash)
        flash(_("Biên bản đã được duyệt đủ và khóa."), "success")
    else:
        flash(_("Đã ghi nhận duyệt biên bản."), "success")
    bump(meeting.id)
    db.session.commit()
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/minutes/amend")
@permission("meeting.view")
def amend_minutes(meeting_id: int):
    """Change locked minutes: a new audited revision with a reason, approvals start again."""
    meeting = _meeting(meeting_id)
    minutes = _minutes(meeting)
    if not (_is_clerk(meeting) or can(current_user, "meeting.manage", meeting)):
        abort(403)
    reason = clean(request.form.get("reason"))[:255]
    if not minutes.locked:
        return _fail(meeting, _("Biên bản chưa khóa, hãy sửa trực tiếp."), 409)
    if not reason:
        return _fail(meeting, _("Cần ghi lý do mở lại biên bản đã khóa."))
    minutes.locked_at = None
    minutes.chair_approved_at = None
    minutes.clerk_approved_at = None
    old_hash, minutes.content_hash = minutes.content_hash, None
    sv.save_minutes(minutes, minutes.body, by=current_user, note=reason)
    record("meeting.minutes_reopen", meeting, reason=reason, old_hash=old_hash)
    db.session.commit()
    flash(_("Đã mở lại biên bản để sửa; cần duyệt lại."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/minutes.<fmt>")
@permission("meeting.view")
def export_minutes(meeting_id: int, fmt: str):
    """The minutes as DOCX or PDF, laid out like the paper form."""
    from blueprints.meetings import exports

    meeting = _meeting(meeting_id)
    minutes = _minutes(meeting)
    name = f"bien-ban-{meeting.starts_at:%Y-%m-%d}-{meeting.id}"
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
def rate(meeting_id: int):
    """A member's 1–5 rating after the meeting (once)."""
    meeting = _meeting(meeting_id)
    member = _my_member(meeting)
    form = RatingForm()
    if not meeting.is_closed:
        return _fail(meeting, _("Chỉ đánh giá sau khi buổi sinh hoạt kết thúc."), 409)
    if not form.validate_on_submit():
        return _fail(meeting, _("Vui lòng chọn điểm từ 1 đến 5 cho cả ba mục."))
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
        db.session.commit()
    flash(_("Cảm ơn đồng chí đã đánh giá buổi sinh hoạt."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
