"""Articles (chapters, documents, news), their revisions, attachments and per-user reading state."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import UNMANAGED_TABLE_PREFIXES, utcnow
from core.searchable import Searchable
from core.text import fold


class Kind(LabelledEnum):
    """What an article is."""

    CHAPTER = "chapter", _l("Chương sổ tay")
    DOCUMENT = "document", _l("Văn bản")
    NEWS = "news", _l("Tin tức")  # tin tức, thông báo


class Status(LabelledEnum):
    """Editorial workflow states."""

    DRAFT = "draft", _l("Nháp")
    REVIEW = "review", _l("Chờ duyệt")
    # Visible once published_at has passed.
    PUBLISHED = "published", _l("Đã xuất bản")
    ARCHIVED = "archived", _l("Lưu trữ")


PENDING_ADD, PENDING_REMOVE = "add", "remove"

DOCUMENT_CATEGORIES = {
    "nghi-quyet": _l("Nghị quyết"),
    "chi-thi": _l("Chỉ thị"),
    "ket-luan": _l("Kết luận"),
    "quy-dinh": _l("Quy định"),
    "huong-dan": _l("Hướng dẫn"),
    "thong-bao": _l("Thông báo"),
    "ke-hoach": _l("Kế hoạch"),
}
NEWS_CATEGORIES = {
    "tin-tuc": _l("Tin tức"),
    "thong-bao": _l("Thông báo"),
}


class Article(Searchable, db.Model):
    """One chapter, document or news item, with its current text and workflow state.

    Its search entry (folded title and number, folded summary and plain text) is written by
    the session whenever one of `__searchable__` changes (core/searchable.py), never by hand.
    """

    __tablename__ = "articles"
    __searchable__ = ("title", "doc_number", "summary", "body_text")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT, index=True)
    # Target: the unit whose whole subtree may read it (the province unit = everyone).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = deferred(mapped_column(Text, default=""))  # Markdown source
    body_html: Mapped[str] = deferred(mapped_column(Text, default=""))  # sanitised
    body_text: Mapped[str] = deferred(mapped_column(Text, default=""))  # plain, for snippets
    outline: Mapped[list | None] = mapped_column(JSON)  # [[anchor, heading], ...]
    category: Mapped[str] = mapped_column(String(32), default="", index=True)
    doc_number: Mapped[str] = mapped_column(String(64), default="")
    issued_on: Mapped[date | None] = mapped_column(index=True)
    issuer: Mapped[str] = mapped_column(String(255), default="")
    publish_at: Mapped[datetime | None] = mapped_column()  # requested publication time
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # Imported feed entries: the entry's id in the source feed, for idempotent imports.
    external_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    source_url: Mapped[str] = mapped_column(String(1000), default="")
    # PostgreSQL full-text vector of the folded title (weight A) and body (weight B).
    search_vector = deferred(
        mapped_column(Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True)
    )

    unit: Mapped[Unit] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="article", order_by="Attachment.id"
    )

    __table_args__ = (
        Index("ix_articles_kind_status_published", "kind", "status", "published_at"),
        # Covering index of the visibility filter (search joins on it without reading rows).
        Index("ix_articles_visible", "status", "unit_id", "published_at", "kind"),
        # GIN on PostgreSQL; on SQLite a plain index of an always-empty column (FTS5 is used).
        Index("ix_articles_search_vector", "search_vector", postgresql_using="gin"),
    )

    @property
    def scope_unit(self) -> Unit:
        """Editors of this unit's subtree may edit it; readers within it may read it."""
        return self.unit

    @classmethod
    def write_search_index(cls, connection, rows: list[Article]) -> None:
        """Index folded text (no diacritics, đ→d): PostgreSQL's weighted tsvector column,
        SQLite's FTS5 table (title and body columns, rowid = article id)."""
        entries = [
            {
                "id": a.id,
                "t": fold(a.title + " " + (a.doc_number or "")),
                "b": fold((a.summary or "") + "\n" + (a.body_text or "")),
            }
            for a in rows
        ]
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "UPDATE articles SET search_vector = "
                    "setweight(to_tsvector('simple', :t), 'A') || "
                    "setweight(to_tsvector('simple', :b), 'B') WHERE id = :id"
                ),
                entries,
            )
        else:
            cls.drop_search_index(connection, [e["id"] for e in entries])
            connection.execute(
                text("INSERT INTO article_fts (rowid, title, body) VALUES (:id, :t, :b)"), entries
            )

    @classmethod
    def drop_search_index(cls, connection, ids: list[int]) -> None:
        """SQLite's FTS5 entries go by hand; PostgreSQL's vector goes with the row."""
        if ids and connection.dialect.name != "postgresql":
            connection.execute(
                text("DELETE FROM article_fts WHERE rowid = :id"), [{"id": i} for i in ids]
            )

    @property
    def kind_label(self) -> str:
        return Kind.label_for(self.kind)

    @property
    def status_label(self) -> str:
        return Status.label_for(self.status)

    @property
    def category_label(self) -> str:
        labels = DOCUMENT_CATEGORIES if self.kind == Kind.DOCUMENT else NEWS_CATEGORIES
        return str(labels.get(self.category, ""))

    @property
    def published_files(self) -> list[Attachment]:
        """The files readers see: every file except those added and awaiting review."""
        return [a for a in self.attachments if a.pending != PENDING_ADD]

    @property
    def pending_files(self) -> list[Attachment]:
        """File changes awaiting a reviewer."""
        return [a for a in self.attachments if a.pending]

    @property
    def is_scheduled(self) -> bool:
        """Published, but its publication time has not come yet."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > utcnow()
        )


UNMANAGED_TABLE_PREFIXES.append("article_fts")

# SQLite full-text index: folded (diacritic-free, đ→d) title and body, rowid = article id.
event.listen(
    Article.__table__,
    "after_create",
    DDL(
        "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    ).execute_if(dialect="sqlite"),
)
event.listen(
    Article.__table__,
    "after_drop",
    DDL("DROP TABLE IF EXISTS article_fts").execute_if(dialect="sqlite"),
)


class Revision(db.Model):
    """One saved version of an article's text and files, kept forever."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = deferred(mapped_column(Text, default=""))
    note: Mapped[str] = mapped_column(String(500), default="")
    # [[attachment id, file name, sha256], …] when the revision was saved (None: older rows).
    files: Mapped[list | None] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class Attachment(db.Model):
    """An uploaded image or PDF, stored in the database so every host serves it.

    Readers see only files a reviewer approved: a draft's files go through review with the
    article; a change to a published article's files waits as `pending` (attachment_routes.py).
    """

    __tablename__ = "article_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A change to a published article's files waits for review: "add" (readers do not see it
    # yet) or "remove" (readers still see it); None once approved. `pending_by` asked for it.
    pending: Mapped[str | None] = mapped_column(String(8))
    pending_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    article: Mapped[Article] = relationship(back_populates="attachments")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def scope_unit(self) -> Unit:
        return self.article.unit


class ReadingPosition(db.Model):
    """Where a user stopped reading a chapter (last section passed, share of the page read)."""

    __tablename__ = "reading_positions"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    anchor: Mapped[str] = mapped_column(String(120), default="")
    percent: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    article: Mapped[Article] = relationship()


class Bookmark(db.Model):
    """A user's bookmark on an article."""

    __tablename__ = "bookmarks"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship()


class NewsRead(db.Model):
    """A user has opened a news item (drives the unread count on the home screen)."""

    __tablename__ = "news_reads"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
