"""The handbook blueprint (handbook, documents, news and the editorial desk), its permissions
and the helpers both the reading and the editing routes use."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from blueprints.handbook.models import Article, Kind
from core.ids import db_int
from core.permissions import EDITOR, register_action

bp = Blueprint("handbook", __name__)

# Editors write and manage articles for their committee's subtree; reviewers (editors too,
# never the one who submitted) approve or send back. Admin is always allowed.
register_action("content.edit", (EDITOR,))
register_action("content.review", (EDITOR,))

PER_PAGE = 20


def page_number() -> int:
    """The `page` query number, at least 1 (nonsense and huge numbers count as 1)."""
    return max(1, request.args.get("page", 1, type=db_int) or 1)


def article_url(article: Article) -> str:
    """Where a reader opens `article` (chapter by slug, document or news item by id)."""
    if article.kind == Kind.CHAPTER:
        return url_for("handbook.chapter", slug=article.slug)
    if article.kind == Kind.DOCUMENT:
        return url_for("handbook.document", article_id=article.id)
    return url_for("handbook.news_item", article_id=article.id)
