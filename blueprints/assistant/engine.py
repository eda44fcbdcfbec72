"""Retrieval: a question in, at most three sourced passages out, or none when unsure.

1. The question is folded, repaired and expanded with the glossary (`analysis.query_terms`).
2. The database ranks passages by BM25 over the folded words and bigrams, every term ORed:
   SQLite's FTS5 `bm25()` (question field weighted `Q_WEIGHT`, text 1) or PostgreSQL's
   length-normalised `ts_rank` over a 'simple' tsvector (question field A, text B), GIN /
   FTS5 indexed.
   Words found in more than `COMMON` of the passages ("dang" is in nearly all) are left out
   of that query: they rank nothing and would make the database score every passage. They
   still count in the coverage below. The index holds texts as written, so the query also
   holds the written forms of the glossary terms the question was expanded to ("vao dang"
   for "ket nap dang", `analysis.written_forms`).
   The two backends sit behind one function, `_candidates`.
3. The best `CANDIDATES` are re-scored the same way on both databases, each read with the
   glossary as the question was (`_Compiled.expanded`, kept per glossary version): the
   database score relative to the best one, plus how much of the question the passage
   covers: the share of the question's content words (each weighted by its rarity in the
   index, BM25's idf) and of its bigrams found in the passage's nearest phrasing and in the
   whole passage; plus how near the question is to the passage's nearest phrasing (an
   entry's question or one alternative, a section's title or heading; `_best_phrasing`),
   which tells apart near-duplicate entries on one topic and lets the entry written for a
   question outrank a chapter whose short heading shares its words.
4. The confidence is that coverage of the whole passage, its bigrams, and of the question
   field (what the passage answers), with a share of the nearest phrasing, one answer per
   source. A question whose rare words the
   index does not hold ("cách nấu phở") covers little of any passage: below `THRESHOLD` the
   assistant says it has no answer yet. The threshold is relative to the question itself, so
   it does not depend on the size of the index or on the backend's score scale; a question
   whose pairs of content words are mostly unknown to the index ("đăng ký kết hôn") needs
   `STRICT_THRESHOLD`, unless it holds `ASKED_STRICT_SHARE` of one of the first entry's
   phrasings. A question that holds most of one of an entry's phrasings gets
   `ASKED_LIFT` more (the story told around it costs no answer), and one that holds a whole
   phrasing of `WHOLE_PHRASING_WORDS` or more is answered. The second and third
   answers need `LATER_THRESHOLD` only, beside a confident first one. A question naming a
   thing outside the Party's procedures and no Party work ("làm giấy khai sinh") is answered
   only by passages written about it (outside.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from flask import g
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from blueprints.assistant.analysis import (
    PHRASING_SEPARATOR,
    STOPWORDS,
    Glossary,
    by_first_word,
    compile_glossary,
    expand,
    query_terms,
    words,
    written_forms,
)
from blueprints.assistant.models import GlossaryTerm, Passage
from blueprints.assistant.outside import outside_terms, written_about
from blueprints.assistant.phrasings import best_phrasing, held_shares
from core.extensions import db
from core.models import utcnow

CANDIDATES = 20  # one chapter's sections can take many places (one answer per source)
MAX_ANSWERS = 3
Q_WEIGHT = 4.0  # a word of the question field counts this many times one of the text
PG_WEIGHTS = "{0.1, 0.2, 0.25, 1.0}"  # D, C, B (text), A (question field)
# ts_rank with normalisation 1 (divided by 1 + log of the length), like BM25's length term;
# ts_rank_cd's cover density cost 3-4 times more per matching row (most of the PostgreSQL
# latency) and ranked worse here.
PG_RANK = "ts_rank(CAST(:weights AS float4[]), search_vector, q, 1)"
THRESHOLD = 0.48  # least confidence of the first answer
# The second and third answers are offered beside a confident first one ("see also"): they
# need less confidence of their own, but a score near the first one's.
LATER_THRESHOLD = 0.4
KEEP_RELATIVE = 0.7  # later answers score at least this share of the first one
QA_BONUS = 0.08
# words of the whole passage, of its question field; bigrams of the whole, of the question field
PART_WEIGHTS = (0.35, 0.25, 0.25, 0.15)
RAW_SHARE = 0.4  # of the score, the database's rank relative to the best; the rest coverage
COMMON = 0.5  # a curated entry wins a tie with a handbook section


@dataclass
class Hit:
    """One passage that answers, with how sure we are."""

    passage: Passage
    score: float
    confidence: float


@dataclass
class Result:
    """What the assistant found for one question."""

    hits: list[Hit] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    confidence: float = 0.0

    @property
    def answered(self) -> bool:
        return bool(self.hits)


class _Compiled:
    """One version of the glossary: its terms, their index by first word, and the passages'
    texts already expanded with it (reading a passage as a question is read costs more than
    the search; the texts change seldom, the cache goes with the glossary version)."""

    LIMIT = 5000

    def __init__(self, rows: tuple) -> None:
        self.terms = compile_glossary((t, e) for t, e, outside in rows if not outside)
        # terms naming things outside the Party's procedures (outside.py), folded
        self.outside = [" ".join(words(t)) for t, _e, outside in rows if outside]
        self.first = by_first_word(self.terms)
        self.texts: dict[str, str] = {}
        # the glossary's own word pairs: Party words by the editors' choice, known to the
        # assistant whether or not a text writes them so ("kết nạp" for "vào Đảng")
        self.pairs = {a + b for t, e in self.terms for x in (t, e) for a, b in pairwise(x)}

    def expanded(self, value: str) -> str:
        """`value` (folded words) with the glossary applied."""
        done = self.texts.get(value)
        if done is None:
            if len(self.texts) >= self.LIMIT:
                self.texts.clear()
            done = self.texts[value] = " ".join(expand(value.split(), [], self.first))
        return done


@lru_cache(maxsize=4)
def _compiled(rows: tuple) -> _Compiled:
    """Folding every term costs more than the search: kept while the table stays the same."""
    return _Compiled(rows)


def _glossary_version() -> _Compiled:
    if "_assistant_glossary" not in g:
        query = select(GlossaryTerm.term, GlossaryTerm.expansion, GlossaryTerm.outside)
        query = query.order_by(GlossaryTerm.id)
        g._assistant_glossary = _compiled(tuple(tuple(r) for r in db.session.execute(query)))
    return g._assistant_glossary


def glossary() -> Glossary:
    """The glossary (a small table the editors edit), read once per request, compiled again
    only when it changed."""
    return _glossary_version().terms


def outside_glossary() -> list[str]:
    """The folded terms naming things outside the Party's procedures (outside.py)."""
    return _glossary_version().outside


