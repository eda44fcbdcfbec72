"""Search latency over a realistic corpus: p50 / p95 / max of `blueprints.handbook.search`.

Usage: .venv/bin/python bench/search.py [--documents 3000] [--news 20000] [--database-url URL]

Builds a fresh database (SQLite in a temporary folder unless --database-url, e.g. a scratch
PostgreSQL database, is given; that one keeps the corpus, for --reuse), the demo province
(seed-demo), the 15 handbook chapters of content/handbook, and generated official documents
and news whose sentences come from the handbook text (Party-work topics) or from templates on
the province's other news topics (economy, farming, culture, schools and health, security,
digital services), targeted at the province or at random committees. Then it times the whole
search call a member's request makes (visibility filter, ranking, count, top-10 with
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


PLACES = [
    "Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Nghĩa Hành", "Mộ Đức", "Đức Phổ", "Ba Tơ", "Minh Long",
    "Sơn Hà", "Sơn Tây", "Trà Bồng", "Lý Sơn", "thành phố Quảng Ngãi", "Dung Quất",
]  # fmt: skip
TOPICS = {
    "kinh-te": [
        "Kinh tế của {place} tháng {month} tiếp tục tăng trưởng, thu ngân sách đạt {n}% dự toán.",
        "Khu kinh tế Dung Quất thu hút thêm {n} dự án đầu tư mới trong năm.",
        "Doanh nghiệp nhỏ và vừa ở {place} được hỗ trợ vay vốn, mở rộng sản xuất.",
        "Giá trị sản xuất công nghiệp tăng {n}% so với cùng kỳ năm trước.",
        "Huyện {place} đẩy nhanh giải ngân vốn đầu tư công, hoàn thành {n} công trình.",
        "Các hợp tác xã đổi mới cách làm, liên kết tiêu thụ sản phẩm cho nông dân.",
    ],
    "nong-nghiep": [
        "Nông dân {place} xuống giống vụ đông xuân đúng lịch thời vụ, diện tích {n} héc-ta.",
        "Chương trình xây dựng nông thôn mới ở {place} có thêm {n} xã đạt chuẩn.",
        "Người trồng hành, tỏi Lý Sơn được mùa, được giá.",
        "Ngành nông nghiệp hướng dẫn phòng chống dịch bệnh trên đàn gia súc, gia cầm.",
        "Mô hình trồng keo lai gỗ lớn giúp hộ đồng bào miền núi tăng thu nhập.",
        "Ngư dân {place} bám biển, khai thác hải sản đúng quy định, không khai thác bất hợp pháp.",
    ],
    "van-hoa": [
        "Lễ hội văn hóa các dân tộc miền núi {place} thu hút đông đảo người dân tham gia.",
        "Hội thi văn nghệ quần chúng chào mừng ngày thành lập tỉnh diễn ra sôi nổi.",
        "Di tích lịch sử được trùng tu, phục vụ giáo dục truyền thống cho thế hệ trẻ.",
        "Phong trào toàn dân đoàn kết xây dựng đời sống văn hóa ở khu dân cư được duy trì.",
        "Du lịch biển đảo Lý Sơn đón {n} nghìn lượt khách trong tháng {month}.",
    ],
    "giao-duc-y-te": [
        "Ngành giáo dục {place} chuẩn bị tốt năm học mới, sửa chữa {n} phòng học.",
        "Học sinh miền núi được hỗ trợ sách vở, học bổng để đến trường.",
        "Trạm y tế xã khám sức khỏe miễn phí cho người cao tuổi và người có công.",
        "Chiến dịch tiêm chủng mở rộng đạt tỷ lệ {n}% ở {place}.",
        "Bảo hiểm y tế học sinh, sinh viên đạt độ bao phủ cao.",
    ],
    "an-ninh": [
        "Lực lượng công an {place} giữ vững an ninh trật tự, kiềm chế tai nạn giao thông.",
        "Phong trào toàn dân bảo vệ an ninh Tổ quốc được phát động ở khu dân cư.",
        "Công tác tiếp công dân, giải quyết khiếu nại, tố cáo được thực hiện đúng quy định.",
        "Huyện {place} tổ chức diễn tập phòng thủ khu vực, phòng chống thiên tai.",
        "Người dân chủ động phòng chống bão lũ, di dời {n} hộ đến nơi an toàn.",
    ],
    "chuyen-doi-so": [
        "Tỉnh đẩy mạnh chuyển đổi số, {n}% thủ tục hành chính được giải quyết trực tuyến.",
        "Cán bộ xã {place} được tập huấn sử dụng chữ ký số và phần mềm quản lý văn bản.",
        "Người dân dùng ứng dụng trên điện thoại để nộp hồ sơ, tra cứu kết quả.",
        "Tổ công nghệ số cộng đồng hướng dẫn bà con thanh toán không dùng tiền mặt.",
    ],
}
TOPIC_WEIGHTS = {"kinh-te": 3, "nong-nghiep": 3, "van-hoa": 2, "giao-duc-y-te": 2, "an-ninh": 2,
                 "chuyen-doi-so": 1, "xay-dung-dang": 3}  # fmt: skip


def _sentence(rng: random.Random, topic: str, handbook: list[str]) -> str:
    if topic == "xay-dung-dang":
        return rng.choice(handbook)
    return rng.choice(TOPICS[topic]).format(
        place=rng.choice(PLACES), n=rng.randint(2, 98), month=rng.randint(1, 12)
    )


def _body(rng: random.Random, topic: str, handbook: list[str], paragraphs: int) -> str:
    """Paragraphs mostly on the article's topic, a few sentences from other topics."""
    parts = []
    for i in range(paragraphs):
        if i and i % 3 == 0:
            parts.append("## " + rng.choice(PHRASES).capitalize())
        picked = [
            _sentence(
                rng, topic if rng.random() < 0.85 else rng.choice(list(TOPIC_WEIGHTS)), handbook
            )
            for _ in range(rng.randint(3, 6))
        ]
        parts.append(" ".join(picked))
    return "\n\n".join(parts)


