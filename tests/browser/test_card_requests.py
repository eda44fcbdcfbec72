"""A member asks for a new Party card on the phone; committee staff approve it on a laptop."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, assert_no_axe_violations, login_in_browser
from tests.conftest import PASSWORD


def test_member_request_staff_approve_member_sees_new_number(live_server, new_page):
    phone = new_page(viewport=PHONE)
    login_in_browser(phone, live_server, "52100002", PASSWORD)
    phone.get_by_role("link", name="Đề nghị cấp lại thẻ đảng viên").click()
    phone.get_by_role("link", name="Gửi đề nghị mới").click()
    phone.get_by_label("Mất thẻ").check()
    phone.get_by_label("Trình bày thêm (không bắt buộc)").fill("Mất thẻ khi đi chợ.")
    phone.get_by_role("button", name="Gửi đề nghị").click()
    expect(phone.locator("#flash-area")).to_contain_text("Đã gửi đề nghị")
    expect(phone.locator(".timeline")).to_contain_text("Mất thẻ khi đi chợ.")
    assert_no_axe_violations(phone, "card request (member)")

    desk = new_page(viewport=LAPTOP)
    login_in_browser(desk, live_server, "tochuc.d1", PASSWORD)
    desk.get_by_role("link", name="Đề nghị cấp thẻ cần xử lý").click()
    assert_no_axe_violations(desk, "queue")
    desk.get_by_role("link", name="Trần Thị Ánh").click()
    assert_no_axe_violations(desk, "card request (staff)")
    desk.get_by_label("Số thẻ mới").fill("52999010")
    desk.get_by_role("button", name="Duyệt", exact=True).click()
    expect(desk.locator("#flash-area")).to_contain_text("52999010")

    phone.reload()
    expect(phone.locator("dl")).to_contain_text("Đã duyệt")
    expect(phone.locator("dl")).to_contain_text("52999010")
    phone.goto(live_server + "/me")
    expect(phone.locator(".member-card")).to_contain_text("52999010")
    expect(phone).not_to_have_url(re.compile("/login"))
