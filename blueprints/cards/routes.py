"""Party-card requests: a member files and follows them; committee staff work a queue."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.audit.models import record
from blueprints.cards.blueprint import bp
from blueprints.cards.forms import ApproveForm, CardRequestForm, NoteForm, RejectForm
from blueprints.cards.models import (
    OPEN_STATUSES,
    CardRequest,
    CardRequestEvent,
    RequestEvent,
    RequestStatus,
)
from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db
from core.idempotency import first_time
from core.models import utcnow
from core.pagination import pager, paginate
from core.permissions import AUTHENTICATED, can, permission, scope_clause
from core.rendering import render
from core.text import normalise_card_number

PAGE_SIZE = 50


def _own_member() -> Member:
    member = current_user.member
    if member is None:
        abort(403)
    return member


def _load(request_id: int) -> tuple[CardRequest, bool]:
    """The request and whether the user handles it as staff; 403 for anyone else."""
    req = db.session.scalar(
        select(CardRequest)
        .options(selectinload(CardRequest.events).selectinload(CardRequestEvent.actor))
        .where(CardRequest.id == request_id)
    )
    if req is None:
        abort(404)
    staff = can(current_user, "card_request.handle", req)
    if not staff and req.member_id != current_user.member_id:
        abort(404)  # as for a missing request: ids of others' requests are not probed
    return req, staff


def _step(req: CardRequest, action: str, note: str = "", **details) -> None:
    req.events.append(CardRequestEvent(action=action, note=note, actor_id=current_user.id))
    req.updated_at = utcnow()
    record(f"card_request.{action}", req, **details)


@bp.get("")
@permission(AUTHENTICATED)
def mine():
    """The member's own requests and their status."""
    member = current_user.member
    requests = []
    if member is not None:
        requests = db.session.scalars(
            select(CardRequest)
            .where(CardRequest.member_id == member.id)
            .order_by(CardRequest.id.desc())
        ).all()
    return render("cards/mine.html", requests=requests, member=member)


@bp.route("/new", methods=["GET", "POST"])
@permission(AUTHENTICATED)
def new():
    """File a request for a new or corrected card."""
    member = _own_member()
    form = CardRequestForm()
    if form.validate_on_submit():
        if not first_time(request.form.get("idempotency_key")):
            # The phone sent this request again (offline outbox, double tap): it counts once.
            flash(_("Đã gửi đề nghị. Ban Tổ chức sẽ xem xét và trả lời tại đây."), "success")
            return redirect(url_for("cards.mine"))
        open_same = db.session.scalar(
            select(CardRequest.id).where(
                CardRequest.member_id == member.id,
                CardRequest.kind == form.kind.data,
                CardRequest.status.in_(OPEN_STATUSES),
            )
        )
        if open_same:
            flash(_("Đồng chí đã có một đề nghị cùng lý do đang chờ xử lý."), "info")
            return redirect(url_for("cards.detail", request_id=open_same))
        req = CardRequest(
            member=member,
            kind=form.kind.data,
            details=form.details.data or "",
            old_card_number=member.card_number,
        )
        db.session.add(req)
        db.session.flush()
        _step(req, RequestEvent.SUBMITTED, form.details.data or "", kind=req.kind)
        db.session.commit()
        flash(_("Đã gửi đề nghị. Ban Tổ chức sẽ xem xét và trả lời tại đây."), "success")
        return redirect(url_for("cards.detail", request_id=req.id))
    return render("cards/new.html", form=form, member=member)


@bp.get("/<int:request_id>")
@permission(AUTHENTICATED)
def detail(request_id: int):
    """A request with its history; staff also see the actions."""
    req, staff = _load(request_id)
    return render(
        "cards/detail.html",
        req=req,
        staff=staff,
        reply_form=NoteForm(prefix="reply"),
        ask_form=NoteForm(prefix="ask"),
        approve_form=ApproveForm(prefix="approve"),
        reject_form=RejectForm(prefix="reject"),
    )


def _detail_with_errors(req, staff, **forms):
    context = {
        "reply_form": NoteForm(prefix="reply"),
        "ask_form": NoteForm(prefix="ask"),
        "approve_form": ApproveForm(prefix="approve"),
        "reject_form": RejectForm(prefix="reject"),
    }
    context.update(forms)
    return render("cards/detail.html", status=422, req=req, staff=staff, **context)


@bp.post("/<int:request_id>/reply")
@permission(AUTHENTICATED)
def reply(request_id: int):
    """The member adds the information staff asked for."""
    req, _staff = _load(request_id)
    if req.member_id != current_user.member_id or req.status != RequestStatus.NEEDS_INFO:
        abort(403)
    form = NoteForm(prefix="reply")
    if not form.validate_on_submit():
        return _detail_with_errors(req, False, reply_form=form)
    req.status = RequestStatus.SUBMITTED
    _step(req, RequestEvent.INFO_ADDED, form.note.data)
    db.session.commit()
    flash(_("Đã gửi thông tin bổ sung."), "success")
    return redirect(url_for("cards.detail", request_id=req.id))


