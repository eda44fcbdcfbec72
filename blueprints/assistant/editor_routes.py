"""The Ban Biên tập's Q&A entries: list, write, edit a draft, and the handbook's workflow
(nháp → chờ duyệt → đã xuất bản → lưu trữ, a reviewer other than the submitter). Only a
published entry answers members; every step is audited."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from blueprints.assistant.blueprint import PER_PAGE, bp
from blueprints.assistant.forms import EntryForm, ReturnForm
from blueprints.assistant.models import QAEntry
from blueprints.assistant.services import save_entry_text, source_links
from blueprints.audit.models import record
from blueprints.handbook.models import Status
from core.extensions import db
from core.models import utcnow
from core.pagination import pager, paginate
from core.permissions import ADMIN, authorize, can, has_role, permission
from core.rendering import render

# action → (states it may start from, state it leads to, audit code, message)
TRANSITIONS = {
    "submit": (
        (Status.DRAFT,),
        Status.REVIEW,
        "assistant.entry_submit",
        _l("Đã gửi mục hỏi đáp đi duyệt."),
    ),
    "approve": (
        (Status.REVIEW,),
        Status.PUBLISHED,
        "assistant.entry_publish",
        _l("Đã duyệt và xuất bản: trợ lý ảo dùng mục này từ bây giờ."),
    ),
    "return": (
        (Status.REVIEW,),
        Status.DRAFT,
        "assistant.entry_return",
        _l("Đã trả mục về cho người viết."),
    ),
    "archive": (
        (Status.PUBLISHED,),
        Status.ARCHIVED,
        "assistant.entry_archive",
        _l("Đã chuyển mục vào lưu trữ; trợ lý ảo không dùng mục này nữa."),
    ),
    "redraft": (
        (Status.PUBLISHED, Status.ARCHIVED, Status.REVIEW),
        Status.DRAFT,
        "assistant.entry_redraft",
        _l("Mục đã về nháp; trợ lý ảo không dùng mục này cho đến khi được duyệt lại."),
    ),
}


def _editable(entry_id: int) -> QAEntry:
    entry = db.session.get(QAEntry, entry_id)
    if entry is None:
        abort(404)
    authorize("assistant.edit", entry)
    return entry


def _may_review(entry: QAEntry) -> bool:
    """Four eyes: the submitter cannot approve their own entry (an administrator can)."""
    if not can(current_user, "assistant.review", entry):
        return False
    return entry.submitted_by_id != current_user.id or has_role(current_user, ADMIN)


@bp.get("/editor/")
@permission("assistant.edit")
def editor_entries():
    """Every Q&A entry, by status, newest change first."""
    status = request.args.get("status", "")
    stmt = select(QAEntry)
    if status in {s.value for s in Status}:
        stmt = stmt.where(QAEntry.status == status)
    else:
        status = ""
    listed = paginate(stmt.order_by(QAEntry.updated_at.desc(), QAEntry.id.desc()), PER_PAGE)
    return render(
        "assistant/editor/entries.html",
        items=listed.items,
        total=listed.total,
        **pager(listed),
        status_filter=status,
        statuses=Status.labels(),
    )


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _slug_taken(form: EntryForm, entry: QAEntry | None) -> bool:
    clash = db.session.scalar(
        select(QAEntry.id).where(
            QAEntry.slug == form.slug.data, QAEntry.id != (entry.id if entry else 0)
        )
    )
    if clash:
        form.slug.errors.append(_("Mã này đã được dùng cho mục khác."))
    return bool(clash)


def _save(entry: QAEntry, form: EntryForm) -> None:
    entry.slug = form.slug.data
    entry.edited_by_id = current_user.id
    save_entry_text(
        entry,
        question=form.question.data,
        alternatives=_lines(form.alternatives.data),
        answer=form.answer.data,
        sources=_lines(form.sources.data),
        topic=form.topic.data,
        checked=form.checked_on.data,
    )


@bp.route("/editor/new", methods=["GET", "POST"])
@permission("assistant.edit")
def editor_new():
    """Write a new entry (saved as a draft)."""
    form = EntryForm()
    if request.method == "GET":
        form.checked_on.data = utcnow().date()
    if form.validate_on_submit() and not _slug_taken(form, None):
        entry = QAEntry(status=Status.DRAFT)
        authorize("assistant.edit", entry)
        _save(entry, form)
        db.session.flush()
        record("assistant.entry_create", entry, title=entry.question)
        db.session.commit()
        flash(_("Đã lưu bản nháp."), "success")
        return redirect(url_for("assistant.editor_entry", entry_id=entry.id))
    return render("assistant/editor/form.html", form=form, entry=None)


@bp.route("/editor/<int:entry_id>/edit", methods=["GET", "POST"])
@permission("assistant.edit")
def editor_edit(entry_id: int):
    """Edit a draft entry."""
    entry = _editable(entry_id)
    if entry.status != Status.DRAFT:
        flash(_("Chỉ sửa được bản nháp. Hãy chuyển mục về nháp trước."), "error")
        return redirect(url_for("assistant.editor_entry", entry_id=entry.id))
    form = EntryForm(obj=entry)
    if request.method == "GET":
        form.alternatives.data = "\n".join(entry.alternatives or [])
        form.sources.data = "\n".join(entry.sources or [])
    if form.validate_on_submit() and not _slug_taken(form, entry):
        _save(entry, form)
        record("assistant.entry_edit", entry, title=entry.question)
        db.session.commit()
        flash(_("Đã lưu."), "success")
        return redirect(url_for("assistant.editor_entry", entry_id=entry.id))
    return render("assistant/editor/form.html", form=form, entry=entry)


@bp.get("/editor/<int:entry_id>")
@permission("assistant.edit")
def editor_entry(entry_id: int):
    """One entry as members will read it, with its state and the workflow buttons."""
    entry = _editable(entry_id)
    return render(
        "assistant/editor/entry.html",
        entry=entry,
        sources=source_links(entry.sources or []),
        can_review=_may_review(entry),
        return_form=ReturnForm(),
    )


@bp.post("/editor/<int:entry_id>/step/<action>")
@permission("assistant.edit")
def editor_transition(entry_id: int, action: str):
    """Move an entry along the workflow; a stale page is told what happened meanwhile."""
    if action not in TRANSITIONS:
        abort(404)
    entry = _editable(entry_id)
    allowed_from, target, code, message = TRANSITIONS[action]
    back = redirect(url_for("assistant.editor_entry", entry_id=entry.id))
    if entry.status not in allowed_from:
        flash(_("Mục đã chuyển sang trạng thái khác, có thể do người khác vừa xử lý."), "error")
        return back
    if action in ("approve", "return") and not _may_review(entry):
        abort(403)
    comment = ""
    if action == "return":
        form = ReturnForm()
        if not form.validate_on_submit():
            flash(_("Hãy ghi ý kiến để người viết biết cần sửa gì."), "error")
            return back
        comment = form.comment.data
    _apply(entry, action, target, comment)
    details = {"comment": comment} if comment else {}
    record(code, entry, **details)  # codes listed in TRANSITIONS, labelled in audit/labels.py
    db.session.commit()
    flash(str(message), "success")
    return back


def _apply(entry: QAEntry, action: str, target: str, comment: str) -> None:
    entry.status = target
    if action == "submit":
        entry.submitted_by_id = current_user.id
    elif action == "approve":
        entry.reviewed_by_id, entry.review_comment = current_user.id, ""
        entry.published_at = utcnow()
    elif action == "return":
        entry.reviewed_by_id, entry.review_comment = current_user.id, comment
    elif action == "redraft":
        entry.published_at = None
