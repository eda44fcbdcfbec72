"""What the assistant's views, commands and the offline export share: asking, what an answer
shows (sources and the date last checked), ratings, sending a question to the Ban Biên tập,
replies, turning a reply into a draft entry, and saving a Q&A entry's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from blueprints.assistant.analysis import words
from blueprints.assistant.engine import Result, search
from blueprints.assistant.models import (
    AnswerRating,
    AssistantQuestion,
    EditorReply,
    QAEntry,
    province_unit,
)
from blueprints.handbook.models import Article, Kind, Status
from blueprints.handbook.services import render_text
from core.extensions import db
from core.models import utcnow
from core.text import clean, fold

OPEN, REPLIED, DISMISSED = "open", "replied", "dismissed"
EXCERPT_CHARS = 600
_DOC_NUMBER = re.compile(r"\bsố\s+(\d+[-/][\wĐđ/-]+)", re.I)


@dataclass
class Source:
    """One source of an answer: what it is and where to read it (None: not in the app)."""

    label: str
    url: str | None = None


@dataclass
class Answer:
    """One answer as a member sees it."""

    kind: str
    title: str
    heading: str
    html: Markup
    url: str
    sources: list[Source] = field(default_factory=list)
    checked_on: date | None = None


def save_entry_text(entry: QAEntry, *, question, alternatives, answer, sources, topic, checked):
    """The one way an entry's text is set: cleaned, the answer rendered and sanitised as the
    handbook's Markdown is (the index follows at the flush)."""
    entry.question = clean(question)[:500]
    entry.alternatives = [clean(a)[:500] for a in alternatives if clean(a)]
    entry.answer = answer
    entry.answer_html, entry.answer_text = render_text(answer)
    entry.sources = [clean(s)[:500] for s in sources if clean(s)]
    entry.topic = topic
    entry.checked_on = checked
    entry.updated_at = utcnow()
    db.session.add(entry)


def _chapter(slug: str) -> Article | None:
    return db.session.scalar(
        select(Article).where(
            Article.slug == slug, Article.kind == Kind.CHAPTER, Article.status == Status.PUBLISHED
        )
    )


def source_links(sources: list[str]) -> list[Source]:
    """Each source named and linked: `handbook:<slug>` to the chapter, an official text to its
    page among the documents when the app holds it (matched by its number)."""
    out = []
    for source in sources:
        if source.startswith("handbook:"):
            chapter = _chapter(source.removeprefix("handbook:"))
            if chapter is not None:
                out.append(Source(chapter.title, url_for("handbook.chapter", slug=chapter.slug)))
            continue
        match = _DOC_NUMBER.search(source)
        doc = None
        if match:
            doc = db.session.scalar(
                select(Article.id).where(
                    Article.kind == Kind.DOCUMENT,
                    Article.status == Status.PUBLISHED,
                    Article.doc_number == match.group(1),
                )
            )
        out.append(Source(source, url_for("handbook.document", article_id=doc) if doc else None))
    return out


