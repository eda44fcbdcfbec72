"""The member's page and the editors' queue: ask, rate, send, reply, scope, workflow."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from blueprints.assistant.models import AssistantQuestion, EditorReply, GlossaryTerm, QAEntry
from blueprints.handbook.models import Status
from blueprints.units.models import Unit
from core.extensions import db
from tests.assistant.helpers import add_entry, seed_entries
from tests.conftest import csrf_token, login, make_user

HX = {"HX-Request": "true"}


def _ask(client, text: str) -> str:
    token = csrf_token(client, "/assistant/")
    response = client.post("/assistant/ask", data={"csrf_token": token, "text": text}, headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _question_id(html: str) -> int:
    return int(re.search(r"/assistant/questions/(\d+)/rate", html).group(1))


def test_a_member_gets_a_sourced_answer_and_rates_it(app, client, world, as_role):
    seed_entries(app)
    as_role("member_a")
    html = _ask(client, "mat the dang vien phai lam gi")
    assert "Báo ngay với bí thư chi bộ" in html
    assert "Nguồn:" in html and "Kiểm tra lần cuối: 01/12/2026" in html
    token = csrf_token(client, "/assistant/")
    qid = _question_id(html)
    response = client.post(
        f"/assistant/questions/{qid}/rate",
        data={"csrf_token": token, "helpful": "no", "comment": "Chưa nói chỗ nộp ảnh"},
        headers=HX,
    )
    assert "Cảm ơn đồng chí" in response.get_data(as_text=True)
    with app.app_context():
        question = db.session.get(AssistantQuestion, qid)
        assert question.queue_state == "open" and question.rating.helpful is False


def test_no_answer_offers_to_send_the_question(app, client, world, as_role):
    seed_entries(app)
    as_role("member_a")
    html = _ask(client, "cach nau pho bo")
    assert "Chưa có câu trả lời" in html and "Gửi câu hỏi đến Ban Biên tập" in html
    token = csrf_token(client, "/assistant/")
    data = {"csrf_token": token, "text": "cach nau pho bo", "idempotency_key": "k-123"}
    for _ in range(2):  # the outbox may replay it: counted once
        assert client.post("/assistant/send", data=data).status_code == 302
    with app.app_context():
        sent = db.session.scalars(
            select(AssistantQuestion).where(AssistantQuestion.sent_to_editors.is_(True))
        ).all()
        assert len(sent) == 1


def test_editor_answers_from_the_queue_and_the_member_sees_it(app, client_for, world):
    seed_entries(app)
    member = client_for("member_a")
    _ask(member, "huy hieu 40 nam tuoi dang")
    _ask(member, "huy hieu 40 nam tuoi dang bao gio trao")
    editor = client_for("editor")
    page = editor.get("/assistant/queue").get_data(as_text=True)
    assert "huy hieu 40 nam tuoi dang" in page and "2 câu hỏi tương tự" in page
    ids = re.findall(r'name="question_id" value="(\d+)"', page)[:2]
    token = csrf_token(editor, "/assistant/queue")
    response = editor.post(
        "/assistant/queue/reply",
        data={"csrf_token": token, "question_id": ids, "text": "Trao ở các mốc 30, 40 năm."},
    )
    assert response.status_code == 302
    assert "Trao ở các mốc" not in editor.get("/assistant/queue").get_data(as_text=True)
    home = member.get("/").get_data(as_text=True)
    assert "Ban Biên tập đã trả lời: 2" in home
    page = member.get("/assistant/").get_data(as_text=True)
    assert "Trao ở các mốc 30, 40 năm." in page
    assert "Ban Biên tập đã trả lời: 2" not in member.get("/").get_data(as_text=True)  # seen


def test_a_reply_becomes_a_draft_entry_in_one_step(app, client_for, world):
    member = client_for("member_a")
    _ask(member, "dang vien di nuoc ngoai co phai bao cao")
    editor = client_for("editor")
    page = editor.get("/assistant/queue").get_data(as_text=True)
    ids = re.findall(r'name="question_id" value="(\d+)"', page)[:1]
    token = csrf_token(editor, "/assistant/queue")
    data = {"csrf_token": token, "question_id": ids, "text": "Có, báo chi ủy.", "make_entry": "y"}
    response = editor.post("/assistant/queue/reply", data=data)
    assert "/assistant/editor/" in response.headers["Location"]
    with app.app_context():
        entry = db.session.scalar(select(QAEntry))
        assert entry.status == Status.DRAFT and entry.answer == "Có, báo chi ủy."
        assert db.session.scalar(select(EditorReply.entry_id)) == entry.id


def test_the_queue_is_scoped(app, client_for, world):
    member_c = client_for("member_c")  # cell C, under D2
    _ask(member_c, "cau hoi rieng cua chi bo an vinh")
    member_a = client_for("member_a")
    assert member_a.get("/assistant/queue").status_code == 403
    assert member_a.get("/assistant/report").status_code == 403
    with app.app_context():  # an editor on district D1, which cell C is not under
        make_user(
            username="bientap.d1", role="editor", unit=db.session.get(Unit, world.units["D1"])
        )
        db.session.commit()
    district_editor = app.test_client()
    login(district_editor, "bientap.d1")
    assert "chi bo an vinh" not in district_editor.get("/assistant/queue").get_data(as_text=True)
    editor = client_for("editor")  # the province's editor sees every question
    assert "chi bo an vinh" in editor.get("/assistant/queue").get_data(as_text=True)
    qid = re.search(
        r'name="question_id" value="(\d+)"', editor.get("/assistant/queue").get_data(as_text=True)
    ).group(1)
    token = csrf_token(district_editor, "/assistant/queue")
    data = {"csrf_token": token, "question_id": qid, "text": "Không được."}
    district_editor.post("/assistant/queue/reply", data=data)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EditorReply)) == 0


def test_members_see_only_their_own_questions(app, client_for, world):
    member_a = client_for("member_a")
    html = _ask(member_a, "ket nap dang cho con trai")
    member_b = client_for("member_b")
    assert "ket nap dang cho con trai" not in member_b.get("/assistant/").get_data(as_text=True)
    with app.app_context():
        qid = db.session.scalar(select(AssistantQuestion.id))
    token = csrf_token(member_b, "/assistant/")
    response = member_b.post(
        f"/assistant/questions/{qid}/rate", data={"csrf_token": token, "helpful": "yes"}
    )
    assert response.status_code == 404
    assert html


def test_glossary_is_edited_in_the_app(app, client_for, world):
    seed_entries(app)
    member = client_for("member_a")
    assert "Chưa có câu trả lời" in _ask(member, "tgsh bao lau")
    editor = client_for("editor")
    token = csrf_token(editor, "/assistant/glossary")
    data = {"csrf_token": token, "term": "TGSH", "expansion": "thời gian sinh hoạt chi bộ"}
    assert editor.post("/assistant/glossary", data=data).status_code == 302
    assert "Ít nhất 90 phút" in _ask(member, "tgsh bao lau")
    assert client_for("member_b").get("/assistant/glossary").status_code == 403
    with app.app_context():
        term_id = db.session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.folded == "tgsh"))
    editor.post(f"/assistant/glossary/{term_id}/delete", data={"csrf_token": token})
    assert "Chưa có câu trả lời" in _ask(member, "tgsh bao lau")


def test_an_editor_marks_a_term_outside_the_scope(app, client_for, world):
    """'Lương hưu' marked outside: a question only about it is answered by the entry written
    about it and by nothing else; a synonym still needs its meaning; the phone gets the term."""
    seed_entries(app)
    editor = client_for("editor")
    token = csrf_token(editor, "/assistant/glossary")
    page = editor.post(
        "/assistant/glossary",
        data={"csrf_token": token, "term": "TGSH", "kind": "synonym", "expansion": ""},
    ).get_data(as_text=True)
    assert "Hãy nhập nghĩa đầy đủ." in page
    data = {"csrf_token": token, "term": "Sổ đỏ", "kind": "outside", "expansion": "bỏ qua"}
    assert editor.post("/assistant/glossary", data=data).status_code == 302
    with app.app_context():
        term = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.folded == "so do"))
        assert term.outside and term.expansion == ""
    assert "Việc ngoài phạm vi" in editor.get("/assistant/glossary").get_data(as_text=True)
    export = client_for("member_a").get("/assistant/offline.json").get_json()
    assert export["outside"] == ["so do"] and "dang vien" in export["partyWords"]
    assert all(g[0] != "so do" for g in export["glossary"])  # no synonym of nothing


def test_entry_workflow_needs_a_second_editor(app, client_for, world):
    editor = client_for("editor")
    token = csrf_token(editor, "/assistant/editor/new")
    data = {
        "csrf_token": token,
        "slug": "huy-hieu-moc",
        "question": "Khi nào được tặng Huy hiệu Đảng?",
        "alternatives": "huy hieu may nam\nmoc huy hieu dang",
        "answer": "Ở các mốc 30, 40, 45, 50 năm tuổi đảng.",
        "sources": "handbook:dang-phi",
        "topic": "huy-hieu",
        "checked_on": "2026-12-01",
    }
    response = editor.post("/assistant/editor/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    entry_url = response.headers["Location"]
    member = client_for("member_a")
    assert "Chưa có câu trả lời" in _ask(member, "huy hieu dang may nam")
    editor.post(entry_url + "/step/submit", data={"csrf_token": token})
    editor.post(entry_url + "/step/approve", data={"csrf_token": token})  # own: refused
    with app.app_context():
        assert db.session.scalar(select(QAEntry.status)) == Status.REVIEW
    admin = client_for("admin")
    admin.post(entry_url + "/step/approve", data={"csrf_token": csrf_token(admin, "/")})
    assert "Ở các mốc 30, 40, 45, 50" in _ask(member, "huy hieu dang may nam")


def test_offline_export_holds_only_published_entries(app, client_for, world):
    seed_entries(app)
    with app.app_context():
        add_entry("nhap", "Câu hỏi nháp", [], "Nháp.", "ho-so", status=Status.DRAFT)
        db.session.commit()
    data = client_for("member_a").get("/assistant/offline.json").get_json()
    assert {e["id"] for e in data["entries"]} == {
        "dang-phi-nghi-huu",
        "mat-the-dang-vien",
        "sinh-hoat-chi-bo-bao-lau",
    }
    assert ["shcb", "sinh hoat chi bo"] in data["glossary"]