def _sqlite_candidates(terms: list[str]) -> list[tuple[int, float]]:
    match = " OR ".join(f'"{t}"' for t in terms)  # terms are [a-z0-9]+ only
    rank = f"bm25(assistant_fts, {Q_WEIGHT}, 1.0)"
    sql = (
        f"SELECT p.id, -{rank}, p.kind, p.qtext, p.btext, p.entry_id, p.article_id "  # noqa: S608
        "FROM assistant_fts JOIN assistant_passages p ON p.id = assistant_fts.rowid "
        "WHERE assistant_fts MATCH :match "
        f"AND p.visible_from <= :now ORDER BY {rank} LIMIT :limit"
    )
    params = {"match": match, "now": utcnow(), "limit": CANDIDATES}
    rows = db.session.execute(text(sql), params)
    return [(r[0], float(r[1]), *r[2:]) for r in rows]


def _postgresql_candidates(terms: list[str]) -> list[tuple[int, float]]:
    sql = (
        f"SELECT id, {PG_RANK} AS score, "  # noqa: S608 - a constant
        "kind, qtext, btext, entry_id, article_id "
        "FROM assistant_passages, to_tsquery('simple', :query) AS q "
        "WHERE search_vector @@ q AND visible_from <= :now ORDER BY score DESC, id LIMIT :limit"
    )
    params = {"weights": PG_WEIGHTS, "query": " | ".join(terms), "now": utcnow()}
    rows = db.session.execute(text(sql), {**params, "limit": CANDIDATES})
    return [(r[0], float(r[1]), *r[2:]) for r in rows]


