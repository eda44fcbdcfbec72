"""Editorial workflow: draft → review → published → archived, revisions, uploads, sanitising."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from pypdf import PdfWriter
from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.handbook.markup import plain_text, render_markdown
from blueprints.handbook.models import Article, Attachment, Revision, Status
from core.extensions import db
from tests.conftest import csrf_token, login, make_user


def _new_chapter(client, world, **extra):
    token = csrf_token(client, "/editor/new/chapter")
    data = {
        "csrf_token": token,
        "title": "Chương mới về đảng phí",
        "slug": "chuong-moi",
        "position": "20",
        "unit_id": str(world.units["P"]),
        "summary": "Tóm tắt.",
        "body": "## Mức đóng\n\nĐảng viên đóng đảng phí hằng tháng.",
        **extra,
    }
    response = client.post("/editor/new/chapter", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/editor/"), **data})


def test_full_workflow_with_four_eyes_and_revisions(app, client, world, as_role):
    as_role("editor")
    article_id = _new_chapter(client, world)
    # Draft: members cannot see it, not even by its URL.
    page = client.get(f"/editor/{article_id}").get_data(as_text=True)
    assert "Nháp" in page
    desk = client.get("/editor/?status=draft&kind=chapter").get_data(as_text=True)
    assert "Chương mới về đảng phí" in desk
    assert "Chương mới" not in client.get("/editor/?status=published").get_data(as_text=True)
    # Second save: a new revision, comparable with the first.
    token = csrf_token(client, f"/editor/{article_id}/edit")
    client.post(
        f"/editor/{article_id}/edit",
        data={
            "csrf_token": token,
            "title": "Chương mới về đảng phí",
            "slug": "chuong-moi",
            "position": "20",
            "unit_id": str(world.units["P"]),
            "summary": "Tóm tắt.",
            "body": "## Mức đóng\n\nĐảng viên đóng đảng phí hằng tháng, tại chi bộ.",
            "note": "Bổ sung nơi đóng",
        },
    )
    diff = client.get(f"/editor/{article_id}/diff?a=1&b=2").get_data(as_text=True)
    assert "Bỏ:" in diff and "Thêm:" in diff and "tại chi bộ" in diff
    # Submit; the submitter cannot approve their own work.
    _post(client, f"/editor/{article_id}/submit")
    assert _post(client, f"/editor/{article_id}/approve").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # The admin (another reviewer) sends it back with a comment, then approves the resubmission.
    as_role("admin")
    assert _post(client, f"/editor/{article_id}/return", comment="").status_code == 302
    with app.app_context():
        assert db.session.get(Article, article_id).status == Status.REVIEW  # comment required
    _post(client, f"/editor/{article_id}/return", comment="Ghi rõ hạn đóng.")
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert (article.status, article.review_comment) == (Status.DRAFT, "Ghi rõ hạn đóng.")
    _post(client, f"/editor/{article_id}/submit")
    _post(client, f"/editor/{article_id}/approve")
    stale = _post(client, f"/editor/{article_id}/approve")  # a second click, or a stale tab
    assert stale.status_code == 302
    assert "trạng thái khác" in client.get(stale.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.status == Status.PUBLISHED and article.published_at is not None
        revisions = db.session.scalars(select(Revision).where(Revision.article_id == article_id))
        assert [r.number for r in revisions] == [1, 2]
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"content.create", "content.submit", "content.return", "content.publish"} <= actions
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.logins["member_a"])
    assert client.get("/handbook/chuong-moi").status_code == 200
    html = client.get("/search?q=dang+phi").get_data(as_text=True)
    assert "<mark>đảng</mark> <mark>phí</mark>" in html.lower()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # Archive: gone for readers.
    as_role("editor")
    _post(client, f"/editor/{article_id}/archive")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.logins["member_a"])
    assert client.get("/handbook/chuong-moi").status_code == 404


def test_scheduled_publishing(app, client, world, as_role):
    as_role("editor")
    later = datetime.now() + timedelta(days=2)
    article_id = _new_chapter(client, world, publish_at=later.strftime("%Y-%m-%dT%H:%M"))
    _post(client, f"/editor/{article_id}/submit")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    as_role("admin")
    _post(client, f"/editor/{article_id}/approve")
    assert "sẽ xuất bản lúc" in client.get(f"/editor/{article_id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.logins["member_a"])
    assert client.get("/handbook/chuong-moi").status_code == 404
    with app.app_context():  # the time comes: no job needed, visibility is a query
        article = db.session.get(Article, article_id)
        article.published_at = datetime.utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/handbook/chuong-moi").status_code == 200


def test_editor_of_a_committee_cannot_touch_other_subtrees(app, client, world):
    from blueprints.units.models import Unit

    with app.app_context():
        make_user(
            username="bientap.d2", role="editor", unit=db.session.get(Unit, world.units["D2"])
        )
        db.session.commit()
    login(client, "bientap.d2")
    form = client.get("/editor/new/news").get_data(as_text=True)
    assert "Huyện ủy Lý Sơn" in form and "Tỉnh ủy Thử nghiệm" not in form
    token = csrf_token(client, "/editor/new/news")
    response = client.post(
        "/editor/new/news",
        data={"csrf_token": token, "title": "Tin", "body": "Nội dung", "category": "tin-tuc",
              "unit_id": str(world.units["D1"])},
    )  # fmt: skip
    assert response.status_code == 200  # not a valid choice for this editor
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 0


def test_sanitising_removes_scripts():
    html = render_markdown(
        "Chào <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[bấm](javascript:alert(1)) ![a](javascript:alert(2))\n\n<iframe src=//x></iframe>"
    )
    assert "<script" not in html and "<img src=x" not in html and "<iframe" not in html
    assert (
        "javascript:" not in html
        and "onerror=alert" not in html.replace("&lt;", "<").split("<p>")[0]
    )
    assert "&lt;script&gt;" in html  # shown as text, never run
    ok = render_markdown("## Tiêu đề\n\n**đậm** và [liên kết](https://example.org)")
    assert '<h2 id="muc-tieu-de">' in ok and "<strong>đậm</strong>" in ok
    assert 'href="https://example.org"' in ok and 'rel="noopener noreferrer"' in ok


def test_preview_is_sanitised(client, world, as_role):
    as_role("editor")
    token = csrf_token(client, "/editor/new/news")
    response = client.post(
        "/editor/preview",
        data={"body": "**Xin chào** <script>alert(1)</script>"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    html = response.get_data(as_text=True)
    assert "<strong>Xin chào</strong>" in html and "<script>" not in html


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_uploads_are_checked_by_content_and_size(app, client, world, as_role):
    as_role("editor")
    article_id = _new_chapter(client, world)
    url = f"/editor/{article_id}/attachments"

    def upload(name, data):
        token = csrf_token(client, f"/editor/{article_id}")
        return client.post(
            url,
            data={"csrf_token": token, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(as_text=True)

    assert "không phải loại được nhận" in upload("giaymoi.pdf", b"<html><script>alert(1)</script>")
    big = b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024)
    assert "Tệp quá lớn" in upload("anh.png", big)
    assert "Đã tải tệp lên" in upload("Nghị quyết.pdf", _pdf_bytes())
    with app.app_context():
        item = db.session.scalar(select(Attachment))
        assert item.content_type == "application/pdf" and item.filename == "Nghị quyết.pdf"
        file_url = f"/files/{item.id}/x.pdf"
    response = client.get(file_url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.logins["member_a"])
    assert client.get(file_url).status_code == 404  # the article is still a draft


def test_plain_text_keeps_punctuation_next_to_emphasised_words():
    html = render_markdown(
        "Mọi **đảng viên**, kể cả *dự bị*; xem [Điều lệ](https://dangcongsan.vn)."
    )
    text = plain_text(html)
    assert text == "Mọi đảng viên, kể cả dự bị; xem Điều lệ."
    assert plain_text("<p>Một</p><p>Hai<br>Ba</p>").split() == ["Một", "Hai", "Ba"]
