"""Editor drafts a chapter, a reviewer publishes it, a member finds it without diacritics,
reads it in large text, bookmarks it, and sees "read aloud" only with a Vietnamese voice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    assert_no_axe_violations,
    login_in_browser,
    open_settings,
)
from tests.conftest import PASSWORD

BODY = """## Chuẩn bị buổi sinh hoạt

Chi ủy họp trước để thống nhất nội dung sinh hoạt chi bộ ở thôn.

## Thu đảng phí

Tổ trưởng thu **đảng phí** ngay sau buổi họp và ghi vào sổ."""

# A stand-in for a phone that has a Vietnamese text-to-speech voice installed.
VI_VOICE = """
(() => {
  const voice = {lang: "vi-VN", name: "Tiếng Việt", default: true, voiceURI: "vi"};
  const synth = window.speechSynthesis;
  if (synth) { synth.getVoices = () => [voice]; }
})();
"""
NO_VOICE = "(() => { if (window.speechSynthesis) window.speechSynthesis.getVoices = () => []; })();"


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))


def test_editor_reviewer_member_flow(live_server, new_page):
    # The editor writes a draft with a live preview, then sends it for review.
    page = new_page(viewport=LAPTOP)
    login_in_browser(page, live_server, "bientap", PASSWORD)
    page.get_by_role("link", name="Biên tập").click()
    assert_no_axe_violations(page, "editor desk")
    page.get_by_role("link", name=re.compile("Viết chương sổ tay")).click()
    page.get_by_label("Tiêu đề").fill("Sinh hoạt chi bộ ở thôn")
    page.get_by_label(re.compile("Đường dẫn")).fill("sinh-hoat-chi-bo-o-thon")
    page.get_by_label("Thứ tự chương").fill("3")
    page.get_by_label("Tóm tắt").fill("Cách chi bộ thôn chuẩn bị và thu đảng phí.")
    page.get_by_label("Nội dung (Markdown)").fill(BODY)
    expect(page.locator("#preview h2").first).to_have_text("Chuẩn bị buổi sinh hoạt")
    assert_no_axe_violations(page, "editor form")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#flash-area")).to_contain_text("Đã lưu bản nháp")
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.locator("#flash-area")).to_contain_text("Đã gửi bài đi duyệt")
    expect(page.get_by_text("Bài đang chờ một biên tập viên khác duyệt.")).to_be_visible()
    assert_no_axe_violations(page, "article in review")
    _logout(page)

    # Another reviewer publishes it.
    login_in_browser(page, live_server, "quantri", PASSWORD)
    page.goto(live_server + "/editor/?status=review")
    page.get_by_role("link", name="Sinh hoạt chi bộ ở thôn").click()
    page.get_by_role("button", name="Duyệt và xuất bản").click()
    expect(page.locator("#flash-area")).to_contain_text("Đã duyệt và xuất bản")
    assert_no_axe_violations(page, "published article with its versions")
    _logout(page)

    # A member on a phone, in large text, finds it without typing diacritics.
    phone = new_page(viewport=PHONE)
    phone.add_init_script(NO_VOICE)
    login_in_browser(phone, live_server, "52100002", PASSWORD)
    open_settings(phone)
    phone.get_by_role("button", name=re.compile("Chữ lớn")).click()
    expect(phone.locator("html")).to_have_class(re.compile("large-text"))
    phone.get_by_role("link", name="Sổ tay", exact=True).click()
    phone.get_by_label("Tìm trong sổ tay, văn bản, tin tức").fill("sinh hoat chi bo")
    phone.get_by_role("button", name="Tìm", exact=True).click()
    result = phone.locator(".search-results li").first
    expect(result).to_contain_text("Sinh hoạt chi bộ ở thôn")
    expect(result.locator("mark").first).to_have_text("Sinh")
    assert_no_axe_violations(phone, "search results, large text")
    phone.get_by_label("Tìm trong sổ tay, văn bản, tin tức").fill("dang phi")
    phone.get_by_role("button", name="Tìm", exact=True).click()
    expect(phone.locator(".search-results mark").first).to_have_text(
        re.compile("đảng", re.IGNORECASE)
    )
    phone.get_by_role("link", name="Sinh hoạt chi bộ ở thôn").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sinh hoạt chi bộ ở thôn")
    expect(phone.locator("html")).to_have_class(re.compile("large-text"))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # No Vietnamese voice on this phone: the button says so and how to add one.
    phone.get_by_role("button", name="Đọc to").click()
    expect(phone.locator("#voice-help")).to_contain_text("chưa có giọng đọc tiếng Việt")
    phone.get_by_role("button", name=re.compile("Đánh dấu trang này")).click()
    expect(phone.get_by_role("button", name=re.compile("Đã đánh dấu"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_no_axe_violations(phone, "chapter, large text")

    # Reading position: scrolling to the end is saved on the server (handbook.js).
    def saved_end(response):
        data = response.request.post_data or ""
        return response.url.endswith("/position") and "muc-thu-dang-phi" in data

    with phone.expect_response(saved_end):
        phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    phone.goto(live_server + "/handbook/")
    expect(
        phone.get_by_role("link", name=re.compile("Đọc tiếp: Sinh hoạt chi bộ ở thôn"))
    ).to_have_attribute("href", re.compile("#muc-thu-dang-phi$"))
    phone.goto(live_server + "/bookmarks")
    expect(phone.get_by_role("link", name="Sinh hoạt chi bộ ở thôn")).to_be_visible()
    for path in ("/handbook/", "/documents/", "/news/"):
        phone.goto(live_server + path)
        assert_no_axe_violations(phone, path)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The same member on a phone that has a Vietnamese voice: the button shows.
    voiced = new_page(viewport=PHONE)
    voiced.add_init_script(VI_VOICE)
    login_in_browser(voiced, live_server, "52100002", PASSWORD)
    voiced.goto(live_server + "/handbook/sinh-hoat-chi-bo-o-thon")
    expect(voiced.get_by_role("button", name="Đọc to")).to_be_visible()
    assert_no_axe_violations(voiced, "chapter with read aloud")
