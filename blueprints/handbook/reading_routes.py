"""Reading: the handbook with positions and bookmarks, documents, news with unread counts,
the Atom feed, search and attachments."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload, undefer

from blueprints.handbook.blueprint import PER_PAGE, article_url, bp
from blueprints.handbook.markup import safe
from blueprints.handbook.models import (
    DOCUMENT_CATEGORIES,
    Article,
    Bookmark,
    Kind,
    NewsRead,
    ReadingPosition,
    Status,
)
from blueprints.handbook.search import search as run_search
from blueprints.handbook.services import root_unit, visible_articles, visible_clause
from core.extensions import db
from core.ids import db_int
from core.models import utcnow
from core.pagination import page_number, pager, paginate
from core.permissions import AUTHENTICATED, PUBLIC, permission
from core.rendering import is_htmx, render
from core.text import clean

UNREAD_WINDOW_DAYS = 30  # news older than this no longer counts as unread

# ---------------------------------------------------------------------------- reading helpers


def _visible_or_404(article_id: int, kind: Kind | None = None) -> Article:
    stmt = visible_articles(current_user, kind).where(Article.id == article_id)
    article = db.session.scalar(stmt.options(undefer(Article.body_html)))
    if article is None:
        abort(404)
    return article


def _is_bookmarked(article: Article) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Bookmark.user_id == current_user.id, Bookmark.article_id == article.id
                )
            )
        )
    )


def unread_news_count(user) -> int:
    """News published in the last 30 days, visible to `user`, that they have not opened."""
    since = utcnow() - timedelta(days=UNREAD_WINDOW_DAYS)
    read = select(NewsRead.article_id).where(NewsRead.user_id == user.id)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Article)
            .where(
                visible_clause(user),
                Article.kind == Kind.NEWS,
                Article.published_at >= since,
                Article.id.not_in(read),
            )
        )
        or 0
    )


def unread_news_context() -> dict:
    """Context processor (installed by app.py): the unread-news badge every page may show."""

    def count() -> int:
        return unread_news_count(current_user) if current_user.is_authenticated else 0

    return {"unread_news_count": count}


@bp.get("/handbook/")
@permission(AUTHENTICATED)
def handbook_index():
    """Table of contents: chapters with their sections, progress and where to continue."""
    chapters = db.session.scalars(
        visible_articles(current_user, Kind.CHAPTER).order_by(Article.position, Article.id)
    ).all()
    positions = {
        p.article_id: p
        for p in db.session.scalars(
            select(ReadingPosition).where(ReadingPosition.user_id == current_user.id)
        )
    }
    last = max(positions.values(), key=lambda p: p.updated_at, default=None)
    chapter_ids = {c.id for c in chapters}
    resume = last if last and last.article_id in chapter_ids else None
    return render("handbook/index.html", chapters=chapters, positions=positions, resume=resume)


@bp.get("/handbook/<slug>")
@permission(AUTHENTICATED)
def chapter(slug: str):
    """One chapter, with previous/next, bookmark, read aloud and the saved reading position."""
    article = db.session.scalar(
        visible_articles(current_user, Kind.CHAPTER)
        .where(Article.slug == slug)
        .options(undefer(Article.body_html))
    )
    if article is None:
        abort(404)
    base = visible_articles(current_user, Kind.CHAPTER)
    key = (Article.position, Article.id)
    prev = db.session.scalar(
        base.where(
            (Article.position < article.position)
            | ((Article.position == article.position) & (Article.id < article.id))
        ).order_by(*(k.desc() for k in key))
    )
    nxt = db.session.scalar(
        base.where(
            (Article.position > article.position)
            | ((Article.position == article.position) & (Article.id > article.id))
        ).order_by(*key)
    )
    position = db.session.scalar(
        select(ReadingPosition).where(
            ReadingPosition.user_id == current_user.id, ReadingPosition.article_id == article.id
        )
    )
    resume_heading = None
    if position and position.anchor:
        resume_heading = dict(map(tuple, article.outline or [])).get(position.anchor)
    return render(
        "handbook/chapter.html",
        article=article,
        body=safe(article.body_html),
        prev=prev,
        next=nxt,
        position=position,
        resume_heading=resume_heading,
        bookmarked=_is_bookmarked(article),
    )


@bp.post("/articles/<int:article_id>/position")
@permission(AUTHENTICATED)
def save_position(article_id: int):
    """Remember where the user is in a chapter (sent by handbook.js while reading)."""
    article = _visible_or_404(article_id, Kind.CHAPTER)
    anchor = clean(request.form.get("anchor"))[:120]
    if anchor and anchor not in {a for a, _h in article.outline or []}:
        anchor = ""
    percent = min(100, max(0, request.form.get("percent", 0, type=db_int) or 0))
    position = db.session.scalar(
        select(ReadingPosition).where(
            ReadingPosition.user_id == current_user.id, ReadingPosition.article_id == article.id
        )
    )
    if position is None:
        position = ReadingPosition(user_id=current_user.id, article_id=article.id)
        db.session.add(position)
    position.anchor, position.percent, position.updated_at = anchor, percent, utcnow()
    db.session.commit()
    return "", 204


@bp.post("/articles/<int:article_id>/bookmark")
@permission(AUTHENTICATED)
def toggle_bookmark(article_id: int):
    """Add or remove a bookmark; htmx gets the button back, others go back to the article."""
    article = _visible_or_404(article_id)
    existing = db.session.scalar(
        select(Bookmark).where(
            Bookmark.user_id == current_user.id, Bookmark.article_id == article.id
        )
    )
    if existing is not None:
        db.session.delete(existing)
    else:
        db.session.add(Bookmark(user_id=current_user.id, article_id=article.id))
    db.session.commit()
    if is_htmx():
        return render(
            "handbook/_bookmark_button.html", article=article, bookmarked=existing is None
        )
    return redirect(article_url(article))


@bp.get("/bookmarks")
@permission(AUTHENTICATED)
def bookmarks():
    """The user's bookmarks, newest first (only articles they may still read)."""
    rows = db.session.scalars(
        select(Bookmark)
        .join(Article, Article.id == Bookmark.article_id)
        .where(Bookmark.user_id == current_user.id, visible_clause(current_user))
        .options(selectinload(Bookmark.article))
        .order_by(Bookmark.created_at.desc())
    ).all()
    return render("handbook/bookmarks.html", bookmarks=rows)


