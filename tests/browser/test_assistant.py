"""Issue 15 in Chromium at 360 px: a member asks without diacritics and gets a sourced answer,
rates it unhelpful; an editor answers from the queue; the member sees the reply; offline, the
saved Q&A answers on the phone. Every page of the assistant passes axe."""

from __future__ import annotations

from playwright.sync_api import expect

from core.extensions import db
from tests.assistant.helpers import add_admission_file_entry, add_outside, seed_entries
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    assert_no_axe_violations,
    login_in_browser,
    wait_for_service_worker,
    wait_until,
)
from tests.conftest import PASSWORD


def _ask(page, text: str) -> None:
    page.get_by_label("Câu hỏi của đồng chí").fill(text)
    page.get_by_role("button", name="Hỏi", exact=True).click()


def test_member_asks_rates_editor_replies_and_offline_answers(app, live_server, new_page):
    seed_entries(app)
    with app.app_context():  # for the phone's reading of terms outside the Party's procedures
        add_admission_file_entry()
        add_outside("khai sinh")
        db.session.commit()
    world = live_server.world
    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, world.logins["member_a"], PASSWORD)
    page.get_by_role("link", name="Trợ lý ảo — hỏi về công tác Đảng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trợ lý ảo")
    page.wait_for_function("() => window.htmx !== undefined")
    assert_no_axe_violations(page, "assistant page")

    _ask(page, "mat the dang vien phai lam gi")
    answer = page.locator(".assistant-answer").first
    expect(answer).to_contain_text("Báo ngay với bí thư chi bộ")
    expect(answer.locator(".assistant-source")).to_contain_text("Nguồn:")
    expect(answer).to_contain_text("Kiểm tra lần cuối: 01/12/2026")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Chưa hữu ích").check()
    page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Chưa nói nộp ảnh ở đâu")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status").filter(has_text="Cảm ơn đồng chí")).to_be_visible()
    assert_no_axe_violations(page, "assistant answered and rated")

    _ask(page, "cach nau pho bo")
    expect(page.locator("#assistant-answers")).to_contain_text("Chưa có câu trả lời")
    expect(page.get_by_role("button", name="Gửi câu hỏi đến Ban Biên tập")).to_be_visible()

    editor = new_page(viewport=LAPTOP)
    login_in_browser(editor, live_server, world.logins["editor"], PASSWORD)
    editor.goto(live_server + "/assistant/queue")
    group = editor.locator(".assistant-group").filter(has_text="mat the dang vien")
    expect(group).to_contain_text("Chưa nói nộp ảnh ở đâu")
    assert_no_axe_violations(editor, "editor queue")
    group.get_by_label("Trả lời", exact=True).fill(
        "Đồng chí nộp ảnh cho bí thư chi bộ tại buổi sinh hoạt."
    )
    group.get_by_role("button", name="Gửi câu trả lời").click()
    expect(editor.get_by_text("Đã trả lời 1 câu hỏi")).to_be_visible()
    for path in ("/assistant/editor/", "/assistant/glossary", "/assistant/report"):
        editor.goto(live_server + path)
        assert_no_axe_violations(editor, path)

    page.goto(live_server + "/")
    expect(page.get_by_role("link", name="Trợ lý ảo — hỏi về công tác Đảng")).to_contain_text(
        "Ban Biên tập đã trả lời: 1"
    )
    page.goto(live_server + "/assistant/")
    expect(page.locator(".assistant-reply")).to_contain_text("nộp ảnh cho bí thư chi bộ")

    # Offline: the service worker serves the saved page, the saved Q&A answers.
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(
        page,
        "async () => !!(await (await caches.open('personal-v1-' + document.body.dataset.user))"
        ".match('/assistant/offline.json'))",
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#net-status")).to_be_visible()
    _ask(page, "ve huu dong dang phi bao nhieu")
    offline = page.locator("#assistant-offline-answer")
    expect(offline).to_contain_text("bản hỏi đáp đã lưu")
    expect(offline).to_contain_text("0,5%")
    assert_no_axe_violations(page, "assistant offline answer")
    # The saved copy answers the admission file, and nothing about a birth certificate.
    _ask(page, "ho so ket nap dang can giay to gi")
    expect(offline).to_contain_text("giấy giới thiệu")
    _ask(page, "lam giay khai sinh can giay to gi")
    expect(offline).to_contain_text("chưa có câu trả lời cho câu hỏi này")
    page.context.set_offline(False)


PARITY_QUESTIONS = [
    "chi bo co 15 dv ma chi co 9 nguoi di hop thi co du de hop hong",
    "họp hổng đủ nửa người thì có được họp hông?",
    "Thẻ đảng có bị hỏng",
    "the dang bi hong co doi duoc hong",
    "Đảng phí đóng nhiêu dzậy nhen, sáu mươi tuổi 90p",
    "Ai ký biên bản, quy định lý lịch",
]


def test_the_phone_reads_a_question_as_the_server_does(app, live_server, new_page):
    """The offline answer rests on the same words: analysis.question_words and the copy in
    static/js/assistant.js agree on particles, numbers and spellings."""
    from blueprints.assistant.analysis import question_words

    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, live_server.world.logins["member_a"], PASSWORD)
    page.goto(live_server + "/assistant/")
    page.wait_for_function("() => window.sotayAssistantAnalysis !== undefined")
    for question in PARITY_QUESTIONS:
        typed = page.evaluate("(q) => window.sotayAssistantAnalysis.questionWords(q)", question)
        assert typed == question_words(question), question
