"""Search across chapters, documents and news, ignoring diacritics (đ = d), ranked.

Both databases index *folded* text (`core.text.fold`: lower case, no diacritics, đ→d), and the
query is folded the same way, so "dang phi", "Đảng phí" and "ĐẢNG PHÍ" are the same search.
SQLite uses an FTS5 table ranked by bm25 (title weighs 8× the body); PostgreSQL a GIN-indexed
tsvector ranked by ts_rank (title weight A, body weight B); folding in Python rather than
with `unaccent` needs no database extension and keeps both databases in step. Snippets come
from the original text: its words are folded one by one and those matching a query word are
wrapped in <mark>. This module only reads the index: the session writes it whenever an
article's searchable text changes (`Article.write_search_index`, core/searchable.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import func, select, text
from sqlalchemy.orm import undefer

from blueprints.handbook.models import Article, Status
from blueprints.handbook.services import visible_clause, visible_unit_ids
from core.extensions import db
from core.models import utcnow
from core.text import fold

MAX_TERMS = 8


def terms_of(query: str) -> list[str]:
    """Folded search terms: letters and digits only, at most MAX_TERMS."""
    return re.findall(r"[a-z0-9]+", fold(query))[:MAX_TERMS]


@dataclass
class Hit:
    """One search result with highlighted title and snippet."""

    article: Article
    title: Markup
    snippet: Markup


def _build_fold_table() -> dict[int, str]:
    """Character → folded character, one for one (so offsets in folded text match the original)."""
    table: dict[int, str] = {}
    ranges = (range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for code in (c for r in ranges for c in r):
        lowered = chr(code).lower()
        if len(lowered) != 1:
            continue
        base = "d" if lowered == "đ" else unicodedata.normalize("NFD", lowered)[0]
        if base != chr(code):
            table[code] = base
    return table


_FOLD_TABLE = _build_fold_table()


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """Whole words only: Vietnamese syllables are short, so prefixes ("bo" → "bốn") mislead."""
    return re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b")


def highlight(value: str, terms: list[str], *, width: int | None = None) -> Markup:
    """Escape `value` and wrap the words matching `terms` in <mark>.

    The text is folded character by character (same length), so a match found in the folded
    text marks exactly the original word, diacritics and capitals kept. With `width`, only
    the window of about that many characters holding the most distinct terms is kept, cut
    at spaces, with an ellipsis where text was left out.
    """
    if not value:
        return Markup("")
    matches = []
    if terms:
        folded = value.translate(_FOLD_TABLE)
        matches = [(m.start(), m.end(), m.group()) for m in _pattern(tuple(terms)).finditer(folded)]
    start, end = 0, len(value)
    if width is not None and len(value) > width:
        first = matches[0][0] if matches else 0
        best_score = -1
        for i, (pos, _e, _g) in enumerate(matches[:200]):
            score = len({g for p, _x, g in matches[i : i + 50] if p < pos + width})
            if score > best_score:
                first, best_score = pos, score
        start = max(0, first - width // 5)
        if start:
            space = value.rfind(" ", 0, start)
            start = space + 1 if space >= 0 else 0
        end = min(len(value), start + width)
        if end < len(value):
            space = value.rfind(" ", start, end)
            end = space if space > start else end
    out: list[str] = ["… " if start > 0 else ""]
    pos = start
    for m_start, m_end, _g in matches:
        if m_start < start or m_end > end:
            continue
        out.append(str(escape(value[pos:m_start])))
        out.append("<mark>" + str(escape(value[m_start:m_end])) + "</mark>")
        pos = m_end
    out.append(str(escape(value[pos:end])))
    if end < len(value):
        out.append(" …")
    return Markup("".join(out).replace("\n", " "))  # noqa: S704 - every piece escaped


def _page_sqlite(user, terms, kind, limit, offset) -> tuple[list[int], int]:
    """Ids of one page of ranked hits and the total, on SQLite FTS5, in one statement.

    The visibility filter is answered from the covering index ix_articles_visible. `+rowid`
    keeps FTS5 from using the id list as an index (that would run one MATCH per id); as a
    plain filter it is checked against a temporary index, so bm25 is computed only for the
    visible matches; a window count over the materialised hits gives the total in one scan.
    """
    params: dict = {
        "match": " AND ".join(f'"{t}"' for t in terms),
        "status": Status.PUBLISHED.value,
        "now": utcnow(),
        "limit": limit,
        "offset": offset,
    }
    visible = "SELECT id FROM articles WHERE status = :status AND published_at <= :now"
    unit_ids = visible_unit_ids(user)
    if unit_ids is not None:
        visible += " AND unit_id IN (" + ",".join(str(int(i)) for i in unit_ids) + ")"
    if kind:
        visible += " AND kind = :kind"
        params["kind"] = kind
    # Only integers and bound parameters are put into the SQL.
    ranked = "SELECT rowid AS id, bm25(article_fts, 8.0, 1.0) AS score FROM article_fts"
    where = f" WHERE article_fts MATCH :match AND +rowid IN ({visible})"
    page = "SELECT id, count(*) OVER () FROM hits ORDER BY score, id LIMIT :limit OFFSET :offset"
    sql = f"WITH hits AS MATERIALIZED ({ranked}{where}) {page}"
    rows = db.session.execute(
        text(sql),
        params,
    ).all()
    if not rows and offset:  # past the last page: the total still matters
        return [], _page_sqlite(user, terms, kind, 1, 0)[1]
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


def _page_postgresql(user, terms, kind, limit, offset) -> tuple[list[int], int]:
    """Ids of one page of ranked hits and the total, on PostgreSQL, in one statement.

    The GIN index finds the matches; ts_rank (title weight A = 1.0, body B = 0.4; about twice
    as fast as ts_rank_cd here) orders them, and a window count gives the total.
    """
    query = func.to_tsquery("simple", " & ".join(terms))
    stmt = select(Article.id, func.count().over()).where(
        visible_clause(user), Article.search_vector.op("@@")(query)
    )
    if kind:
        stmt = stmt.where(Article.kind == kind)
    rows = db.session.execute(
        stmt.order_by(func.ts_rank(Article.search_vector, query).desc(), Article.id)
        .limit(limit)
        .offset(offset)
    ).all()
    if not rows and offset:  # past the last page: the total still matters
        return [], _page_postgresql(user, terms, kind, 1, 0)[1]
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


def search(user, query: str, *, kind: str | None = None, page: int = 1, per_page: int = 10):
    """Ranked hits visible to `user`, and the total count: (hits, total, terms)."""
    terms = terms_of(query)
    if not terms:
        return [], 0, terms
    pager = _page_postgresql if db.engine.dialect.name == "postgresql" else _page_sqlite
    ids, total = pager(user, terms, kind, per_page, (page - 1) * per_page)
    articles = {
        a.id: a
        for a in db.session.scalars(
            select(Article).where(Article.id.in_(ids)).options(undefer(Article.body_text))
        )
    }
    hits = [
        Hit(
            article=a,
            title=highlight(a.title, terms),
            snippet=highlight((a.summary + "\n" + a.body_text).strip(), terms, width=240),
        )
        for a in (articles[i] for i in ids if i in articles)
    ]
    return hits, total, terms
