"""Helpers to create articles directly (the editor flow has its own tests)."""

from __future__ import annotations

from datetime import timedelta

from blueprints.handbook.models import Article, Kind, Status
from blueprints.handbook.services import save_text
from core.extensions import db
from core.models import utcnow


def make_article(
    unit_id: int,
    title: str,
    body: str = "Nội dung.",
    *,
    kind: Kind = Kind.NEWS,
    status: Status = Status.PUBLISHED,
    published_delta: timedelta = timedelta(hours=-1),
    **fields,
) -> int:
    """Create and commit an article (the session indexes it); returns its id."""
    summary = fields.pop("summary", "")
    article = Article(kind=kind, status=status, unit_id=unit_id, **fields)
    if status == Status.PUBLISHED:
        article.published_at = utcnow() + published_delta
    save_text(article, None, "", title=title, summary=summary, body=body)
    db.session.commit()
    return article.id
