"""Issue 12 — files and Markdown: C1 (uploads and file serving), M6 (files of published
documents change only through review), M3 (Markdown that cannot hold a worker)."""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import func, select

from blueprints.handbook import markup
from blueprints.handbook.markup import MarkdownRefusedError, render_markdown
from blueprints.handbook.models import Article, Attachment, Kind, Revision, Status
from blueprints.meetings.models import AgendaItem, Document
from core.extensions import db
from core.uploads import FILE_CSP, is_user_file_view
from tests.conftest import csrf_token
from tests.handbook.helpers import make_article
from tests.security import files
from tests.security.files import ATTACKS, sample_values, seed_files

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
# Pages, fragments and data, not files; and the public assets that are the same for everyone.
PAGE_TYPES = {"text/html", "application/json", "text/plain", "application/atom+xml"}
PUBLIC_ASSETS = {"static", "main.manifest", "main.service_worker"}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload_document(client, app, meeting_id, name, data, content_type=None):
    with app.app_context():
        item_id = db.session.scalar(
            select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
        )
    token = csrf_token(client, f"/meetings/{meeting_id}")
    upload = (io.BytesIO(data), name, content_type) if content_type else (io.BytesIO(data), name)
    return client.post(
        f"/meetings/{meeting_id}/documents",
        data={"csrf_token": token, "item_id": item_id, "file": upload},
        content_type="multipart/form-data",
    )


def assert_file_headers(response, where: str = "") -> None:
    """What every response carrying a user file (or any download) must say."""
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Content-Security-Policy") == FILE_CSP, where
    disposition = headers.get("Content-Disposition", "")
    if disposition.startswith("inline"):
        assert response.mimetype in INLINE_TYPES, where
    else:
        assert disposition.startswith("attachment"), where
    assert "public" not in headers.get("Cache-Control", ""), where


# ------------------------------------------------------------------------------------ C1