@bp.get("/documents/")
@permission(AUTHENTICATED)
def documents():
    """Official documents, newest first, filtered by kind and year."""
    category = request.args.get("category", "")
    year = request.args.get("year", type=db_int)
    if year is not None and not 1945 <= year <= 2100:
        year = None
    stmt = visible_articles(current_user, Kind.DOCUMENT)
    if category in DOCUMENT_CATEGORIES:
        stmt = stmt.where(Article.category == category)
    else:
        category = ""
    if year:
        stmt = stmt.where(
            Article.issued_on >= date(year, 1, 1), Article.issued_on <= date(year, 12, 31)
        )
    listed = paginate(
        stmt.order_by(Article.issued_on.desc().nulls_last(), Article.id.desc()), PER_PAGE
    )
    years = sorted(
        {
            d.year
            for d in db.session.scalars(
                select(Article.issued_on)
                .where(visible_clause(current_user), Article.kind == Kind.DOCUMENT)
                .where(Article.issued_on.is_not(None))
                .distinct()
            )
        },
        reverse=True,
    )
    return render(
        "handbook/documents.html",
        "handbook/_document_list.html",
        items=listed.items,
        total=listed.total,
        **pager(listed),
        category=category,
        year=year,
        years=years,
        categories=DOCUMENT_CATEGORIES,
    )


@bp.get("/documents/<int:article_id>")
@permission(AUTHENTICATED)
def document(article_id: int):
    """One document: number, date, issuer, summary, text and its PDF files."""
    article = _visible_or_404(article_id, Kind.DOCUMENT)
    return render(
        "handbook/document.html",
        article=article,
        body=safe(article.body_html),
        bookmarked=_is_bookmarked(article),
    )


