"""What the views and commands share: who sees what, saving with revisions, publishing.

The search index is not written here: the session keeps it (core/searchable.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import g
from sqlalchemy import func, or_, select

from blueprints.handbook.markup import outline_of, plain_text, render_markdown
from blueprints.handbook.models import (
    PENDING_ADD,
    Article,
    Attachment,
    Kind,
    Revision,
    Status,
)
from blueprints.units.models import Unit, subtree_clause
from core.extensions import db
from core.models import utcnow
from core.permissions import ADMIN, can, has_role, role_scopes
from core.text import clean, clean_multiline
from core.tree import path_ids
from core.uploads import AcceptedFile


def visible_unit_ids(user) -> list[int] | None:
    """Units whose articles `user` may read; None means every unit (a role on the province).

    A member reads what targets their cell or any unit above it; a role holder also reads what
    targets any unit in the subtree of their role. Computed once per request.
    """
    cache = g.setdefault("_visible_unit_ids", {})
    if user.id in cache:
        return cache[user.id]
    unit_ids: set[int] = set()
    role_paths: list[str] = []
    member = getattr(user, "member", None)
    if member is not None and member.cell is not None:
        unit_ids |= set(path_ids(member.cell.path))
    for _role, path, _unit_id in role_scopes(user):
        unit_ids |= set(path_ids(path))
        role_paths.append(path)
    result: list[int] | None
    if any(path.count("/") == 2 for path in role_paths):  # "/1/": the province itself
        result = None
    else:
        if role_paths:
            unit_ids |= set(
                db.session.scalars(
                    select(Unit.id).where(or_(*(subtree_clause(Unit.path, p) for p in role_paths)))
                )
            )
        if not unit_ids:  # neither a cell nor a role: province-wide articles only
            unit_ids = set(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
        result = sorted(unit_ids)
    cache[user.id] = result
    return result


def visible_clause(user, now: datetime | None = None):
    """SQL condition: published, its publication time reached, targeted to a unit the user
    may read (see `visible_unit_ids`)."""
    clause = (Article.status == Status.PUBLISHED) & (Article.published_at <= (now or utcnow()))
    unit_ids = visible_unit_ids(user)
    if unit_ids is not None:
        clause = clause & Article.unit_id.in_(unit_ids)
    return clause


def visible_articles(user, kind: Kind | None = None):
    """Select statement of the articles `user` may read (optionally of one kind)."""
    stmt = select(Article).where(visible_clause(user))
    if kind is not None:
        stmt = stmt.where(Article.kind == kind)
    return stmt


def root_unit() -> Unit | None:
    """The province unit (top of the tree): target of province-wide articles."""
    return db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a content file into its front matter (simple `key: value` lines between `---`
    lines, values cleaned to NFC) and its Markdown body: chapters and the assistant's Q&A."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ValueError("missing front matter")
    end = text.find("\n---", 4)
    if end < 0:
        raise ValueError("unterminated front matter")
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"bad front matter line: {line!r}")
        meta[key.strip()] = clean(value.strip().strip('"').strip("'"))
    return meta, clean_multiline(text[end + 4 :])


_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


def render_text(source: str) -> tuple[str, str]:
    """Markdown rendered and sanitised exactly as the handbook's, and its plain text: for
    other features' Markdown (the assistant's answers)."""
    html = render_markdown(source)
    return html, plain_text(html)


def sections_of(article: Article) -> list[tuple[str, str, str]]:
    """(anchor, heading, plain text) of each second-level section of the article's rendered
    text; what comes before the first heading is a section with an empty anchor."""
    parts = _SECTION.split(article.body_html or "")
    sections = [("", "", plain_text(parts[0]))] if plain_text(parts[0]) else []
    for i in range(1, len(parts) - 2, 3):
        sections.append((parts[i], plain_text(parts[i + 1]), plain_text(parts[i + 2])))
    return sections


def apply_text(article: Article, *, title: str, summary: str, body: str) -> None:
    """Set the text and its derived forms (sanitised HTML, plain text, outline)."""
    article.title, article.summary, article.body = title, summary, body
    article.body_html = render_markdown(body)
    article.body_text = plain_text(article.body_html)
    article.outline = outline_of(article.body_html)
    article.updated_at = utcnow()


def save_text(
    article: Article, author, note: str, *, title: str, summary: str, body: str
) -> Revision:
    """The one way an article's text is saved: the text and its derived forms, the article
    added to the session when new, and a revision recording it (the search index follows
    at the flush). Every path uses it: the editor, the imports, the seed data."""
    apply_text(article, title=title, summary=summary, body=body)
    db.session.add(article)
    return add_revision(article, author, note)


def add_revision(article: Article, author, note: str = "") -> Revision:
    """Record the article's current text and list of files as its next revision."""
    db.session.flush()
    last = db.session.scalar(
        select(func.max(Revision.number)).where(Revision.article_id == article.id)
    )
    revision = Revision(
        article_id=article.id,
        number=(last or 0) + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        note=note[:500],
        author_id=getattr(author, "id", None),
        # The files are part of what a reviewer approves: each revision lists them.
        files=[[a.id, a.filename, a.sha256] for a in article.published_files],
    )
    db.session.add(revision)
    return revision


def publish(article: Article, reviewer, when: datetime | None = None) -> None:
    """Approve: published now, or at the requested time (scheduled)."""
    article.status = Status.PUBLISHED
    article.reviewed_by_id = getattr(reviewer, "id", None)
    article.review_comment = ""
    article.published_at = when or article.publish_at or utcnow()


def store_attachment(
    article: Article, accepted: AcceptedFile, uploader, pending: str | None = None
) -> Attachment:
    """Add an upload that core/uploads.py accepted (type from its bytes, size checked)."""
    attachment = Attachment(
        pending=pending,
        pending_by_id=getattr(uploader, "id", None) if pending else None,
        article=article,
        filename=accepted.filename,
        content_type=accepted.content_type,
        size=accepted.size,
        sha256=accepted.sha256,
        data=accepted.data,
        uploaded_by_id=getattr(uploader, "id", None),
    )
    db.session.add(attachment)
    return attachment


def settle_pending_files(article: Article, approve: bool) -> list[str]:
    """Apply (or discard) the file changes awaiting review; returns the files concerned."""
    names = []
    for item in list(article.pending_files):
        names.append(item.filename)
        if (item.pending == PENDING_ADD) != approve:  # approved removal, or rejected addition
            article.attachments.remove(item)
            db.session.delete(item)
        else:
            item.pending, item.pending_by_id = None, None
    return names


def may_settle_files(article: Article, user) -> bool:
    """A reviewer of the article who asked for none of its pending file changes (an
    administrator always may): the same four-eyes rule as for the text."""
    if not article.pending_files or not can(user, "content.review", article):
        return False
    mine = any(a.pending_by_id == user.id for a in article.pending_files)
    return not mine or has_role(user, ADMIN)
