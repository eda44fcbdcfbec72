"""The virtual assistant's data: curated Q&A entries, the retrieval index of passages, the
members' questions with their ratings and the editors' replies, and the glossary.

Q&A entries move through the handbook's workflow (`handbook.models.Status`: nháp → chờ duyệt
→ đã xuất bản → lưu trữ). Only published entries and published province-wide chapters and
documents have passages in the index, so a draft can never answer a member. The index is
kept by the session (core/searchable.py for entries; `index.py` listens for articles).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.handbook.models import Article, Status
from blueprints.units.models import Unit
from core.extensions import db
from core.models import UNMANAGED_TABLE_PREFIXES, utcnow
from core.searchable import Searchable

TOPICS = (
    "sinh-hoat-chi-bo",
    "ket-nap",
    "du-bi-chinh-thuc",
    "chuyen-sinh-hoat",
    "dang-phi",
    "the-dang",
    "danh-gia-xep-loai",
    "mien-sinh-hoat",
    "quyen-nhiem-vu",
    "ky-luat",
    "huy-hieu",
    "ho-so",
    "tu-phe-binh",
    "ung-dung",
)


def province_unit() -> Unit | None:
    """The top of the unit tree: Q&A entries and the glossary are province-wide."""
    return db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))


class QAEntry(Searchable, db.Model):
    """A curated question with its alternative phrasings, answer and sources."""

    __tablename__ = "assistant_entries"
    # A status change re-indexes too: publishing adds the passage, anything else removes it.
    __searchable__ = ("question", "alternatives", "answer_text", "status", "published_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    question: Mapped[str] = mapped_column(String(500))
    alternatives: Mapped[list] = mapped_column(JSON, default=list)  # other phrasings
    answer: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    answer_html: Mapped[str] = mapped_column(Text, default="")  # sanitised
    answer_text: Mapped[str] = mapped_column(Text, default="")  # plain, indexed
    sources: Mapped[list] = mapped_column(JSON, default=list)  # see services.source_links
    topic: Mapped[str] = mapped_column(String(32), default="", index=True)
    checked_on: Mapped[date | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT, index=True)
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last editor who saved it in the app; None while it is as imported from its file,
    # so `flask assistant import` never overwrites the editorial board's work.
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")

    @property
    def scope_unit(self) -> Unit | None:
        """Entries are province-wide: editors of the province manage them."""
        return province_unit()

    @property
    def status_label(self) -> str:
        return Status.label_for(self.status)

    @classmethod
    def write_search_index(cls, connection, rows: list[QAEntry]) -> None:
        """Rewrite the entries' passages: only a published entry has one."""
        from blueprints.assistant.index import write_entry_passages

        write_entry_passages(connection, rows)

    @classmethod
    def drop_search_index(cls, connection, ids: list[int]) -> None:
        """Drop the passages of deleted entries."""
        from blueprints.assistant.index import drop_passages

        drop_passages(connection, "entry_id", ids)


class Passage(db.Model):
    """One retrievable unit: a published Q&A entry, or one section (## heading) of a
    published province-wide chapter or document. Written only by `index.py`.

    `qtext` and `btext` hold the folded question (its phrasings, or the chapter title and
    section heading, apart with " | ") and body as folded words; the full-text index (the
    SQLite FTS5 table `assistant_fts`, rowid = id, or the PostgreSQL `search_vector`) holds
    each field's words followed by its word bigrams.
    """

    __tablename__ = "assistant_passages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "qa" or "section"
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistant_entries.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    anchor: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    heading: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, for the excerpt
    qtext: Mapped[str] = mapped_column(Text, default="")
    btext: Mapped[str] = mapped_column(Text, default="")
    visible_from: Mapped[datetime | None] = mapped_column()
    search_vector = mapped_column(
        Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
    )

    entry: Mapped[QAEntry | None] = relationship()
    article: Mapped[Article | None] = relationship()

    __table_args__ = (
        Index("ix_assistant_passages_search_vector", "search_vector", postgresql_using="gin"),
    )


UNMANAGED_TABLE_PREFIXES.append("assistant_fts")
FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS assistant_fts USING fts5("
    "q, b, tokenize = 'unicode61 remove_diacritics 2')"
)
VOCAB_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS assistant_fts_vocab USING fts5vocab(assistant_fts, 'row')"
)
event.listen(Passage.__table__, "after_create", DDL(FTS_DDL).execute_if(dialect="sqlite"))
event.listen(Passage.__table__, "after_create", DDL(VOCAB_DDL).execute_if(dialect="sqlite"))
event.listen(
    Passage.__table__,
    "after_drop",
    DDL("DROP TABLE IF EXISTS assistant_fts_vocab").execute_if(dialect="sqlite"),
)
event.listen(
    Passage.__table__,
    "after_drop",
    DDL("DROP TABLE IF EXISTS assistant_fts").execute_if(dialect="sqlite"),
)


class AssistantQuestion(db.Model):
    """A question a member asked, what answered it (if anything) and how sure we were."""

    __tablename__ = "assistant_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The asker's cell (or the province for staff without one): scopes the editors' queue.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    folded: Mapped[str] = mapped_column(String(500), default="")
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistant_entries.id", ondelete="SET NULL")
    )
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    anchor: Mapped[str] = mapped_column(String(120), default="")
    topic: Mapped[str] = mapped_column(String(32), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sent_to_editors: Mapped[bool] = mapped_column(Boolean, default=False)
    # The queue: an open question waits for an editor; "replied" or "dismissed" closes it.
    queue_state: Mapped[str] = mapped_column(String(16), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user = relationship("User")
    unit: Mapped[Unit] = relationship()
    entry: Mapped[QAEntry | None] = relationship()
    rating: Mapped[AnswerRating | None] = relationship(back_populates="question", uselist=False)
    replies: Mapped[list[EditorReply]] = relationship(
        back_populates="question", order_by="EditorReply.id"
    )

    @property
    def scope_unit(self) -> Unit:
        return self.unit


class AnswerRating(db.Model):
    """The member's verdict on the answer they got: hữu ích or chưa hữu ích."""

    __tablename__ = "assistant_ratings"
    __table_args__ = (UniqueConstraint("question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_questions.id", ondelete="CASCADE")
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[AssistantQuestion] = relationship(back_populates="rating")


class EditorReply(db.Model):
    """The Ban Biên tập's answer to a member's question, shown to the member in the app."""

    __tablename__ = "assistant_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_questions.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistant_entries.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column()  # when the member opened it

    question: Mapped[AssistantQuestion] = relationship(back_populates="replies")
    editor = relationship("User")

    @property
    def scope_unit(self) -> Unit:
        return self.question.unit


class GlossaryTerm(db.Model):
    """An abbreviation or synonym the retrieval replaces in questions ("shcb" → "sinh hoạt chi
    bộ", "vào Đảng" → "kết nạp"), compared folded; or, when `outside`, a term naming something
    outside the Party's procedures ("khai sinh", "sổ đỏ"), with no expansion (engine.py)."""

    __tablename__ = "assistant_glossary"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100))
    folded: Mapped[str] = mapped_column(String(100), unique=True)
    expansion: Mapped[str] = mapped_column(String(300))
    outside: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def scope_unit(self) -> Unit | None:
        return province_unit()