def _staff_request(request_id: int) -> CardRequest:
    req, staff = _load(request_id)
    if not staff:
        abort(403)
    if not req.is_open:
        flash(_("Đề nghị này đã được xử lý xong."), "info")
        abort(redirect(url_for("cards.detail", request_id=req.id)))
    return req


@bp.post("/<int:request_id>/ask")
@permission("card_request.handle")
def ask(request_id: int):
    """Staff ask the member for more information."""
    req = _staff_request(request_id)
    form = NoteForm(prefix="ask")
    if not form.validate_on_submit():
        return _detail_with_errors(req, True, ask_form=form)
    req.status = RequestStatus.NEEDS_INFO
    _step(req, RequestEvent.INFO_REQUESTED, form.note.data)
    db.session.commit()
    flash(_("Đã gửi yêu cầu bổ sung cho đảng viên."), "success")
    return redirect(url_for("cards.detail", request_id=req.id))


def _taken_message(owner: Member, number: str) -> str:
    """Why `number` cannot be given: whose it is only when the owner is in the user's scope."""
    if can(current_user, "member.view", owner):
        return _(
            "Số thẻ %(card)s đã thuộc đồng chí %(name)s (%(cell)s). "
            "Đồng chí hãy kiểm tra lại số thẻ trên quyết định cấp thẻ.",
            card=number,
            name=owner.full_name,
            cell=owner.cell.name,
        )
    return _(
        "Không dùng được số thẻ %(card)s: số này không còn trống. Đồng chí hãy kiểm tra lại số thẻ "
        "trên quyết định cấp thẻ; nếu số đúng, đề nghị Ban Tổ chức cấp trên kiểm tra.",
        card=number,
    )


@bp.post("/<int:request_id>/approve")
@permission("card_request.handle")
def approve(request_id: int):
    """Approve: the member's card number becomes the new one (they log in with it)."""
    req = _staff_request(request_id)
    form = ApproveForm(prefix="approve")
    if form.validate_on_submit():
        number = normalise_card_number(form.new_card_number.data)
        owner = db.session.scalar(
            select(Member).where(Member.card_number == number, Member.id != req.member_id)
        )
        if not 6 <= len(number) <= 20:
            form.new_card_number.errors.append(_("Số thẻ cần 6 đến 20 chữ số hoặc chữ cái."))
        elif owner is not None:
            form.new_card_number.errors.append(_taken_message(owner, number))
            # Card numbers are unique, so a refusal cannot hide that the number exists; the
            # refusals are kept so that someone trying many numbers shows in the audit log.
            record("card_request.number_taken", req, card=number)
            db.session.commit()
        else:
            old = req.member.card_number
            req.member.card_number = number
            req.new_card_number = number
            req.status = RequestStatus.APPROVED
            _step(req, RequestEvent.APPROVED, form.note.data or "", old=old, new=number)
            db.session.commit()
            flash(
                _(
                    "Đã duyệt. Đảng viên đăng nhập bằng số thẻ mới %(card)s hoặc số điện thoại; "
                    "số thẻ cũ vẫn đăng nhập được thêm %(days)d ngày, và khi đó đồng chí ấy "
                    "được báo số thẻ mới.",
                    card=number,
                    days=current_app.config["OLD_CARD_LOGIN_DAYS"],
                ),
                "success",
            )
            return redirect(url_for("cards.detail", request_id=req.id))
    return _detail_with_errors(req, True, approve_form=form)


@bp.post("/<int:request_id>/reject")
@permission("card_request.handle")
def reject(request_id: int):
    """Reject with a reason the member will read."""
    req = _staff_request(request_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _detail_with_errors(req, True, reject_form=form)
    req.status = RequestStatus.REJECTED
    _step(req, RequestEvent.REJECTED, form.note.data)
    db.session.commit()
    flash(_("Đã trả lời: không duyệt đề nghị."), "success")
    return redirect(url_for("cards.detail", request_id=req.id))


@bp.get("/queue")
@permission("card_request.handle")
def queue():
    """Requests of the members in the staff member's subtree, open ones first."""
    status = request.args.get("status", "open")
    stmt = (
        select(CardRequest)
        .join(Member, CardRequest.member_id == Member.id)
        .join(Unit, Member.cell_id == Unit.id)
        .where(scope_clause(current_user, "card_request.handle", Unit.path))
        .options(selectinload(CardRequest.member).selectinload(Member.cell))
    )
    if status == "open":
        stmt = stmt.where(CardRequest.status.in_(OPEN_STATUSES))
    elif status in {s.value for s in RequestStatus}:
        stmt = stmt.where(CardRequest.status == status)
    listed = paginate(stmt.order_by(CardRequest.created_at, CardRequest.id), PAGE_SIZE)
    return render(
        "cards/queue.html",
        "cards/_queue_table.html",
        rows=listed.items,
        status_filter=status,
        total=listed.total,
        **pager(listed),
        status_labels=RequestStatus.labels(),
    )
