"""The Ban Biên tập's queue of unanswered and poorly rated questions (similar ones grouped),
replies that reach the members in the app, a reply turned into a draft Q&A entry in one step,
the glossary, and a small report. An editor sees the questions of the units their role
covers (the province's editors: every question); each reply and glossary change is audited."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.assistant.blueprint import bp
from blueprints.assistant.forms import ReplyForm, TermForm
from blueprints.assistant.models import AssistantQuestion, GlossaryTerm, province_unit
from blueprints.assistant.services import (
    DISMISSED,
    OPEN,
    entry_from_reply,
    reply,
    similar,
)
from blueprints.audit.models import record
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_date
from core.models import utcnow
from core.permissions import authorize, permission, scope_clause
from core.rendering import render
from core.text import fold

QUEUE_LIMIT = 300
GROUP_SIMILARITY = 0.5
REPORT_WEEKS = 8


def _in_scope():
    """Questions asked in the units the editor's role covers."""
    return (
        select(AssistantQuestion)
        .join(Unit, Unit.id == AssistantQuestion.unit_id)
        .where(scope_clause(current_user, "assistant.answer", Unit.path))
    )


def group_questions(questions: list[AssistantQuestion]) -> list[list[AssistantQuestion]]:
    """Similar questions together (word overlap of the folded text), biggest group first."""
    groups: list[list[AssistantQuestion]] = []
    for question in questions:
        for group in groups:
            if similar(group[0].folded, question.folded) >= GROUP_SIMILARITY:
                group.append(question)
                break
        else:
            groups.append([question])
    return sorted(groups, key=lambda g: (-len(g), -g[0].id))


@bp.get("/queue")
@permission("assistant.answer")
def queue():
    """Open questions: no answer found, rated unhelpful, or sent to the Ban Biên tập."""
    questions = db.session.scalars(
        _in_scope()
        .where(AssistantQuestion.queue_state == OPEN)
        .options(selectinload(AssistantQuestion.rating), selectinload(AssistantQuestion.entry))
        .order_by(AssistantQuestion.id.desc())
        .limit(QUEUE_LIMIT)
    ).all()
    return render(
        "assistant/editor/queue.html", groups=group_questions(list(questions)), form=ReplyForm()
    )


def _open_questions(ids: list[int]) -> list[AssistantQuestion]:
    if not ids:
        abort(404)
    found = db.session.scalars(
        _in_scope().where(AssistantQuestion.id.in_(ids), AssistantQuestion.queue_state == OPEN)
    ).all()
    return list(found)


def _ids() -> list[int]:
    return [int(i) for i in request.form.getlist("question_id") if i.isdigit() and len(i) < 12]


@bp.post("/queue/reply")
@permission("assistant.answer")
def queue_reply():
    """Answer a group of questions: each member sees the reply on their assistant page."""
    form = ReplyForm()
    questions = _open_questions(_ids())
    if not questions:
        flash(_("Các câu hỏi này đã được người khác xử lý."), "error")
        return redirect(url_for("assistant.queue"))
    if not form.validate_on_submit():
        flash(_("Hãy viết câu trả lời (tối đa 5.000 ký tự)."), "error")
        return redirect(url_for("assistant.queue"))
    replies = reply(questions, current_user, form.text.data)
    for question in questions:
        record("assistant.replied", question, reply=form.text.data[:200])
    if form.make_entry.data:
        entry = entry_from_reply(questions[0], form.text.data, current_user)
        db.session.flush()
        for item in replies:
            item.entry_id = entry.id
        record("assistant.entry_create", entry, title=entry.question)
        db.session.commit()
        flash(
            _("Đã trả lời và tạo bản nháp mục hỏi đáp; hãy bổ sung nguồn rồi gửi duyệt."), "success"
        )
        return redirect(url_for("assistant.editor_edit", entry_id=entry.id))
    db.session.commit()
    flash(
        _("Đã trả lời %(n)s câu hỏi. Đảng viên sẽ thấy ở trang Trợ lý ảo.", n=len(questions)),
        "success",
    )
    return redirect(url_for("assistant.queue"))


