"""Before the meeting: the list, scheduling and editing, the agenda, documents and members'
recommendations."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.audit.models import record
from blueprints.meetings.blueprint import (
    back_to_meeting,
    bp,
    get_meeting,
    member_choices,
    my_member,
    refuse,
)
from blueprints.meetings.forms import (
    AgendaItemForm,
    DocumentForm,
    MeetingEditForm,
    MeetingForm,
    RecommendationForm,
)
from blueprints.meetings.models import AgendaItem, Document, Meeting, Recommendation
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.rules import STATUTE_QUORUM_PERCENT
from blueprints.meetings.services.scheduling import (
    apply_template,
    proposed_start,
    start_problem,
    sync_attendance,
    tasks_to_review,
)
from blueprints.meetings.stages import BEFORE_CLOSE, Stage, allowed_in
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.idempotency import first_time
from core.ids import db_int
from core.models import utcnow
from core.permissions import AUTHENTICATED, authorize, can, permission, scope_clause
from core.rendering import is_htmx, render
from core.text import clean
from core.uploads import send_user_file, serves_user_files


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
    choices = member_choices(cell.id)
    form.chair_id.choices = choices
    form.clerk_id.choices = choices
    far_warning = False
    if form.validate_on_submit():
        ids = {c[0] for c in choices}
        starts_at = to_utc(form.starts_at.data).replace(tzinfo=None)
        problem = start_problem(starts_at, confirmed_far=form.confirm_far_date.data)
        if form.chair_id.data not in ids or form.clerk_id.data not in ids:
            form.chair_id.errors.append(_("Chủ trì và thư ký phải là đảng viên của chi bộ."))
        elif problem:
            form.starts_at.errors.append(problem[0])
            far_warning = problem[1]
        else:
            meeting = Meeting(
                cell_id=cell.id,
                kind=form.kind.data,
                combined=form.combined.data,
                topic=form.topic.data,
                place=form.place.data,
                starts_at=starts_at,
                chair_id=form.chair_id.data,
                clerk_id=form.clerk_id.data,
                guests=form.guests.data or "",
                quorum_percent=form.quorum_percent.data,
                created_by_id=current_user.id,
            )
            db.session.add(meeting)
            apply_template(meeting)
            db.session.flush()
            sync_attendance(meeting)
            record("meeting.schedule", meeting, topic=meeting.topic)
            db.session.commit()
            flash(_("Đã lên lịch buổi sinh hoạt. Đảng viên sẽ thấy trên trang chủ."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "GET":
        if current_user.member_id:
            form.chair_id.data = current_user.member_id
        # A regular meeting is proposed on the common meeting day (chapter 1 of the handbook).
        form.starts_at.data = proposed_start(to_user_timezone(utcnow()).replace(tzinfo=None))
        # The cell's own quorum rule carries over from its last meeting (the Statute's two
        # thirds by default; an older meeting's lower figure is raised to it).
        last_rule = db.session.scalar(
            select(Meeting.quorum_percent)
            .where(Meeting.cell_id == cell.id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
            .limit(1)
        )
        if last_rule:
            form.quorum_percent.data = max(last_rule, STATUTE_QUORUM_PERCENT)
    return render("meetings/new.html", form=form, cell=cell, far_warning=far_warning)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@permission("meeting.edit")
@allowed_in(Stage.SCHEDULED)
def edit(meeting_id: int):
    """Change a scheduled meeting's date, time, place, topic, chair and clerk (audited)."""
    meeting = get_meeting(meeting_id, "meeting.edit")
    if not meeting.is_scheduled:
        return refuse(
            meeting, _("Chỉ sửa được buổi sinh hoạt chưa bắt đầu: buổi này đã bắt đầu."), 409
        )
    form = MeetingEditForm(obj=meeting if request.method == "GET" else None)
    far_warning = False
    choices = member_choices(meeting.cell_id)
    form.chair_id.choices = choices
    form.clerk_id.choices = choices
    if request.method == "GET":
        form.starts_at.data = to_user_timezone(meeting.starts_at).replace(tzinfo=None)
    elif form.validate_on_submit():
        ids = {c[0] for c in choices}
        starts_at = to_utc(form.starts_at.data).replace(tzinfo=None)
        if form.chair_id.data not in ids or form.clerk_id.data not in ids:
            form.chair_id.errors.append(_("Chủ trì và thư ký phải là đảng viên của chi bộ."))
        elif problem := start_problem(starts_at, confirmed_far=form.confirm_far_date.data):
            form.starts_at.errors.append(problem[0])
            far_warning = problem[1]
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
                live_change(meeting)
                record("meeting.edit", meeting, changes=changes)
                db.session.commit()
                flash(_("Đã lưu thay đổi. Đảng viên sẽ thấy thông tin mới."), "success")
            else:
                flash(_("Không có gì thay đổi."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render(
        "meetings/edit.html",
        "meetings/_edit_form.html",
        form=form,
        meeting=meeting,
        far_warning=far_warning,
    )


def _audit_value(value):
    """Audit details are JSON: datetimes as ISO text."""
    return value.isoformat(timespec="minutes") if hasattr(value, "isoformat") else value


@bp.get("/<int:meeting_id>")
@permission("meeting.view")
def detail(meeting_id: int):
    """Preparation page: details, agenda, documents, recommendations."""
    return _detail_page(get_meeting(meeting_id))


def _detail_page(meeting: Meeting, doc_form: DocumentForm | None = None, status: int = 200):
    """The preparation page; a refused upload comes back with its error next to the file."""
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
    if doc_form is None:
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
        review_tasks=tasks_to_review(meeting),
        now=utcnow(),
        status=status,
    )


@bp.post("/<int:meeting_id>/items")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def add_item(meeting_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy nhập nội dung mới."))
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    db.session.add(
        AgendaItem(meeting_id=meeting.id, title=form.title.data, position=(last or 0) + 1)
    )
    live_change(meeting)
    db.session.commit()
    flash(_("Đã thêm nội dung vào chương trình."), "success")
    return back_to_meeting(meeting)


@bp.post("/<int:meeting_id>/items/<int:item_id>")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def edit_item(meeting_id: int, item_id: int):
    """Rename, move up/down or remove an agenda item."""
    meeting = get_meeting(meeting_id, "meeting.manage")
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
            return refuse(meeting, _("Tên nội dung không được để trống."))
        item.title = title
    elif op == "delete":
        has_docs = db.session.scalar(
            select(func.count()).select_from(Document).where(Document.item_id == item.id)
        )
        if has_docs or meeting.current_item_id == item.id:
            return refuse(meeting, _("Không thể xóa nội dung đã có tài liệu hoặc đang được bàn."))
        meeting.items.remove(item)
    else:
        abort(400)
    live_change(meeting)
    db.session.commit()
    return back_to_meeting(meeting)


@bp.post("/<int:meeting_id>/documents")
@permission("meeting.manage")
@allowed_in(*BEFORE_CLOSE)
def upload_document(meeting_id: int):
    meeting = get_meeting(meeting_id, "meeting.manage")
    form = DocumentForm()
    form.item_id.choices = [(i.id, i.title) for i in meeting.items]
    if not form.validate_on_submit():
        # The type and size are checked from the bytes (core/uploads.py); nothing was stored.
        if is_htmx():
            errors = form.file.errors or form.item_id.errors
            return refuse(meeting, str(errors[0]) if errors else _("Đồng chí hãy chọn tệp."))
        return _detail_page(meeting, form, 400)
    accepted = form.file.accepted
    name = accepted.filename
    doc = Document(
        meeting_id=meeting.id,
        item_id=form.item_id.data,
        filename=name,
        content_type=accepted.content_type,
        size=accepted.size,
        data=accepted.data,
        uploaded_by_id=current_user.id,
    )
    db.session.add(doc)
    live_change(meeting)
    record("meeting.document", meeting, filename=name)
    db.session.commit()
    if utcnow() > meeting.documents_deadline:
        flash(
            _(
                "Đã đính kèm tài liệu, nhưng chưa đủ một ngày trước buổi sinh hoạt: đảng viên "
                "có ít thời gian đọc trước."
            ),
            "error",
        )
    else:
        flash(_("Đã đính kèm tài liệu."), "success")
    return back_to_meeting(meeting)


@bp.get("/<int:meeting_id>/documents/<int:doc_id>")
@permission("meeting.view")
@serves_user_files
def document(meeting_id: int, doc_id: int):
    """A meeting document, served under the type its bytes really have (re-sniffed now, so a
    document stored before uploads were checked cannot come back as a page)."""
    meeting = get_meeting(meeting_id)
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.meeting_id != meeting.id:
        abort(404)
    return send_user_file(doc.data, doc.filename)


@bp.post("/<int:meeting_id>/recommendations")
@permission("meeting.take_part")
@allowed_in(*BEFORE_CLOSE)
def recommend(meeting_id: int):
    meeting = get_meeting(meeting_id)
    member = my_member(meeting)
    form = RecommendationForm()
    if not form.validate_on_submit():
        return refuse(meeting, _("Đồng chí hãy nhập nội dung kiến nghị."))
    if meeting.is_closed:
        return refuse(meeting, _("Buổi sinh hoạt đã kết thúc."), 409)
    if first_time(request.form.get("idempotency_key")):  # a phone's retry counts once
        db.session.add(
            Recommendation(meeting_id=meeting.id, member_id=member.id, text=form.text.data)
        )
        live_change(meeting)
        db.session.commit()
    flash(_("Đã gửi kiến nghị đến chi ủy."), "success")
    return back_to_meeting(meeting)
