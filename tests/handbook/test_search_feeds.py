"""Search without diacritics (đ = d), ranking, highlighting; Atom feed; idempotent feed import."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import select

from blueprints.handbook.models import Article, Kind
from blueprints.handbook.search import highlight, terms_of
from core.extensions import db
from tests.handbook.helpers import make_article

FEEDS = Path(__file__).resolve().parent / "feeds"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_terms_fold_diacritics_and_d():
    assert terms_of("Sinh hoạt CHI BỘ") == ["sinh", "hoat", "chi", "bo"]
    assert terms_of("Đảng phí; \"' OR 1=1 --") == ["dang", "phi", "or", "1", "1"]


def test_highlight_maps_back_to_original_words():
    text = "Đóng đảng phí hằng tháng. Đảng viên DANG ký."
    html = str(highlight(text, ["dang", "phi"]))
    assert "<mark>đảng</mark> <mark>phí</mark>" in html
    assert "<mark>Đảng</mark> viên <mark>DANG</mark>" in html
    assert "<mark>" not in str(highlight("Bốn bộ bông", ["bo"])).replace("<mark>bộ</mark>", "")
    assert "<mark>" not in str(highlight("<b>x</b>", ["b"])).replace("<mark>b</mark>", "")
    assert "&lt;" in str(highlight("<b>x</b>", ["b"]))


def test_search_ignores_diacritics_ranks_and_highlights(app, client, world, as_role):
    with app.app_context():
        p = world.units["P"]
        make_article(p, "Tin văn nghệ", "Buổi văn nghệ có nhắc đến đảng phí một lần.")
        body = "## Mức đóng\n\nMức đóng đảng phí theo thu nhập. Đảng phí nộp tại chi bộ."
        make_article(p, "Đảng phí", body, kind=Kind.CHAPTER, slug="dang-phi", position=1)
        make_article(p, "Sinh hoạt chi bộ định kỳ", "Chi bộ sinh hoạt mỗi tháng một lần.",
                     kind=Kind.CHAPTER, slug="sinh-hoat", position=2)  # fmt: skip
    as_role("member_a")
    html = client.get("/search?q=dang+phi").get_data(as_text=True)
    assert "2 kết quả" in html
    assert html.index("/handbook/dang-phi") < html.index("Tin văn nghệ")  # title match first
    assert "<mark>Đảng</mark> <mark>phí</mark>" in html
    for query in ("sinh hoat chi bo", "SINH HOẠT chi bộ", "sinh-hoạt, chi bộ!"):
        html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert "/handbook/sinh-hoat" in html, query
    html = client.get("/search?q=dinh+ky&kind=news").get_data(as_text=True)
    assert "Không tìm thấy" in html
    assert '<option value="news" selected>' in html
    html = client.get("/search?q=dang+phi&kind=chapter").get_data(as_text=True)
    assert "1 kết quả" in html and "Tin văn nghệ" not in html
    assert client.get("/search?q=%22%27%28*").status_code == 200  # FTS syntax cannot break it
    fragment = client.get("/search?q=dang", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<mark>" in fragment


def test_atom_feed_lists_province_news_only(app, client, world):
    with app.app_context():
        make_article(world.units["P"], "Tin toàn tỉnh <b>đậm</b>", "Nội dung **chính**.")
        make_article(world.units["D1"], "Tin riêng huyện")
        make_article(world.units["P"], "Chương", kind=Kind.CHAPTER, slug="chuong")
    response = client.get("/news/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Tin toàn tỉnh <b>đậm</b>"]  # escaped text, not markup
    content = root.find(f"{ATOM}entry/{ATOM}content").text
    assert "<strong>chính</strong>" in content


def test_feed_import_is_idempotent_and_sanitised(app, runner, world, tmp_path):
    for name in ("cong-thong-tin.rss", "cong-thong-tin.atom"):
        result = runner.invoke(args=["news", "import-feed", str(FEEDS / name)])
        assert result.exit_code == 0, result.output
    again = runner.invoke(args=["news", "import-feed", str(FEEDS / "cong-thong-tin.rss")])
    assert "Tin mới: 0, cập nhật: 0, không đổi: 2" in again.output
    with app.app_context():
        items = db.session.scalars(select(Article).order_by(Article.published_at)).all()
        assert [a.title for a in items] == [
            "Hội nghị sơ kết công tác xây dựng Đảng",
            "Thông báo lịch tiếp công dân tháng 11",
            "Phát động thi đua chào mừng Đại hội",
        ]
        first = items[0]
        assert "alert" not in first.body_html and "onclick" not in first.body_html
        assert "sơ kết" in first.body_text
        assert first.source_url == "https://congthongtin.example.vn/tin/hoi-nghi-so-ket"
        assert items[1].source_url == ""  # javascript: links are dropped
        assert first.published_at.hour == 1  # 08:00 +07:00 stored as UTC
    # A changed entry is updated in place, not duplicated.
    changed = tmp_path / "feed.rss"
    shutil.copy(FEEDS / "cong-thong-tin.rss", changed)
    changed.write_text(
        changed.read_text("utf-8").replace("Các đại biểu", "Nhiều đại biểu"), "utf-8"
    )
    result = runner.invoke(args=["news", "import-feed", str(changed)])
    assert "Tin mới: 0, cập nhật: 1, không đổi: 1" in result.output
    bad = tmp_path / "bad.xml"
    bad.write_text("không phải xml", "utf-8")
    assert runner.invoke(args=["news", "import-feed", str(bad)]).exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 3