# How many passages hold one word: a GIN lookup on PostgreSQL, an FTS5 lookup on SQLite (the
# fts5vocab table would scan the whole index).
_DF_POSTGRESQL = (
    "(SELECT count(*) FROM assistant_passages WHERE search_vector @@ to_tsquery('simple', :w{}))"
)
_DF_SQLITE = "(SELECT count(*) FROM assistant_fts WHERE assistant_fts MATCH :w{})"


def _document_frequencies(words: list[str]) -> tuple[dict[str, int], int]:
    """How many passages hold each word, and how many passages there are (one statement)."""
    postgresql = db.engine.dialect.name == "postgresql"
    one = _DF_POSTGRESQL if postgresql else _DF_SQLITE
    counts = ", ".join(one.format(i) for i in range(len(words)))
    sql = "SELECT (SELECT count(*) FROM assistant_passages), " + counts  # noqa: S608 - placeholders
    quote = "{}" if postgresql else '"{}"'
    params = {f"w{i}": quote.format(w) for i, w in enumerate(words)}
    row = db.session.execute(text(sql), params).one()
    return dict(zip(words, row[1:], strict=True)), row[0]


def _candidates(terms: list[str]) -> list[tuple]:
    """(passage id, BM25 score (higher is better), kind, qtext, btext, entry id, article id) of
    the best matches, on either database."""
    if db.engine.dialect.name == "postgresql":
        return _postgresql_candidates(terms)
    return _sqlite_candidates(terms)


NUMBER_WEIGHT = 0.3  # "họp 60 phút có đủ không": the number asked is seldom the one written


# A word most passages hold still says what the question is about ("đảng viên" in a handbook
# for đảng viên): below this weight, the rare words of a story around it would decide alone, and
# more so in a small index (the demo's 237 passages) than in a province's.
IDF_FLOOR = 0.5


def _idf(word: str, df: int, total: int) -> float:
    weight = math.log(1 + (total - df + 0.5) / (df + 0.5))
    return weight * NUMBER_WEIGHT if word.isdigit() else max(weight, IDF_FLOOR)


def _share(text: str, wanted: list[str], weight: dict[str, float]) -> float:
    """Weighted share of `wanted` terms found as whole words of `text` (padded with spaces)."""
    mass = sum(weight.get(w, 1.0) for w in wanted)
    found = sum(weight.get(w, 1.0) for w in wanted if f" {w} " in text)
    return found / mass if mass else 0.0


def _coverage(qtext: str, btext: str, content: list[str], pairs: list[str], idf: dict) -> tuple:
    """(score part from coverage, confidence) of one passage for the question. A bigram is
    found when its two words stand side by side in the passage."""
    # Each phrasing is a question of its own: what the question field answers is what its
    # nearest phrasing covers, not the union of all (seven phrasings together hold most words).
    phrasings = [f" {p} " for p in qtext.split(PHRASING_SEPARATOR)]
    both = f" {qtext} {btext} "
    words_all = _share(both, content, idf)
    words_asked = max(_share(p, content, idf) for p in phrasings)
    if pairs:
        pairs_all = _share(both, pairs, {})
        pairs_asked = max(_share(p, pairs, {}) for p in phrasings)
    else:
        pairs_all = pairs_asked = words_all
    # A passage that answers the question tends to hold its words in what it answers too (the
    # entry's question and phrasings, the section's heading): that share tells answerable
    # questions from stray word matches ("mất căn cước công dân") better than the text alone.
    confidence = 0.45 * words_all + 0.2 * words_asked + 0.35 * pairs_all
    shares = (words_all, words_asked, pairs_all, pairs_asked)
    part = sum(w * x for w, x in zip(PART_WEIGHTS, shares, strict=True))
    return part, confidence


# The nearest phrasing (`phrasings.best_phrasing`): its weight in the score, the share of the
# confidence it makes, and how much of it a section gets (a chapter title or a short heading
# is no question asked, and must not outrank the entry written for it).
PHRASING_WEIGHT = 0.6
NEAR_CONFIDENCE = 0.2
SECTION_PHRASING = 0.5


