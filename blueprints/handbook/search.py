"""Search across chapters, documents and news, ignoring diacritics (đ = d), ranked.

Both databases index *folded* text (`core.text.fold`: lower case, no diacritics, đ→d), and the
query is folded the same way, so "dang phi", "Đảng phí" and "ĐẢNG PHÍ" are the same search.
SQLite uses an FTS5 table ranked by bm25 (title weighs 8× the body); PostgreSQL a GIN-indexed
tsvector ranked by ts_rank_cd (title weight A, body weight B); folding in Python rather than
with `unaccent` needs no database extension and keeps both databases in step. Snippets come
from the original text: its words are folded one by one and those matching a query word are
wrapped in <mark>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Float, Integer, func, select, text
from sqlalchemy.orm import undefer

from blueprints.handbook.models import Article
from blueprints.handbook.services import visible_clause
from core.extensions import db
from core.text import fold

MAX_TERMS = 8
_WORD = re.compile(r"\w+")


def terms_of(query: str) -> list[str]:
    """Folded search terms: letters and digits only, at most MAX_TERMS."""
    return re.findall(r"[a-z0-9]+", fold(query))[:MAX_TERMS]


@dataclass
class Hit:
    """One search result with highlighted title and snippet."""

    article: Article
    title: Markup
    snippet: Markup


def _matches(word: str, terms: list[str]) -> bool:
    folded = fold(word)
    return any(folded == t for t in terms[:-1]) or folded.startswith(terms[-1])


def highlight(value: str, terms: list[str], *, words: int | None = None) -> Markup:
    """Escape `value` and wrap the words matching `terms` in <mark>.

    With `words`, only the best window of that many words is kept (the one with the most
    distinct terms), with an ellipsis where text was cut.
    """
    if not value:
        return Markup("")
    spans = list(_WORD.finditer(value))
    hits = [i for i, m in enumerate(spans) if terms and _matches(m.group(), terms)]
    start_char, end_char = 0, len(value)
    if words is not None and spans:
        best, best_score = 0, -1
        for i in hits or [0]:
            first = max(0, i - 5)
            window = {fold(spans[j].group()) for j in hits if first <= j < first + words}
            if len(window) > best_score:
                best, best_score = first, len(window)
        last = min(len(spans), best + words) - 1
        start_char = spans[best].start() if best > 0 else 0
        end_char = spans[last].end() if last < len(spans) - 1 else len(value)
    out: list[str] = ["… " if start_char > 0 else ""]
    pos = start_char
    hit_set = set(hits)
    for i, m in enumerate(spans):
        if m.start() < start_char or m.end() > end_char or i not in hit_set:
            continue
        out.append(str(escape(value[pos : m.start()])))
        out.append("<mark>" + str(escape(m.group())) + "</mark>")
        pos = m.end()
    out.append(str(escape(value[pos:end_char])))
    if end_char < len(value):
        out.append(" …")
    return Markup("".join(out).replace("\n", " "))  # noqa: S704 - every piece escaped


def _ranked(terms: list[str]):
    """Subquery (id, score) of matching articles; lower score = better on both databases."""
    if db.engine.dialect.name == "postgresql":
        query = func.to_tsquery("simple", " & ".join([*terms[:-1], terms[-1] + ":*"]))
        return (
            select(
                Article.id.label("id"),
                (-func.ts_rank_cd(Article.search_vector, query)).label("score"),
            )
            .where(Article.search_vector.op("@@")(query))
            .subquery()
        )
    match = " AND ".join([f'"{t}"' for t in terms[:-1]] + [f'"{terms[-1]}"*'])
    return (
        text(
            "SELECT rowid AS id, bm25(article_fts, 8.0, 1.0) AS score "
            "FROM article_fts WHERE article_fts MATCH :match"
        )
        .bindparams(match=match)
        .columns(id=Integer, score=Float)
        .subquery()
    )


def search(user, query: str, *, kind: str | None = None, page: int = 1, per_page: int = 10):
    """Ranked hits visible to `user`, and the total count: (hits, total, terms)."""
    terms = terms_of(query)
    if not terms:
        return [], 0, terms
    ranked = _ranked(terms)
    where = [visible_clause(user)]
    if kind:
        where.append(Article.kind == kind)
    total = db.session.scalar(
        select(func.count())
        .select_from(Article)
        .join(ranked, ranked.c.id == Article.id)
        .where(*where)
    )
    rows = db.session.execute(
        select(Article, ranked.c.score)
        .join(ranked, ranked.c.id == Article.id)
        .where(*where)
        .options(undefer(Article.body_text))
        .order_by(ranked.c.score, Article.published_at.desc(), Article.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    hits = [
        Hit(
            article=a,
            title=highlight(a.title, terms),
            snippet=highlight((a.summary + "\n" + a.body_text).strip(), terms, words=32),
        )
        for a, _score in rows
    ]
    return hits, total or 0, terms