@bp.post("/queue/dismiss")
@permission("assistant.answer")
def queue_dismiss():
    """Take questions out of the queue without a reply (not about Party work, duplicates)."""
    questions = _open_questions(_ids())
    for question in questions:
        question.queue_state = DISMISSED
        record("assistant.dismissed", question)
    db.session.commit()
    flash(_("Đã bỏ %(n)s câu hỏi khỏi hàng chờ.", n=len(questions)), "success")
    return redirect(url_for("assistant.queue"))


@bp.route("/glossary", methods=["GET", "POST"])
@permission("assistant.edit")
def glossary():
    """Abbreviations and synonyms, and terms naming things outside the Party's procedures: a
    term saved again replaces what it was."""
    authorize("assistant.edit", province_unit())
    form = TermForm()
    if form.validate_on_submit():
        key = " ".join(fold(form.term.data).split())
        if not key.replace(" ", "").isalnum():
            form.term.errors.append(_("Từ cần có chữ hoặc số."))
        else:
            term = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.folded == key))
            term = term or GlossaryTerm(folded=key)
            term.outside = form.kind.data == "outside"
            term.term = form.term.data
            term.expansion = "" if term.outside else form.expansion.data
            term.updated_at, term.updated_by_id = utcnow(), current_user.id
            db.session.add(term)
            db.session.flush()
            record(
                "assistant.term_saved",
                term,
                term=term.term,
                expansion=term.expansion,
                outside=term.outside,
            )
            db.session.commit()
            flash(_("Đã lưu. Trợ lý ảo dùng ngay từ này khi tìm câu trả lời."), "success")
            return redirect(url_for("assistant.glossary"))
    terms = db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.folded)).all()
    return render("assistant/editor/glossary.html", form=form, terms=terms)


@bp.post("/glossary/<int:term_id>/delete")
@permission("assistant.edit")
def glossary_delete(term_id: int):
    """Remove a glossary term."""
    term = db.session.get(GlossaryTerm, term_id)
    if term is None:
        abort(404)
    authorize("assistant.edit", term)
    record("assistant.term_deleted", term, term=term.term, expansion=term.expansion)
    db.session.delete(term)
    db.session.commit()
    flash(_("Đã xóa."), "success")
    return redirect(url_for("assistant.glossary"))


@bp.get("/report")
@permission("assistant.answer")
def report():
    """Questions per week, the share answered, and the most frequent unanswered questions."""
    since = utcnow() - timedelta(weeks=REPORT_WEEKS)
    rows = db.session.execute(
        _in_scope()
        .with_only_columns(AssistantQuestion.created_at, AssistantQuestion.answered)
        .where(AssistantQuestion.created_at >= since)
    ).all()
    weeks: Counter = Counter()
    answered: Counter = Counter()
    for created, ok in rows:
        monday = (created - timedelta(days=created.weekday())).date()
        weeks[monday] += 1
        answered[monday] += 1 if ok else 0
    table = [
        (fmt_date(week), weeks[week], round(100 * answered[week] / weeks[week]))
        for week in sorted(weeks, reverse=True)
    ]
    unanswered = db.session.scalars(
        _in_scope()
        .where(AssistantQuestion.answered.is_(False), AssistantQuestion.created_at >= since)
        .order_by(AssistantQuestion.id.desc())
        .limit(QUEUE_LIMIT)
    ).all()
    total = db.session.scalar(
        _in_scope().with_only_columns(func.count()).where(AssistantQuestion.created_at >= since)
    )
    share = round(100 * sum(answered.values()) / total) if total else 0
    return render(
        "assistant/editor/report.html",
        table=table,
        total=total or 0,
        share=share,
        top=group_questions(list(unanswered))[:10],
        weeks=REPORT_WEEKS,
    )