@pytest.mark.parametrize(("name", "claimed", "data"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_c1_script_markup_and_unknown_files_are_refused(app, client, schedule, name, claimed, data):
    meeting_id = schedule()
    response = _upload_document(client, app, meeting_id, name, data, claimed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    errors = re.search(r'<ul class="field-errors" id="file-error">(.*?)</ul>', html, re.S)
    assert errors, "the refusal is shown next to the file field"
    assert "Đồng chí hãy" in errors.group(1)  # says what to do next
    assert _count(app, Document) == 0  # nothing half-written


def test_c1_real_documents_are_accepted_and_served_by_their_bytes(app, client, schedule):
    meeting_id = schedule()
    samples = [
        ("Nghị quyết số 01.pdf", files.pdf(), "application/pdf", "inline"),
        ("ảnh hội nghị.png", files.png(), "image/png", "inline"),
        ("Báo cáo.docx", files.docx(), files.DOCX_TYPE, "attachment"),
        (
            "so-lieu.xlsx",
            files.xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment",
        ),
        ("van-ban.odt", files.odt(), "application/vnd.oasis.opendocument.text", "attachment"),
    ]
    for name, data, _type, _disposition in samples:
        # The browser's claim is ignored either way.
        response = _upload_document(client, app, meeting_id, name, data, "text/html")
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        docs = db.session.scalars(select(Document).order_by(Document.id)).all()
        stored = [(d.id, d.filename, d.content_type) for d in docs]
    for (doc_id, filename, content_type), (name, data, expected, disposition) in zip(
        stored, samples, strict=True
    ):
        assert filename == name and content_type == expected
        response = client.get(f"/meetings/{meeting_id}/documents/{doc_id}")
        assert response.status_code == 200 and response.data == data
        assert response.mimetype == expected
        assert_file_headers(response, name)
        header = response.headers["Content-Disposition"]
        assert header.startswith(disposition)
        # RFC 5987: the Vietnamese name in UTF-8, an ASCII fallback for old clients.
        assert "filename*=UTF-8''" in header
        assert re.search(r'filename="[A-Za-z0-9._-]+"', header)
    assert (
        "Ngh%E1%BB%8B%20quy%E1%BA%BFt"
        in client.get(f"/meetings/{meeting_id}/documents/{stored[0][0]}").headers[
            "Content-Disposition"
        ]
    )


def test_c1_a_pdf_named_html_is_saved_with_its_real_extension(app, client, schedule):
    meeting_id = schedule()
    assert _upload_document(client, app, meeting_id, "x.html", files.pdf()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Document.filename)) == "x.html.pdf"


def test_c1_size_limit_comes_from_configuration(app, client, schedule):
    meeting_id = schedule()
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        response = _upload_document(client, app, meeting_id, "lon.pdf", files.pdf() + b" " * 2000)
    finally:
        app.config.pop("UPLOAD_MAX_BYTES")
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert _count(app, Document) == 0


def test_c1_rows_stored_before_the_fix_are_served_by_their_bytes(app, client, world, as_role):
    ids = seed_files(app, world)
    as_role("admin")
    legacy = client.get(f"/meetings/{ids['meeting']}/documents/{ids['legacy']}")
    assert legacy.status_code == 200
    assert legacy.mimetype == "application/octet-stream"  # claimed text/html: never a page
    assert_file_headers(legacy)
    assert legacy.headers["Content-Disposition"].startswith("attachment")
    word = client.get(f"/meetings/{ids['meeting']}/documents/{ids['word']}")
    assert word.mimetype == files.DOCX_TYPE and word.headers["Content-Disposition"].startswith(
        "attachment"
    )


def test_c1_handbook_attachments_use_the_same_service(app, client, world, as_role):
    as_role("editor")
    article_id = make_article_draft(app, world)
    token = csrf_token(client, f"/editor/{article_id}")
    svg = ATTACKS[2]
    response = client.post(
        f"/editor/{article_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(svg[2]), svg[0], svg[1])},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert _count(app, Attachment) == 0


def make_article_draft(app, world) -> int:
    with app.app_context():
        return make_article(
            world.units["P"],
            "Hướng dẫn mới",
            kind=Kind.DOCUMENT,
            status=Status.DRAFT,
            doc_number="15-HD/TU",
        )


def _sample_urls(rule, known) -> list[str]:
    values = {}
    for name in rule.arguments:
        values[name] = known.get(name, 987654)
    urls = [rule.build(values, append_unknown=False)[1]]
    if "fmt" in rule.arguments:
        urls.append(rule.build(values | {"fmt": "docx"}, append_unknown=False)[1])
    if rule.endpoint == "meetings.document":
        urls += [
            rule.build(values | {"doc_id": ids}, append_unknown=False)[1]
            for ids in known["other_docs"]
        ]
    if rule.endpoint == "handbook.attachment":
        urls.append(rule.build(values | {"attachment_id": known["png"]}, append_unknown=False)[1])
    return urls


def test_c1_every_route_that_returns_a_file_sends_the_protective_headers(
    app, client, world, as_role
):
    ids = seed_files(app, world)
    known = sample_values(ids, world, unit="P", other_docs=[ids["legacy"], ids["word"]])
    as_role("admin")
    checked: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ASSETS:
            continue
        for url in _sample_urls(rule, known):
            response = client.get(url)
            is_file = (
                response.mimetype not in PAGE_TYPES or "Content-Disposition" in response.headers
            )
            if response.status_code != 200 or not is_file:
                continue
            assert_file_headers(response, url)
            checked.add(rule.endpoint)
    marked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if is_user_file_view(app.view_functions[rule.endpoint])
    }
    assert marked == {"meetings.document", "handbook.attachment"}
    # Every user-file route and every export was reached with a file and checked.
    exports = {
        "meetings.export_minutes",
        "adoption.unit_xlsx",
        "adoption.unit_csv",
        "adoption.unit_pdf",
        "roster.template",
        "roster.job_rejected_csv",
    }
    assert marked | exports <= checked, sorted(checked)


# ------------------------------------------------------------------------------------ M6


def _published_document_with_file(app, world) -> tuple[int, int]:
    with app.app_context():
        article_id = make_article(
            world.units["P"], "Quy định 01", kind=Kind.DOCUMENT, doc_number="01-QĐ/TU"
        )
        data = files.pdf()
        item = Attachment(
            article_id=article_id,
            filename="quy-dinh.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256="a" * 64,
            data=data,
        )
        db.session.add(item)
        db.session.commit()
        return article_id, item.id


def _upload_attachment(client, article_id, token, name):
    return client.post(
        f"/editor/{article_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(files.pdf()), name)},
        content_type="multipart/form-data",
    )


def test_m6_files_of_a_published_document_change_only_through_review(
    app, client, world, as_role, client_for
):
    article_id, old_file = _published_document_with_file(app, world)
    reader = client_for("member_a")
    old_url = f"/files/{old_file}/quy-dinh.pdf"
    assert reader.get(old_url).status_code == 200
    as_role("editor")
    token = csrf_token(client, f"/editor/{article_id}")
    assert _upload_attachment(client, article_id, token, "thay-the.pdf").status_code == 302
    assert (
        client.post(
            f"/editor/attachments/{old_file}/delete", data={"csrf_token": token}
        ).status_code
        == 302
    )
    with app.app_context():
        new_file = db.session.scalar(select(Attachment.id).where(Attachment.id != old_file))
        pending = dict(db.session.execute(select(Attachment.id, Attachment.pending)).all())
    assert pending == {old_file: "remove", new_file: "add"}
    new_url = f"/files/{new_file}/thay-the.pdf"
    # Readers keep the published file and do not get the unreviewed one.
    assert reader.get(old_url).status_code == 200
    assert reader.get(new_url).status_code == 404
    document = reader.get(f"/documents/{article_id}").get_data(as_text=True)
    assert "quy-dinh.pdf" in document and "thay-the.pdf" not in document
    # Whoever asked for the change cannot approve it.
    page = client.get(f"/editor/{article_id}").get_data(as_text=True)
    assert "Duyệt thay đổi tệp" not in page
    own = client.post(f"/editor/{article_id}/files/approve", data={"csrf_token": token})
    assert own.status_code == 403
    # Another reviewer approves: readers now get the new file and no longer the old one.
    admin = client_for("admin")
    desk = admin.get("/editor/").get_data(as_text=True)
    assert "thay đổi tệp đang chờ duyệt" in desk  # reviewers find the change on their desk
    assert "Quy định 01" in admin.get("/editor/?status=files").get_data(as_text=True)
    admin_token = csrf_token(admin, f"/editor/{article_id}")
    assert "Duyệt thay đổi tệp" in admin.get(f"/editor/{article_id}").get_data(as_text=True)
    approved = admin.post(f"/editor/{article_id}/files/approve", data={"csrf_token": admin_token})
    assert approved.status_code == 302
    assert reader.get(new_url).status_code == 200
    assert reader.get(old_url).status_code == 404
    with app.app_context():
        last = db.session.scalar(
            select(Revision)
            .where(Revision.article_id == article_id)
            .order_by(Revision.number.desc())
        )
        assert [name for _id, name, _sha in last.files] == ["thay-the.pdf"]
        assert db.session.get(Article, article_id).status == Status.PUBLISHED
    assert "thay-the.pdf" in client.get(f"/editor/{article_id}/diff").get_data(as_text=True)


def test_m6_rejected_file_changes_leave_readers_with_the_published_files(
    app, client, world, as_role, client_for
):
    article_id, old_file = _published_document_with_file(app, world)
    as_role("editor")
    token = csrf_token(client, f"/editor/{article_id}")
    _upload_attachment(client, article_id, token, "sai.pdf")
    client.post(f"/editor/attachments/{old_file}/delete", data={"csrf_token": token})
    admin = client_for("admin")
    admin_token = csrf_token(admin, f"/editor/{article_id}")
    admin.post(f"/editor/{article_id}/files/reject", data={"csrf_token": admin_token})
    with app.app_context():
        rows = db.session.execute(select(Attachment.id, Attachment.pending)).all()
    assert rows == [(old_file, None)]
    assert client_for("member_a").get(f"/files/{old_file}/quy-dinh.pdf").status_code == 200


def test_m6_files_cannot_change_while_the_article_waits_for_review(app, client, world, as_role):
    as_role("editor")
    article_id = make_article_draft(app, world)
    token = csrf_token(client, f"/editor/{article_id}")
    client.post(f"/editor/{article_id}/submit", data={"csrf_token": token})
    refused = _upload_attachment(client, article_id, token, "muon.pdf")
    assert refused.status_code == 302
    assert "đợi duyệt" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert _count(app, Attachment) == 0


# ------------------------------------------------------------------------------------ M3

PAYLOAD = "[" * 100000 + "]" * 100000


def test_m3_bracket_bomb_is_refused_in_well_under_a_second(app, client, world, as_role):
    as_role("editor")
    token = csrf_token(client, "/editor/new/chapter")
    started = time.process_time()
    preview = client.post("/editor/preview", data={"csrf_token": token, "body": PAYLOAD})
    assert time.process_time() - started < 0.5
    assert preview.status_code == 200 and "Đồng chí hãy" in preview.get_data(as_text=True)
    started = time.process_time()
    saved = client.post(
        "/editor/new/chapter",
        data={
            "csrf_token": token,
            "title": "Thử",
            "body": "[" * 4000 + "]" * 4000,  # short enough to pass the size limit
            "unit_id": world.units["P"],
            "slug": "thu",
        },
    )
    assert time.process_time() - started < 0.5
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "dấu ngoặc" in html and 'id="body-error"' in html
    assert _count(app, Article) == 0


@pytest.mark.parametrize(
    "source",
    [
        PAYLOAD,
        "[" * 4000 + "]" * 4000,
        "[a](" * 20000,
        "![" * 30000,
        ">" * 90000,
        ("[" * 50 + "]" * 50 + "\n\n") * 900,
        "\\" * 99000,
        "a\n\n" * 33000,
    ],
    ids=["payload", "nested", "parens", "images", "quotes", "chunks", "backslashes", "blocks"],
)
def test_m3_every_markdown_path_renders_or_refuses_quickly(app, source):
    # CPU time, as the deadline counts it: a busy machine must not fail this test.
    started = time.process_time()
    with app.test_request_context():
        try:
            render_markdown(source)
        except MarkdownRefusedError as error:
            assert "Đồng chí hãy" in str(error)
    # The deadline is 2 CPU seconds (before the fix: minutes); typical refusals take ~10 ms.
    assert time.process_time() - started < markup.RENDER_CPU_SECONDS + 1


def test_m3_long_ordinary_text_still_renders(app):
    chapter = "## Mục\n\nĐảng viên [đọc thêm](https://dangcongsan.vn) (xem Điều 1).\n\n" * 1200
    with app.test_request_context():
        html = render_markdown(chapter)
    assert html.count("<h2") == 1200
