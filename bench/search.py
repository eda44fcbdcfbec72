"""Search latency over a realistic corpus: p50 / p95 / max of `blueprints.handbook.search`.

Usage: .venv/bin/python bench/search.py [--documents 3000] [--news 20000] [--database-url URL]

Builds a fresh database (SQLite in a temporary folder unless --database-url, e.g. a scratch
PostgreSQL database, is given), the demo province (seed-demo), the 15 handbook chapters of
content/handbook, and generated official documents and news whose sentences are drawn from the
handbook text plus province-flavoured phrases, targeted at random committees. Then it times
the whole search call a member's request makes (visibility filter, ranking, count, top-10 with
highlighted snippets) for queries typed with and without diacritics. Target (issue 4):
p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "sinh hoat chi bo", "dang phi", "Đảng phí", "the dang vien", "cấp lại thẻ",
    "ket nap dang vien", "chuyen sinh hoat dang", "tự phê bình và phê bình", "danh gia xep loai",
    "nghi quyet", "chi thi", "huong dan", "bien ban", "sinh hoạt chuyên đề", "quyen va nhiem vu",
    "mien sinh hoat", "dai hoi", "Quảng Ngãi", "ly son", "chuyen doi so", "hoc tap lam theo",
    "xay dung dang", "thi dua", "bau cu", "nong thon moi", "tiep cong dan", "bao ve nen tang",
    "dang vien du bi", "cong nhan chinh thuc", "sổ tay điện tử", "phan cong nhiem vu", "d",
]  # fmt: skip
PHRASES = [
    "Ban Thường vụ Tỉnh ủy Quảng Ngãi",
    "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "xây dựng nông thôn mới", "chuyển đổi số trong các cơ quan Đảng", "công tác tiếp công dân",
    "bảo vệ nền tảng tư tưởng của Đảng", "phong trào thi đua yêu nước", "huyện đảo Lý Sơn",
    "đại hội đảng bộ các cấp", "công tác kiểm tra, giám sát", "củng cố tổ chức cơ sở đảng",
    "nâng cao chất lượng sinh hoạt chi bộ", "phát triển đảng viên trong thanh niên",
]  # fmt: skip
DOC_KINDS = ["nghi-quyet", "chi-thi", "ket-luan", "quy-dinh", "huong-dan", "thong-bao", "ke-hoach"]
DOC_PREFIX = {
    "nghi-quyet": "Nghị quyết về", "chi-thi": "Chỉ thị về", "ket-luan": "Kết luận về",
    "quy-dinh": "Quy định về", "huong-dan": "Hướng dẫn", "thong-bao": "Thông báo về",
    "ke-hoach": "Kế hoạch",
}  # fmt: skip


def _sentences() -> list[str]:
    text = []
    for path in sorted((ROOT / "content" / "handbook").glob("[0-9]*.md")):
        body = path.read_text("utf-8").split("---", 2)[2]
        for line in body.splitlines():
            line = re.sub(r"[#>*|\-]+", " ", line).strip()
            if len(line) > 40:
                text.extend(s.strip() for s in re.split(r"(?<=[.;:])\s+", line) if len(s) > 25)
    return text


def _body(rng: random.Random, sentences: list[str], paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        if i and i % 3 == 0:
            parts.append("## " + rng.choice(PHRASES).capitalize())
        picked = [*rng.sample(sentences, 4), f"Nội dung gắn với {rng.choice(PHRASES)}."]
        rng.shuffle(picked)
        parts.append(" ".join(picked))
    return "\n\n".join(parts)


def build(app, documents: int, news: int, seed: int = 7) -> int:
    """Fill the corpus; returns the number of articles."""
    from sqlalchemy import func, select

    from blueprints.handbook.commands import import_chapters
    from blueprints.handbook.models import Article, Kind, Status
    from blueprints.handbook.services import apply_text, index_article
    from blueprints.units.models import Unit, UnitKind
    from core.extensions import db
    from core.models import utcnow

    rng = random.Random(seed)
    sentences = _sentences()
    with app.app_context():
        import_chapters(ROOT / "content" / "handbook")
        root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        committees = db.session.scalars(select(Unit.id).where(Unit.kind == UnitKind.COMMITTEE))
        targets = [root.id] * 4 + list(committees)
        now = utcnow()
        for n in range(documents + news):
            is_doc = n < documents
            if is_doc:
                category = rng.choice(DOC_KINDS)
                title = f"{DOC_PREFIX[category]} {rng.choice(PHRASES)}"
                issued = date(2019, 1, 1) + timedelta(days=rng.randrange(2900))
                extra = {
                    "doc_number": f"{rng.randrange(1, 400)}-{category[:2].upper()}/TU",
                    "issued_on": issued,
                    "issuer": "Tỉnh ủy Quảng Ngãi",
                }
            else:
                category = rng.choice(["tin-tuc", "tin-tuc", "thong-bao"])
                title = f"{rng.choice(PHRASES).capitalize()}: {rng.choice(sentences)[:80]}"
                extra = {}
            article = Article(
                kind=Kind.DOCUMENT if is_doc else Kind.NEWS,
                status=Status.PUBLISHED,
                unit_id=rng.choice(targets),
                category=category,
                published_at=now - timedelta(minutes=rng.randrange(60 * 24 * 365 * 4)),
                **extra,
            )
            apply_text(
                article,
                title=title,
                summary=rng.choice(sentences),
                body=_body(rng, sentences, rng.randint(4, 14) if is_doc else rng.randint(3, 8)),
            )
            db.session.add(article)
            index_article(article)
            if n % 500 == 499:
                db.session.commit()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE articles"))
        else:
            db.session.execute(db.text("INSERT INTO article_fts(article_fts) VALUES ('optimize')"))
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(Article))


def measure(app, rounds: int) -> list[float]:
    """Milliseconds per search, for a member whose cell is in the province."""
    from flask_login import login_user
    from sqlalchemy import select

    from blueprints.auth.models import User
    from blueprints.handbook.search import search
    from core.extensions import db

    timings: list[float] = []
    with app.app_context():
        user = db.session.scalar(select(User).where(User.member_id.is_not(None)).limit(1))
        user_id = user.id
    for _ in range(rounds):
        for query in QUERIES:
            with app.test_request_context("/search"):
                user = db.session.get(User, user_id)
                login_user(user)
                started = time.perf_counter()
                hits, _total, _terms = search(user, query)
                _ = [str(h.snippet) for h in hits]
                timings.append((time.perf_counter() - started) * 1000)
                db.session.remove()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--news", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        os.environ.setdefault("SECRET_KEY", "bench")
        from app import create_app
        from blueprints.demo.commands import seed_demo_command
        from core.extensions import db

        app = create_app({"USE_HTMX_CDN": False})
        with app.app_context():
            db.drop_all()
            db.create_all()
        app.test_cli_runner().invoke(seed_demo_command, [])
        started = time.perf_counter()
        count = build(app, args.documents, args.news)
        with app.app_context():
            dialect = db.engine.dialect.name
        print(f"corpus: {count} articles ({args.documents} documents, {args.news} news, "
              f"15 chapters) built in {time.perf_counter() - started:.1f} s "
              f"on {dialect}")  # fmt: skip
        measure(app, 1)  # warm caches
        timings = sorted(measure(app, args.rounds))
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{len(timings)} searches ({len(QUERIES)} queries × {args.rounds})")
        print(f"p50 {statistics.median(timings):.1f} ms · p95 {p95:.1f} ms · "
              f"max {timings[-1]:.1f} ms")  # fmt: skip
        print("target: p95 ≤ 50 ms ->", "OK" if p95 <= 50 else "TOO SLOW")
        with app.app_context():
            db.session.remove()
            if args.database_url:
                db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