def _excerpt(body: str) -> Markup:
    text = body if len(body) <= EXCERPT_CHARS else body[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return Markup("").join(Markup("<p>%s</p>") % p for p in paragraphs)


def answer_views(result: Result) -> list[Answer]:
    """What the member reads for each hit: the text, its source link, the date last checked."""
    answers = []
    for hit in result.hits:
        passage = hit.passage
        if passage.kind == "qa":
            entry = passage.entry
            answers.append(
                Answer(
                    kind="qa",
                    title=entry.question,
                    heading="",
                    html=Markup(entry.answer_html),  # noqa: S704 - sanitised when saved
                    url=url_for("assistant.entry", slug=entry.slug),
                    sources=source_links(entry.sources or []),
                    checked_on=entry.checked_on,
                )
            )
            continue
        article = passage.article
        if article.kind == Kind.CHAPTER:
            url = url_for("handbook.chapter", slug=article.slug)
        else:
            url = url_for("handbook.document", article_id=article.id)
        label = " — ".join(filter(None, [article.title, passage.heading]))
        answers.append(
            Answer(
                kind="section",
                title=passage.heading or article.title,
                heading=article.title,
                html=_excerpt(passage.body),
                url=url + (f"#{passage.anchor}" if passage.anchor else ""),
                sources=[Source(label, url + (f"#{passage.anchor}" if passage.anchor else ""))],
                checked_on=(article.updated_at or article.published_at).date(),
            )
        )
    return answers


def ask(user, text: str) -> tuple[AssistantQuestion, Result]:
    """Answer `text` for `user` and keep the question (history, queue, report)."""
    text = clean(text)[:500]
    result = search(text)
    member = getattr(user, "member", None)
    unit = member.cell if member is not None and member.cell is not None else province_unit()
    question = AssistantQuestion(
        user_id=user.id,
        unit_id=unit.id,
        text=text,
        folded=" ".join(words(text))[:500],
        answered=result.answered,
        confidence=round(result.confidence, 3),
        queue_state="" if result.answered else OPEN,
    )
    if result.hits:
        first = result.hits[0].passage
        question.entry_id, question.article_id, question.anchor = (
            first.entry_id,
            first.article_id,
            first.anchor,
        )
        question.topic = first.entry.topic if first.entry is not None else ""
    db.session.add(question)
    return question, result


def rate(question: AssistantQuestion, helpful: bool, comment: str) -> AnswerRating:
    """Keep (or change) the member's rating; an unhelpful answer goes to the editors' queue."""
    rating = question.rating or AnswerRating(question=question)
    rating.helpful, rating.comment = helpful, clean(comment)[:1000]
    rating.created_at = utcnow()
    db.session.add(rating)
    if not helpful and question.queue_state != REPLIED:
        question.queue_state = OPEN
    return rating


def send_to_editors(question: AssistantQuestion) -> None:
    """The member asks the Ban Biên tập to answer: the question waits in their queue."""
    question.sent_to_editors = True
    if question.queue_state != REPLIED:
        question.queue_state = OPEN


def reply(questions: list[AssistantQuestion], editor, text: str) -> list[EditorReply]:
    """The editors' answer to one question or a group of similar ones; each member sees it."""
    replies = []
    for question in questions:
        answer = EditorReply(question=question, editor_id=editor.id, text=text)
        question.queue_state = REPLIED
        db.session.add(answer)
        replies.append(answer)
    return replies


def slug_for(question: str) -> str:
    """A free entry slug made of the question's first words."""
    base = "-".join(words(question)[:8]) or "hoi-dap"
    slug, n = base[:100], 2
    while db.session.scalar(select(QAEntry.id).where(QAEntry.slug == slug)):
        slug, n = f"{base[:100]}-{n}", n + 1
    return slug


def entry_from_reply(question: AssistantQuestion, text: str, editor) -> QAEntry:
    """A draft Q&A entry made of a member's question and the editors' reply (it answers
    members only once reviewed and published, like every entry)."""
    entry = QAEntry(slug=slug_for(question.text), status=Status.DRAFT, edited_by_id=editor.id)
    save_entry_text(
        entry,
        question=question.text,
        alternatives=[],
        answer=text,
        sources=[],
        topic=question.topic or "",
        checked=utcnow().date(),
    )
    return entry


def unseen_replies(user) -> int:
    """Replies of the Ban Biên tập this member has not opened yet (home screen notice)."""
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count())
            .select_from(EditorReply)
            .join(AssistantQuestion)
            .where(AssistantQuestion.user_id == user.id, EditorReply.seen_at.is_(None))
        )
        or 0
    )


def similar(a: str, b: str) -> float:
    """Jaccard similarity of two folded questions' words (the queue's grouping)."""
    x, y = set(fold(a).split()), set(fold(b).split())
    return len(x & y) / len(x | y) if x and y else 0.0
