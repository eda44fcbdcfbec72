"""Routes of "Dữ liệu của tôi": the page, its JSON and PDF downloads, correction requests,
and the staff queue that answers them."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.audit.models import record
from blueprints.members.models import Member
from blueprints.mydata.blueprint import HANDLE_CORRECTIONS, bp
from blueprints.mydata.collect import my_data
from blueprints.mydata.forms import AnswerForm, CorrectionForm
from blueprints.mydata.models import CorrectionRequest, CorrectionStatus
from blueprints.mydata.pdf import my_data_pdf
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from core.pagination import paginate
from core.permissions import AUTHENTICATED, get_authorized, permission, scope_clause
from core.rendering import render


def _download(body: bytes, mimetype: str, name: str) -> Response:
    record("mydata.downloaded", current_user, format=name.rsplit(".", 1)[-1])
    db.session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/my-data")
@permission(AUTHENTICATED)
def index():
    """Everything the app holds about the logged-in person, with the correction form."""
    return render(
        "mydata/index.html",
        sections=my_data(current_user),
        form=CorrectionForm(),
    )


@bp.get("/my-data.json")
@permission(AUTHENTICATED)
def as_json():
    """The same data as a JSON file (section key → rows of {column: value})."""
    payload = {
        section.key: {
            "title": section.title,
            "rows": [dict(zip(section.columns, row, strict=True)) for row in section.rows],
        }
        for section in my_data(current_user)
    }
    body = json.dumps(payload, ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", "du-lieu-cua-toi.json")


@bp.get("/my-data.pdf")
@permission(AUTHENTICATED)
def as_pdf():
    """The same data as a readable PDF."""
    name = current_user.member.full_name if current_user.member else current_user.name
    return _download(
        my_data_pdf(name, my_data(current_user)), "application/pdf", "du-lieu-cua-toi.pdf"
    )


@bp.post("/my-data/corrections")
@permission(AUTHENTICATED)
def request_correction():
    """Queue a correction request for the staff of the member's units."""
    form = CorrectionForm()
    if not form.validate_on_submit():
        return render(
            "mydata/index.html",
            "mydata/_correction_form.html",
            status=400,
            sections=my_data(current_user),
            form=form,
        )
    entry = CorrectionRequest(
        user=current_user, member_id=current_user.member_id, text=form.text.data
    )
    db.session.add(entry)
    db.session.flush()
    record("mydata.correction_requested", entry)
    db.session.commit()
    flash(
        _("Đã gửi đề nghị sửa thông tin. Cán bộ phụ trách sẽ trả lời đồng chí tại trang này."),
        "success",
    )
    if request.headers.get("HX-Request") == "true":
        return render(
            "mydata/index.html", "mydata/_correction_form.html", form=CorrectionForm(), sent=True
        )
    return redirect(url_for("mydata.index"))


@bp.get("/my-data/requests")
@permission(HANDLE_CORRECTIONS)
def queue():
    """Open correction requests of members in the staff member's units, oldest first."""
    stmt = (
        select(CorrectionRequest)
        .join(Member, Member.id == CorrectionRequest.member_id)
        .join(Unit, Unit.id == Member.cell_id)
        .where(scope_clause(current_user, HANDLE_CORRECTIONS, Unit.path))
        .where(CorrectionRequest.status == CorrectionStatus.OPEN)
        .order_by(CorrectionRequest.created_at)
    )
    page = paginate(stmt, 50)
    return render("mydata/queue.html", page=page, form=AnswerForm())


@bp.post("/my-data/requests/<int:request_id>")
@permission(HANDLE_CORRECTIONS)
def answer(request_id: int):
    """Record what was done; the member sees the answer on their page."""
    entry = get_authorized(CorrectionRequest, request_id, HANDLE_CORRECTIONS)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(
            form.answer.errors[0] if form.answer.errors else _("Xin ghi ngắn gọn việc đã làm."),
            "error",
        )
        return redirect(url_for("mydata.queue"))
    if entry.status != CorrectionStatus.OPEN:
        abort(404)
    entry.status = CorrectionStatus.DONE
    entry.answer = form.answer.data
    entry.handled_by_id = current_user.id
    entry.handled_at = utcnow()
    record("mydata.correction_handled", entry, member=entry.member_id)
    db.session.commit()
    flash(_("Đã ghi nhận việc xử lý; đồng chí đảng viên sẽ thấy câu trả lời."), "success")
    return redirect(url_for("mydata.queue"))