@bp.get("/news/")
@permission(AUTHENTICATED)
def news():
    """News and announcements for the user's units, newest first, unread ones marked."""
    stmt = visible_articles(current_user, Kind.NEWS)
    listed = paginate(stmt.order_by(Article.published_at.desc(), Article.id.desc()), PER_PAGE)
    items = listed.items
    read_ids = set(
        db.session.scalars(
            select(NewsRead.article_id).where(
                NewsRead.user_id == current_user.id, NewsRead.article_id.in_([a.id for a in items])
            )
        )
    )
    return render(
        "handbook/news.html",
        "handbook/_news_list.html",
        items=items,
        read_ids=read_ids,
        total=listed.total,
        **pager(listed),
    )


@bp.get("/news/<int:article_id>")
@permission(AUTHENTICATED)
def news_item(article_id: int):
    """One news item or announcement; opening it marks it read."""
    article = _visible_or_404(article_id, Kind.NEWS)
    if not db.session.scalar(
        select(
            exists().where(NewsRead.user_id == current_user.id, NewsRead.article_id == article.id)
        )
    ):
        db.session.add(NewsRead(user_id=current_user.id, article_id=article.id))
        db.session.commit()
    return render(
        "handbook/news_item.html",
        article=article,
        body=safe(article.body_html),
        bookmarked=_is_bookmarked(article),
    )


@bp.post("/news/read-all")
@permission(AUTHENTICATED)
def news_read_all():
    """Mark every visible news item of the last 30 days as read."""
    since = utcnow() - timedelta(days=UNREAD_WINDOW_DAYS)
    read = select(NewsRead.article_id).where(NewsRead.user_id == current_user.id)
    ids = db.session.scalars(
        select(Article.id).where(
            visible_clause(current_user),
            Article.kind == Kind.NEWS,
            Article.published_at >= since,
            Article.id.not_in(read),
        )
    ).all()
    db.session.add_all(NewsRead(user_id=current_user.id, article_id=i) for i in ids)
    db.session.commit()
    flash(_("Đã ghi nhận: đồng chí đã đọc tất cả tin."), "success")
    return redirect(url_for("handbook.news"))


def _feed(kind: Kind, **context):
    """An Atom feed of the province-wide published articles of `kind`, newest 50 first.

    Public, so that the provincial portal and feed readers find it (each page links it with
    <link rel="alternate">); only what the Tỉnh ủy publishes for the whole province is in it.
    """
    root = root_unit()
    items = []
    if root is not None:
        items = db.session.scalars(
            select(Article)
            .where(
                Article.kind == kind,
                Article.status == Status.PUBLISHED,
                Article.published_at <= utcnow(),
                Article.unit_id == root.id,
            )
            .options(undefer(Article.body_html))
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(50)
        ).all()
    response = make_response(
        render_template("handbook/feed.xml", items=items, root=root, now=utcnow(), **context)
    )
    response.mimetype = "application/atom+xml"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/news/feed.atom")
@permission(PUBLIC)
def news_feed():
    """Atom feed of the province-wide published news (full text), for the provincial portal."""
    return _feed(
        Kind.NEWS,
        feed_title=_("Tin tức — Sổ tay đảng viên điện tử"),
        self_endpoint="handbook.news_feed",
        page_endpoint="handbook.news",
        item_endpoint="handbook.news_item",
        full_text=True,
    )


@bp.get("/documents/feed.atom")
@permission(PUBLIC)
def documents_feed():
    """Atom feed of the province-wide official documents: title, number, issuer and summary
    only; the text stays behind the login, as on the documents page."""
    return _feed(
        Kind.DOCUMENT,
        feed_title=_("Văn bản — Sổ tay đảng viên điện tử"),
        self_endpoint="handbook.documents_feed",
        page_endpoint="handbook.documents",
        item_endpoint="handbook.document",
        full_text=False,
    )


@bp.get("/search")
@permission(AUTHENTICATED)
def search():
    """Search chapters, documents and news, without needing diacritics."""
    query = clean(request.args.get("q"))[:200]
    kind = request.args.get("kind", "")
    if kind not in {k.value for k in Kind}:
        kind = ""
    page = page_number()
    hits, total, terms = run_search(current_user, query, kind=kind or None, page=page)
    return render(
        "handbook/search.html",
        "handbook/_search_results.html",
        query=query,
        kind=kind,
        hits=hits,
        total=total,
        terms=terms,
        current_page=page,
        pages=max(1, -(-total // 10)),
        kinds=Kind.labels(),
    )