# A question holding most of the words of one of an entry's phrasings asks what that entry asks,
# whatever story it tells around it ("Hôm qua đi chợ bị móc túi, mất luôn thẻ Đảng, giờ làm
# sao?"): the words of the story, missing from every passage, lower its confidence below the
# threshold although the entry is right. Such a question's confidence is lifted by this much
# (from at least THRESHOLD - ASKED_LIFT, the threshold then reached) when it holds at least
# ASKED_SHARE of the phrasing's content words. Out-of-scope questions seldom hold most of an
# entry's question ("mất thẻ ATM": two of "mất thẻ đảng viên"'s four).
ASKED_SHARE = 0.6
ASKED_LIFT = 0.08


# A question holding every content word of one of an entry's phrasings of at least this many
# words asks that phrasing, however long the story around it ("ông nhà tôi 85 tuổi ốm liệt
# giường mấy tháng nay, có được miễn đóng đảng phí không" holds "Ai được miễn đóng đảng phí?"):
# it is answered whatever the story's words cost the confidence. Shorter phrasings ("Phiếu
# đảng viên là gì?", three words) are held by questions about other things too.
WHOLE_PHRASING_WORDS = 4


def _rescored(found, content, pairs, idf) -> tuple[list[tuple[float, float, int]], dict]:
    """(score, confidence, passage id) of each candidate, best first, the best passage of each
    source only: three sections of one chapter are one answer, and would push the other
    sources out of the three shown. Also how much of one of its phrasings the question holds,
    by entry passage id (`scored_candidates` reads it for the first one)."""
    best = max(f[1] for f in found) or 1.0
    version = _glossary_version()
    scored = []
    asked: dict[int, float] = {}
    for passage_id, raw, kind, qtext, btext, *source in found:
        # the passage as the question is read: its abbreviations and synonyms expanded
        qtext, btext = version.expanded(qtext), version.expanded(btext)
        part, confidence = _coverage(qtext, btext, content, pairs, idf)
        score = RAW_SHARE * raw / best + (1 - RAW_SHARE) * part
        near = best_phrasing(qtext, content, idf)
        confidence = (1 - NEAR_CONFIDENCE) * confidence + NEAR_CONFIDENCE * near
        if kind == "qa":
            score += QA_BONUS + PHRASING_WEIGHT * near
            held = held_shares(qtext, content)
            asked[passage_id] = max((share for n, share in held if n > 1), default=0.0)
            if asked[passage_id] >= ASKED_SHARE:
                confidence += ASKED_LIFT
            if any(n >= WHOLE_PHRASING_WORDS and share == 1.0 for n, share in held):
                confidence = max(confidence, THRESHOLD)
        else:
            score += PHRASING_WEIGHT * SECTION_PHRASING * near
        scored.append((score, confidence, passage_id, tuple(source)))
    scored.sort(key=lambda x: (-x[0], x[2]))
    seen: set = set()
    kept = []
    for score, confidence, passage_id, source in scored:
        if source not in seen:
            seen.add(source)
            kept.append((score, confidence, passage_id))
    return kept, asked


# Word pairs tell what a question is about better than its words ("kết hôn", "học phí", "tiền
# điện" share "kết", "phí", "đóng tiền" with the Party's texts, not the pair). When fewer than
# KNOWN_PAIRS of the question's pairs of content words occur anywhere in the index or the
# glossary, the question asks about something the app does not hold: its first answer needs
# STRICT_THRESHOLD. Questions the app answers hold mostly known pairs, even around a story.
KNOWN_PAIRS = 0.55
STRICT_THRESHOLD = 0.8


# Prepositions join a pair to whatever follows ("trên app", "vào app", "từ nguồn nào"): such a
# pair says nothing of what the question is about, known or not.
PREPOSITIONS = frozenset("vao tren duoi trong ngoai qua tu den sau truoc lai".split())


def _content_pairs(pairs: list[str]) -> list[str]:
    """The pairs of two content words, as the index writes them ("ket hon" → "kethon")."""
    left_out = STOPWORDS | PREPOSITIONS
    return [a + b for a, b in (p.split() for p in pairs) if not {a, b} & left_out]


