"""Writing the assistant's index of passages, always inside the change's own transaction.

A Q&A entry is `Searchable` (core/searchable.py): the session calls `write_entry_passages`
after any flush that changed its text or status. Chapters and documents belong to the
handbook, whose own index does not follow publication; so `install` adds a session listener
that rewrites an article's section passages whenever its text, status, target or publication
time changed: publishing a chapter refreshes the assistant with no call in the handbook.
Only what every member may read is indexed: published entries, and published chapters and
documents targeted at the whole province, cut at their ## headings.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from blueprints.assistant.analysis import PHRASING_SEPARATOR, indexed_text, words
from blueprints.assistant.models import Passage, QAEntry
from blueprints.handbook.models import Article, Kind, Status
from blueprints.handbook.services import sections_of
from blueprints.units.models import Unit
from core.models import utcnow

_PENDING = "assistant_articles_pending"
_WATCHED = ("title", "doc_number", "body_text", "status", "published_at", "unit_id", "slug")
PASSAGES = Passage.__table__


def _fts_write(connection, passage_id: int, q: str, b: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "UPDATE assistant_passages SET search_vector = "
                "setweight(to_tsvector('simple', :q), 'A') || "
                "setweight(to_tsvector('simple', :b), 'B') WHERE id = :id"
            ),
            {"id": passage_id, "q": q, "b": b},
        )
    else:
        # A reused id (SQLite reuses the highest) must not keep an old entry.
        connection.execute(text("DELETE FROM assistant_fts WHERE rowid = :id"), {"id": passage_id})
        connection.execute(
            text("INSERT INTO assistant_fts (rowid, q, b) VALUES (:id, :q, :b)"),
            {"id": passage_id, "q": q, "b": b},
        )


def _add(connection, asked: str, told: str, **values) -> None:
    """One passage row and its full-text entry: `asked` is what the passage answers (the
    question and its phrasings, or the title and heading), `told` its text."""
    # Phrasings stay apart (" | " is no word): the engine compares the question with each one.
    q_words = PHRASING_SEPARATOR.join(" ".join(words(part)) for part in asked.split("\n"))
    b_words = " ".join(words(told))
    result = connection.execute(insert(PASSAGES).values(qtext=q_words, btext=b_words, **values))
    _fts_write(connection, result.inserted_primary_key[0], indexed_text(asked), indexed_text(told))


def drop_passages(connection, column: str, ids: Iterable[int]) -> None:
    """Delete the passages of these entries or articles (`column` entry_id or article_id)."""
    ids = list(ids)
    if not ids:
        return
    owner = PASSAGES.c[column]
    passage_ids = connection.execute(select(PASSAGES.c.id).where(owner.in_(ids))).scalars().all()
    if connection.dialect.name != "postgresql" and passage_ids:
        connection.execute(
            text("DELETE FROM assistant_fts WHERE rowid = :id"), [{"id": i} for i in passage_ids]
        )
    connection.execute(PASSAGES.delete().where(owner.in_(ids)))


def write_entry_passages(connection, entries: list[QAEntry]) -> None:
    """Rewrite the passages of `entries`: one for each published entry, none otherwise."""
    drop_passages(connection, "entry_id", [e.id for e in entries])
    for entry in entries:
        if entry.status != Status.PUBLISHED:
            continue  # drafts, entries in review and archived ones never answer
        _add(
            connection,
            " \n ".join([entry.question, *(entry.alternatives or [])]),
            entry.answer_text or "",
            kind="qa",
            entry_id=entry.id,
            title=entry.question[:500],
            body=entry.answer_text or "",
            visible_from=entry.published_at or utcnow(),
        )


def _province_wide(connection, article: Article) -> bool:
    parent = connection.execute(
        select(Unit.parent_id).where(Unit.id == article.unit_id)
    ).scalar_one_or_none()
    return parent is None and article.unit_id is not None


def write_article_passages(connection, articles: list[Article]) -> None:
    """Rewrite the section passages of chapters and documents every member may read."""
    drop_passages(connection, "article_id", [a.id for a in articles])
    for article in articles:
        if article.kind not in (Kind.CHAPTER, Kind.DOCUMENT) or article.status != Status.PUBLISHED:
            continue
        if not _province_wide(connection, article):
            continue  # targeted at some units only: the assistant answers everyone alike
        title = " ".join(filter(None, [article.title, article.doc_number or ""]))
        for anchor, heading, body in sections_of(article):
            _add(
                connection,
                title + " \n " + heading,
                body,
                kind="section",
                article_id=article.id,
                anchor=anchor,
                title=article.title[:500],
                heading=heading[:300],
                body=body,
                visible_from=article.published_at,
            )


def _collect(session: Session, _flush_context, _instances) -> None:
    """before_flush: the chapters and documents whose passages this flush changes."""
    changed = []
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Article):
            state = inspect(obj)
            if obj in session.new or any(state.attrs[n].history.has_changes() for n in _WATCHED):
                changed.append(obj)
    gone = [inspect(o).identity[0] for o in session.deleted if isinstance(o, Article)]
    session.info[_PENDING] = (changed, gone)


def _write(session: Session, _flush_context) -> None:
    """after_flush: rewrite them on the flush's own connection."""
    changed, gone = session.info.pop(_PENDING, ([], []))
    if changed or gone:
        connection = session.connection()
        drop_passages(connection, "article_id", gone)
        write_article_passages(connection, changed)


def install() -> None:
    """Keep section passages in step with the handbook (called once by app.py)."""
    if not event.contains(Session, "before_flush", _collect):
        event.listen(Session, "before_flush", _collect)
        event.listen(Session, "after_flush", _write)


def rebuild(session) -> int:
    """Rewrite every passage from scratch (the import and the benchmark); returns the count."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(text("DELETE FROM assistant_fts"))
    connection.execute(PASSAGES.delete())
    entries = session.scalars(select(QAEntry)).all()
    write_entry_passages(connection, list(entries))
    articles = session.scalars(
        select(Article).where(Article.kind.in_((Kind.CHAPTER, Kind.DOCUMENT)))
    ).all()
    write_article_passages(connection, list(articles))
    if connection.dialect.name == "postgresql":
        _settle(connection)
    return connection.execute(select(func.count()).select_from(PASSAGES)).scalar_one()


def _settle(connection) -> None:
    """After writing the whole index at once: fresh statistics for the planner, and the GIN
    index's pending list merged (new rows wait there, scanned by every search, until
    autovacuum gets to them)."""
    connection.execute(text("ANALYZE assistant_passages"))
    connection.execute(text("SELECT gin_clean_pending_list('ix_assistant_passages_search_vector')"))
