"""Reading: visibility of drafts and scheduled articles, unit targeting, chapters, bookmarks."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from blueprints.handbook.models import Article, Bookmark, Kind, ReadingPosition, Status
from core.extensions import db
from tests.conftest import csrf_token
from tests.handbook.helpers import make_article

CONTENT = Path(__file__).resolve().parents[2] / "content" / "handbook"


def _html(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_drafts_and_review_and_scheduled_are_invisible_to_members(app, client, world, as_role):
    with app.app_context():
        p = world.units["P"]
        draft = make_article(p, "Bản nháp bí mật", status=Status.DRAFT)
        review = make_article(p, "Bài chờ duyệt bí mật", status=Status.REVIEW)
        later = make_article(p, "Tin hẹn giờ bí mật", published_delta=timedelta(days=1))
        archived = make_article(p, "Tin lưu trữ bí mật", status=Status.ARCHIVED)
        shown = make_article(p, "Tin đã xuất bản")
    as_role("member_a")
    _, html = _html(client, "/news/")
    assert "Tin đã xuất bản" in html
    assert "bí mật" not in html
    for article_id in (draft, review, later, archived):
        assert client.get(f"/news/{article_id}").status_code == 404
    assert client.get(f"/news/{shown}").status_code == 200
    _, html = _html(client, "/search?q=bi+mat")
    assert "bí mật" not in html
    # Members cannot reach the editorial desk at all.
    assert client.get("/editor/").status_code == 403
    assert client.get(f"/editor/{draft}").status_code == 403


def test_targeting_by_unit_holds(app, client, world, as_role):
    with app.app_context():
        d1 = make_article(world.units["D1"], "Thông báo của Huyện ủy Sơn Tịnh")
        d2 = make_article(world.units["D2"], "Thông báo của Huyện ủy Lý Sơn")
        province = make_article(world.units["P"], "Thông báo toàn tỉnh")
    as_role("member_a")  # cell A under G1 under D1
    _, html = _html(client, "/news/")
    assert "Sơn Tịnh" in html and "toàn tỉnh" in html
    assert "Lý Sơn" not in html
    assert client.get(f"/news/{d2}").status_code == 404
    assert client.get(f"/news/{d1}").status_code == 200
    assert client.get(f"/news/{province}").status_code == 200
    _, html = _html(client, "/search?q=thong+bao")
    assert "Sơn Tịnh" in html and "Lý Sơn" not in html


def test_staff_of_a_committee_sees_its_subtree_only(app, client, world, as_role):
    with app.app_context():
        cell_a = make_article(world.units["A"], "Tin riêng chi bộ An Phú")
        cell_c = make_article(world.units["C"], "Tin riêng chi bộ An Vĩnh")
    as_role("staff_d1")
    assert client.get(f"/news/{cell_a}").status_code == 200
    assert client.get(f"/news/{cell_c}").status_code == 404


def test_unread_count_on_home_and_reading_marks_read(app, client, world, as_role):
    with app.app_context():
        first = make_article(world.units["P"], "Tin thứ nhất")
        make_article(world.units["P"], "Tin thứ hai")
        make_article(world.units["D2"], "Tin huyện khác")
    as_role("member_a")
    _, html = _html(client, "/")
    assert "chưa đọc: 2" in html
    client.get(f"/news/{first}")
    _, html = _html(client, "/")
    assert "chưa đọc: 1" in html


def test_handbook_import_is_idempotent_and_chapters_navigate(app, client, runner, world, as_role):
    result = runner.invoke(args=["handbook", "import", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "Chương mới: 15" in result.output
    again = runner.invoke(args=["handbook", "import", str(CONTENT)])
    assert "Chương mới: 0, cập nhật: 0, không đổi: 15" in again.output
    with app.app_context():  # an editor revises one chapter in the app: a re-import keeps it
        from blueprints.auth.models import User
        from blueprints.handbook.services import add_revision, apply_text

        chapter = db.session.scalar(select(Article).where(Article.slug == "dang-phi"))
        apply_text(chapter, title="Đảng phí", summary=chapter.summary, body="## Mới\n\nBản sửa.")
        add_revision(chapter, db.session.get(User, world.users["editor"]))
        db.session.commit()
    kept = runner.invoke(args=["handbook", "import", str(CONTENT)])
    assert "không đổi: 14, giữ bản Ban Biên tập đã sửa: 1" in kept.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 15
    as_role("member_a")
    _, html = _html(client, "/handbook/")
    assert "Sinh hoạt chi bộ định kỳ" in html and "Đảng phí" in html
    status, html = _html(client, "/handbook/dang-phi")
    assert status == 200
    assert "Bản sửa." in html
    assert 'rel="prev" href="/handbook/chuyen-sinh-hoat-dang"' in html
    assert 'rel="next" href="/handbook/the-dang-vien-va-cap-lai-the"' in html
    assert 'class="button read-aloud" hidden' in html
    with app.app_context():
        slugs = db.session.scalars(select(Article.slug)).all()
    for slug in slugs:  # every chapter page stays light for 3G phones
        page = client.get(f"/handbook/{slug}").get_data()
        assert len(gzip.compress(page)) <= 30 * 1024, slug
    assert client.get("/handbook/khong-co").status_code == 404


def test_import_rejects_a_bad_file_without_partial_import(app, runner, world, tmp_path):
    (tmp_path / "01-tot.md").write_text(
        "---\ntitle: Chương tốt\nslug: chuong-tot\norder: 1\n---\n\n## Mục\n\nChữ.\n", "utf-8"
    )
    (tmp_path / "02-hong.md").write_text("Không có phần đầu\n", "utf-8")
    result = runner.invoke(args=["handbook", "import", str(tmp_path)])
    assert result.exit_code != 0
    assert "02-hong.md" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 0


def test_bookmark_and_reading_position(app, client, world, as_role):
    with app.app_context():
        chapter = make_article(
            world.units["P"],
            "Chương thử",
            "## Phần một\n\nA.\n\n## Phần hai\n\nB.",
            kind=Kind.CHAPTER,
            slug="chuong-thu",
            position=1,
        )
    user_id = as_role("member_a")
    token = csrf_token(client, "/handbook/chuong-thu")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    response = client.post(f"/articles/{chapter}/bookmark", headers=headers)
    assert response.status_code == 200 and 'aria-pressed="true"' in response.get_data(as_text=True)
    _, html = _html(client, "/bookmarks")
    assert "Chương thử" in html
    response = client.post(
        f"/articles/{chapter}/position",
        data={"anchor": "muc-phan-hai", "percent": "60"},
        headers=headers,
    )
    assert response.status_code == 204
    client.post(
        f"/articles/{chapter}/position",
        data={"anchor": "<script>", "percent": "900"},
        headers=headers,
    )
    with app.app_context():
        position = db.session.scalar(
            select(ReadingPosition).where(ReadingPosition.user_id == user_id)
        )
        assert (position.anchor, position.percent) == ("", 100)
    client.post(
        f"/articles/{chapter}/position",
        data={"anchor": "muc-phan-hai", "percent": "60"},
        headers=headers,
    )
    _, html = _html(client, "/handbook/")
    assert "Đọc tiếp: Chương thử" in html and "#muc-phan-hai" in html
    _, html = _html(client, "/handbook/chuong-thu")
    assert "Đọc tiếp từ mục: Phần hai" in html
    # Toggle off.
    client.post(f"/articles/{chapter}/bookmark", headers=headers)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Bookmark)) == 0


def test_documents_filter_by_kind_and_year(app, client, world, as_role):
    from datetime import date

    with app.app_context():
        make_article(
            world.units["P"], "Nghị quyết về xây dựng Đảng", kind=Kind.DOCUMENT,
            category="nghi-quyet", doc_number="05-NQ/TU", issued_on=date(2025, 3, 1),
        )  # fmt: skip
        make_article(
            world.units["P"], "Chỉ thị về sinh hoạt chi bộ", kind=Kind.DOCUMENT,
            category="chi-thi", doc_number="12-CT/TU", issued_on=date(2026, 4, 2),
        )  # fmt: skip
    as_role("member_a")
    _, html = _html(client, "/documents/?category=chi-thi")
    assert "12-CT/TU" in html and "05-NQ/TU" not in html
    _, html = _html(client, "/documents/?year=2025")
    assert "05-NQ/TU" in html and "12-CT/TU" not in html
    assert "01/03/2025" in html
    assert client.get("/documents/?year=99999&category=x&page=-3").status_code == 200