def _known(pair: str, df: dict[str, int], glossary_pairs: set[str]) -> bool:
    """A pair is known when a text or the glossary holds it. A pair with a number always is:
    "63 tuổi", "6 tháng" are in no text, yet ask nothing the app does not hold."""
    return bool(df[pair]) or pair in glossary_pairs or any(ch.isdigit() for ch in pair)


def scored_candidates(question: str) -> tuple[list[str], list[tuple[float, float, int]], float]:
    """(content words, (score, confidence, passage id) of the candidates, best first, the
    confidence the first one needs), before the threshold (`search`, and
    bench/assistant_misses.py to analyse failures)."""
    content, pairs = query_terms(question, glossary())
    if not content:
        return content, [], THRESHOLD
    known = _content_pairs(pairs)
    df, total = _document_frequencies(list(dict.fromkeys(content + known)))
    idf = {w: _idf(w, df.get(w, 0), total) for w in content}
    threshold = THRESHOLD
    glossary_pairs = _glossary_version().pairs
    if known and sum(_known(p, df, glossary_pairs) for p in known) < KNOWN_PAIRS * len(known):
        threshold = STRICT_THRESHOLD
    rare = [w for w in content if df.get(w, 0) <= COMMON * total] or content
    written = written_forms(content, glossary())
    found = _candidates(list(dict.fromkeys(rare + [p.replace(" ", "") for p in pairs] + written)))
    if not found:
        return content, [], threshold
    scored, asked = _rescored(found, content, pairs, idf)
    if threshold > THRESHOLD and asked.get(scored[0][2], 0.0) >= ASKED_STRICT_SHARE:
        threshold = THRESHOLD
    version = _glossary_version()
    outside = outside_terms(question, version.outside, version.terms)
    if outside:  # "đăng ký kết hôn": only a passage written about it may answer
        qtexts = {f[0]: f[3] for f in found}
        if not written_about(qtexts[scored[0][2]], outside):
            return content, scored, math.inf
        scored = [s for s in scored if written_about(qtexts[s[2]], outside)]
    return content, scored, threshold


# A question that holds nearly all of one of the first entry's phrasings asks what that entry
# asks, whatever it tells around it: the unknown pairs of a story ("bị tai biến liệt nửa người",
# "giặt mục hết chữ") then call for no surer answer. Out-of-scope questions that share pairs
# with the Party's texts hold a part of a phrasing only ("giá vàng hôm nay bao nhiêu": half the
# words of "Hôm nay tôi bận không đi họp được, báo ai?").
ASKED_STRICT_SHARE = 0.75


def search(question: str, *, limit: int = MAX_ANSWERS) -> Result:
    """The passages that answer `question` (published only, at most `limit`), best first."""
    content, scored, threshold = scored_candidates(question)
    result = Result(words=content)
    result.confidence = scored[0][1] if scored else 0.0
    if not scored or scored[0][1] < threshold:
        return result
    top = scored[0][0]
    later = [
        (s, c, i) for s, c, i in scored[1:] if s >= KEEP_RELATIVE * top and c >= LATER_THRESHOLD
    ]
    kept = [scored[0], *later][:limit]
    chosen = select(Passage).where(Passage.id.in_([i for *_x, i in kept]))
    chosen = chosen.options(joinedload(Passage.entry), joinedload(Passage.article))
    passages = {p.id: p for p in db.session.scalars(chosen)}
    result.hits = [Hit(passages[i], s, c) for s, c, i in kept]
    return result


def ranked_ids(question: str, limit: int = MAX_ANSWERS) -> list[str]:
    """Ids of the answers as the evaluation set names them: an entry's slug, or
    "handbook:<chapter slug>" for a chapter's section, "document:<number>" for a document's
    (bench/assistant.py and the tests use it)."""
    ids = []
    for hit in search(question, limit=limit).hits:
        passage = hit.passage
        if passage.kind == "qa":
            ids.append(passage.entry.slug)
        elif passage.article.slug:
            ids.append("handbook:" + passage.article.slug)
        else:
            ids.append("document:" + passage.article.doc_number)
    return ids
