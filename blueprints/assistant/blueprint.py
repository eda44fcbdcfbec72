"""The assistant blueprint, its permissions and its audited objects.

Members ask (any logged-in account: `AUTHENTICATED`; each sees only their own questions).
The Ban Biên tập writes and reviews Q&A entries with the handbook's workflow, answers the
queue and edits the glossary: editors on the province, since the assistant answers the whole
province alike; an editor on a committee sees the questions of that committee's members.
"""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.assistant.models import AssistantQuestion, GlossaryTerm, QAEntry
from blueprints.audit.labels import register_object
from core.extensions import db
from core.permissions import EDITOR, register_action

bp = Blueprint("assistant", __name__, url_prefix="/assistant")

register_action("assistant.edit", (EDITOR,))  # write Q&A entries, edit the glossary
register_action("assistant.review", (EDITOR,))  # approve another editor's entry
register_action("assistant.answer", (EDITOR,))  # the queue of questions, replies, report

PER_PAGE = 20


def _audit_entries(ids) -> dict:
    rows = db.session.scalars(select(QAEntry).where(QAEntry.id.in_(ids))).all()
    return {e.id: (e.question, url_for("assistant.editor_entry", entry_id=e.id)) for e in rows}


def _audit_questions(ids) -> dict:
    rows = db.session.scalars(select(AssistantQuestion).where(AssistantQuestion.id.in_(ids))).all()
    return {q.id: (q.text, url_for("assistant.queue")) for q in rows}


def _audit_terms(ids) -> dict:
    rows = db.session.scalars(select(GlossaryTerm).where(GlossaryTerm.id.in_(ids))).all()
    return {t.id: (f"{t.term} → {t.expansion}", url_for("assistant.glossary")) for t in rows}


register_object("QAEntry", _l("Mục hỏi đáp của trợ lý ảo"), _audit_entries)
register_object("AssistantQuestion", _l("Câu hỏi gửi trợ lý ảo"), _audit_questions)
register_object("GlossaryTerm", _l("Từ viết tắt, từ đồng nghĩa"), _audit_terms)