def build(app, documents: int, news: int, seed: int = 7) -> int:
    """Fill the corpus; returns the number of articles."""
    from sqlalchemy import func, select

    from blueprints.handbook.commands import import_chapters
    from blueprints.handbook.models import Article, Kind, Status
    from blueprints.handbook.services import apply_text
    from blueprints.units.models import Unit, UnitKind
    from core.extensions import db
    from core.models import utcnow

    rng = random.Random(seed)
    sentences = _sentences()
    topics = [t for t, w in TOPIC_WEIGHTS.items() for _ in range(w)]
    with app.app_context():
        import_chapters(ROOT / "content" / "handbook")
        root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        committees = db.session.scalars(select(Unit.id).where(Unit.kind == UnitKind.COMMITTEE))
        targets = [root.id] * 4 + list(committees)
        now = utcnow()
        for n in range(documents + news):
            is_doc = n < documents
            # Documents are mostly about Party work; news covers the whole life of the province.
            topic = "xay-dung-dang" if is_doc and rng.random() < 0.7 else rng.choice(topics)
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
                title = _sentence(rng, topic, sentences)[:120].rstrip(".")
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
                summary=_sentence(rng, topic, sentences),
                body=_body(
                    rng, topic, sentences, rng.randint(4, 14) if is_doc else rng.randint(3, 8)
                ),
            )
            db.session.add(article)  # indexed by the session at the flush
            if n % 500 == 499:
                db.session.commit()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # what autovacuum does on a live server
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE articles"))
        else:
            db.session.execute(db.text("INSERT INTO article_fts(article_fts) VALUES ('optimize')"))
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(Article))


def measure(app, rounds: int, per_query: dict | None = None) -> list[float]:
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
                if per_query is not None:
                    per_query.setdefault(query, []).append(timings[-1])
                db.session.remove()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--news", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--reuse", action="store_true", help="keep and reuse the corpus already in --database-url"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        os.environ.setdefault("SECRET_KEY", "bench")
        from app import create_app
        from blueprints.demo.commands import seed_demo_command
        from core.extensions import db

        app = create_app({"USE_HTMX_CDN": False})
        started = time.perf_counter()
        if args.reuse:
            with app.app_context():
                count = db.session.execute(db.text("SELECT count(*) FROM articles")).scalar()
        else:
            with app.app_context():
                db.drop_all()
                db.create_all()
            app.test_cli_runner().invoke(seed_demo_command, [])
            count = build(app, args.documents, args.news)
        with app.app_context():
            dialect = db.engine.dialect.name
        print(f"corpus: {count} articles ({args.documents} documents, {args.news} news, "
              f"15 chapters) built in {time.perf_counter() - started:.1f} s "
              f"on {dialect}")  # fmt: skip
        measure(app, 1)  # warm caches
        per_query: dict[str, list[float]] = {}
        timings = sorted(measure(app, args.rounds, per_query))
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{len(timings)} searches ({len(QUERIES)} queries × {args.rounds})")
        print(f"p50 {statistics.median(timings):.1f} ms · p95 {p95:.1f} ms · "
              f"max {timings[-1]:.1f} ms")  # fmt: skip
        slowest = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
        print("slowest queries (median):", ", ".join(
            f"{q!r} {statistics.median(t):.1f} ms" for q, t in slowest))  # fmt: skip
        print("target: p95 ≤ 50 ms ->", "OK" if p95 <= 50 else "TOO SLOW")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
