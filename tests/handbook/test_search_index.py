"""The search index is kept by the session (core/searchable.py): every way an article's text
changes reaches search, with no call to remember. These tests fail if the listener goes."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select, text

from blueprints.handbook.models import Article, Kind, Status
from blueprints.handbook.services import apply_text
from core import searchable
from core.extensions import db
from core.models import utcnow
from tests.conftest import csrf_token

FEEDS = Path(__file__).resolve().parent / "feeds"
CONTENT = Path(__file__).resolve().parents[2] / "content" / "handbook"


def _found(client, query: str) -> bool:
    html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert "Không tìm thấy" in html or "kết quả" in html, html[:2000]
    return "Không tìm thấy" not in html


def _post(client, url, **data):
    response = client.post(url, data={"csrf_token": csrf_token(client, "/editor/"), **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def test_the_session_keeps_the_index_of_plain_orm_changes(app, client_for, world):
    assert searchable.listening()
    reader = client_for("member_a")
    with app.app_context():  # no helper, no index call: only the ORM
        article = Article(kind=Kind.NEWS, status=Status.PUBLISHED, unit_id=world.units["P"])
        article.published_at = utcnow()
        apply_text(article, title="Tin thuyền buồm", summary="", body="Nội dung thường.")
        db.session.add(article)
        db.session.commit()
        article_id = article.id
    assert _found(reader, "thuyen buom")
    with app.app_context():
        article = db.session.get(Article, article_id)
        article.doc_number = "12345-TB/TU"  # one searchable attribute alone is enough
        db.session.commit()
    assert _found(reader, "12345")
    with app.app_context():  # a rolled-back change leaves the index as it was
        article = db.session.get(Article, article_id)
        apply_text(article, title="Tin khinh khí cầu", summary="", body="Khác.")
        db.session.flush()
        db.session.rollback()
    assert _found(reader, "thuyen buom") and not _found(reader, "khinh khi cau")
    with app.app_context():
        article = db.session.get(Article, article_id)
        apply_text(article, title="Tin khinh khí cầu", summary="", body="Khác.")
        db.session.commit()
    assert _found(reader, "khinh khi cau") and not _found(reader, "thuyen buom")
    with app.app_context():  # a deleted row leaves no entry behind (SQLite's FTS5 table)
        db.session.delete(db.session.get(Article, article_id))
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            sql = text("SELECT count(*) FROM article_fts WHERE rowid = :id")
            assert db.session.execute(sql, {"id": article_id}).scalar() == 0
    assert not _found(reader, "khinh khi cau")


def test_editor_publishing_and_archiving_reach_search(app, client_for, world):
    editor, admin, reader = client_for("editor"), client_for("admin"), client_for("member_a")
    form = {
        "title": "Chương thuyền buồm",
        "slug": "thuyen-buom",
        "position": "30",
        "unit_id": str(world.units["P"]),
        "summary": "Tóm tắt.",
        "body": "Nội dung về thuyền buồm.",
    }
    response = _post(editor, "/editor/new/chapter", **form)
    article_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert not _found(reader, "thuyen buom")  # a draft is indexed, but nobody reads it yet
    _post(editor, f"/editor/{article_id}/submit")
    _post(admin, f"/editor/{article_id}/approve")
    assert _found(reader, "thuyen buom")
    _post(editor, f"/editor/{article_id}/redraft")
    edited = {**form, "title": "Chương khinh khí cầu", "body": "Nội dung về khinh khí cầu."}
    _post(editor, f"/editor/{article_id}/edit", **edited)
    _post(editor, f"/editor/{article_id}/submit")
    _post(admin, f"/editor/{article_id}/approve")
    assert _found(reader, "khinh khi cau") and not _found(reader, "thuyen buom")
    _post(editor, f"/editor/{article_id}/archive")
    assert not _found(reader, "khinh khi cau")


def test_imports_reach_search(app, runner, client_for, world, tmp_path):
    reader = client_for("member_a")
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    source = sorted(CONTENT.glob("[0-9]*.md"))[0]
    chapter = chapters / source.name
    shutil.copy(source, chapter)
    assert runner.invoke(args=["handbook", "import", str(chapters)]).exit_code == 0
    assert _found(reader, "sinh hoat chi bo") and not _found(reader, "thuyen buom")
    chapter.write_text(chapter.read_text("utf-8") + "\nĐoạn mới về thuyền buồm.\n", "utf-8")
    result = runner.invoke(args=["handbook", "import", str(chapters)])
    assert "cập nhật: 1" in result.output
    assert _found(reader, "thuyen buom")
    feed = tmp_path / "feed.rss"
    shutil.copy(FEEDS / "cong-thong-tin.rss", feed)
    assert runner.invoke(args=["news", "import-feed", str(feed)]).exit_code == 0
    assert _found(reader, "cac dai bieu") and not _found(reader, "khinh khi cau")
    feed.write_text(feed.read_text("utf-8").replace("Các đại biểu", "Khinh khí cầu"), "utf-8")
    assert "cập nhật: 1" in runner.invoke(args=["news", "import-feed", str(feed)]).output
    assert _found(reader, "khinh khi cau")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Article)) == 3
