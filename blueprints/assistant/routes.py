"""The member's side of the assistant: ask, read the sourced answers, rate them, send a
question to the Ban Biên tập, see earlier questions and the editors' replies, read a Q&A
entry, and the export the phone answers from without the network."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.assistant.analysis import STOPWORDS
from blueprints.assistant.blueprint import bp
from blueprints.assistant.engine import glossary, outside_glossary
from blueprints.assistant.forms import AskForm, RateForm, SendForm
from blueprints.assistant.models import AssistantQuestion, QAEntry
from blueprints.assistant.outside import PARTY_WORDS
from blueprints.assistant.services import (
    answer_views,
    ask,
    rate,
    send_to_editors,
    source_links,
    unseen_replies,
)
from blueprints.handbook.models import Status
from core.extensions import db
from core.i18n import fmt_date
from core.idempotency import first_time
from core.models import utcnow
from core.permissions import AUTHENTICATED, permission
from core.rendering import is_htmx, render
from core.text import clean

HISTORY = 20


def assistant_context() -> dict:
    """Template helper (installed by app.py): the count of unread replies for the home screen."""
    return {"assistant_unseen_replies": unseen_replies}


def _history() -> list[AssistantQuestion]:
    """The member's own questions, newest first, with replies; opening them marks replies seen."""
    questions = db.session.scalars(
        select(AssistantQuestion)
        .where(AssistantQuestion.user_id == current_user.id)
        .options(selectinload(AssistantQuestion.replies), selectinload(AssistantQuestion.rating))
        .order_by(AssistantQuestion.id.desc())
        .limit(HISTORY)
    ).all()
    return list(questions)


def _mark_replies_seen(questions) -> None:
    now = utcnow()
    for question in questions:
        for item in question.replies:
            if item.seen_at is None:
                item.seen_at = now
    db.session.commit()


def _own_question(question_id: int) -> AssistantQuestion:
    """A question of the current member; anybody else's answers 404 like a missing one."""
    question = db.session.get(AssistantQuestion, question_id)
    if question is None or question.user_id != current_user.id:
        abort(404)
    return question


@bp.get("/")
@permission(AUTHENTICATED)
def index():
    """The chat-like page: the question box, then earlier questions with the replies."""
    history = _history()
    new_replies = [r for q in history for r in q.replies if r.seen_at is None]
    page = render(
        "assistant/index.html",
        form=AskForm(),
        history=history,
        new_replies=len(new_replies),
        exchange=None,
    )
    _mark_replies_seen(history)
    return page


@bp.post("/ask")
@permission(AUTHENTICATED)
def ask_question():
    """Answer a question: at most three sourced answers, or "no answer yet" with the offer to
    send it to the Ban Biên tập. htmx gets the exchange alone, a plain form the whole page."""
    form = AskForm()
    if not form.validate_on_submit():
        return render(
            "assistant/index.html",
            "assistant/_ask_form.html",
            status=422,
            form=form,
            history=_history(),
            new_replies=0,
            exchange=None,
        )
    question, result = ask(current_user, form.text.data)
    db.session.commit()
    exchange = {
        "question": question,
        "answers": answer_views(result),
        "rate_form": RateForm(),
        "send_form": SendForm(text=question.text),
    }
    if is_htmx():
        return render("assistant/_exchange.html", exchange=exchange)
    return render(
        "assistant/index.html", form=AskForm(), history=_history(), new_replies=0, exchange=exchange
    )


@bp.post("/questions/<int:question_id>/rate")
@permission(AUTHENTICATED)
def rate_answer(question_id: int):
    """Hữu ích / chưa hữu ích with an optional comment; unhelpful goes to the editors."""
    question = _own_question(question_id)
    if not question.answered:
        abort(404)
    form = RateForm()
    if not form.validate_on_submit():
        return render(
            "assistant/_rate.html", status=422, question=question, rate_form=form, rated=False
        )
    rate(question, form.helpful.data == "yes", form.comment.data or "")
    db.session.commit()
    if not is_htmx():
        flash(_("Cảm ơn đồng chí đã góp ý."), "success")
        return redirect(url_for("assistant.index"))
    return render("assistant/_rate.html", question=question, rate_form=form, rated=True)


@bp.post("/send")
@permission(AUTHENTICATED)
def send():
    """Send a question to the Ban Biên tập: one tap, and queued on the phone when offline
    (the idempotency key makes a replay count once)."""
    form = SendForm()
    if not form.validate_on_submit():
        flash(_("Không gửi được: câu hỏi trống hoặc quá dài (tối đa 500 ký tự)."), "error")
        return redirect(url_for("assistant.index"))
    if first_time(request.form.get("idempotency_key")):
        text = clean(form.text.data)
        question_id = request.form.get("question_id", type=int)
        question = db.session.get(AssistantQuestion, question_id) if question_id else None
        if question is None or question.user_id != current_user.id or question.text != text:
            question, _result = ask(current_user, text)
        send_to_editors(question)
    db.session.commit()
    message = _("Đã gửi câu hỏi đến Ban Biên tập. Câu trả lời sẽ hiện ở trang Trợ lý ảo.")
    if is_htmx():
        return render("assistant/_sent.html", message=message)
    flash(message, "success")
    return redirect(url_for("assistant.index"))


@bp.get("/entries/<slug>")
@permission(AUTHENTICATED)
def entry(slug: str):
    """One published Q&A entry with its sources (drafts are not found)."""
    item = db.session.scalar(
        select(QAEntry).where(QAEntry.slug == slug, QAEntry.status == Status.PUBLISHED)
    )
    if item is None:
        abort(404)
    return render("assistant/entry.html", entry=item, sources=source_links(item.sources or []))


@bp.get("/offline.json")
@permission(AUTHENTICATED)
def offline_data():
    """The published Q&A and the glossary, for answering on the phone without the network
    (static/js/assistant.js folds and scores them the same way as the server)."""
    entries = db.session.scalars(
        select(QAEntry).where(QAEntry.status == Status.PUBLISHED).order_by(QAEntry.id)
    ).all()
    data = {
        "entries": [
            {
                "id": e.slug,
                "q": e.question,
                "also": e.alternatives or [],
                "html": e.answer_html,
                "text": e.answer_text,
                "sources": [s.label for s in source_links(e.sources or [])],
                "checked": fmt_date(e.checked_on),
            }
            for e in entries
        ],
        "glossary": [[" ".join(t), " ".join(x)] for t, x in glossary()],
        "outside": outside_glossary(),
        "partyWords": list(PARTY_WORDS),
        "stopwords": sorted(STOPWORDS),
        "savedAt": utcnow().isoformat() + "Z",
    }
    response = jsonify(data)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
