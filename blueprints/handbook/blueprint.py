"""The handbook blueprint (handbook, documents, news and the editorial desk), its permissions
and the helpers both the reading and the editing routes use."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.audit.labels import register_object, register_values
from blueprints.handbook.models import Article, Kind
from core.extensions import db
from core.permissions import EDITOR, register_action

bp = Blueprint("handbook", __name__)

# Editors write and manage articles for their committee's subtree; reviewers (editors too,
# never the one who submitted) approve or send back. Admin is always allowed.
register_action("content.edit", (EDITOR,))
register_action("content.review", (EDITOR,))

PER_PAGE = 20


def article_url(article: Article) -> str:
    """Where a reader opens `article` (chapter by slug, document or news item by id)."""
    if article.kind == Kind.CHAPTER:
        return url_for("handbook.chapter", slug=article.slug)
    if article.kind == Kind.DOCUMENT:
        return url_for("handbook.document", article_id=article.id)
    return url_for("handbook.news_item", article_id=article.id)


def _audit_articles(ids) -> dict:
    """Articles named in the audit log, linked to their page on the editorial desk."""
    rows = db.session.scalars(select(Article).where(Article.id.in_(ids))).all()
    return {a.id: (a.title, url_for("handbook.editor_article", article_id=a.id)) for a in rows}


register_object("Article", _l("Bài viết"), _audit_articles)
register_values("kind", Kind.labels())
