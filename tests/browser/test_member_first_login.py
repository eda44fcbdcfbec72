"""A member's first login on a 360 px phone: forced password change, large text, accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_no_axe_violations, login_in_browser, open_settings
from tests.conftest import PASSWORD

NEW_PASSWORD = "nhà tôi ở gần chợ Tịnh Hà"


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_first_login_change_password_large_text(live_server, new_page):
    page = new_page(viewport=PHONE)
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ tay đảng viên điện tử")
    assert_no_axe_violations(page, "welcome")

    login_in_browser(page, live_server, "52100003", PASSWORD)
    # Forced to the password form, whatever page was asked for.
    expect(page).to_have_url(re.compile(r"/account/password$"))
    assert_no_axe_violations(page, "change password (forced)")
    page.goto(live_server + "/me")
    expect(page).to_have_url(re.compile(r"/account/password$"))

    # A common password is refused with a Vietnamese reason, and the page stays accessible.
    expect(page.get_by_label("Mật khẩu hiện tại")).to_have_count(0)  # the slip was just typed
    page.get_by_label("Mật khẩu mới", exact=True).fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu mới").fill("matkhau123")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.locator(".field-errors")).to_contain_text("quá phổ biến")
    assert_no_axe_violations(page, "change password with errors")

    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.locator("#flash-area")).to_contain_text("Đã đổi mật khẩu")
    expect(page.locator(".member-card")).to_contain_text("Lê Đức Anh")
    assert_no_axe_violations(page, "home")

    # Large text: a labelled toggle, remembered for the account.
    open_settings(page)
    page.get_by_role("button", name=re.compile("Chữ lớn")).click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    open_settings(page)
    expect(page.get_by_role("button", name=re.compile("Chữ lớn"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_no_axe_violations(page, "home, large text")
    page.goto(live_server + "/me")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    expect(page.locator(".member-card")).to_contain_text("52100003")
    assert_no_axe_violations(page, "my card, large text")

    # 320 px wide at large text: nothing scrolls sideways, controls stay ≥ 44 px tall.
    page.set_viewport_size({"width": 320, "height": 640})
    assert _no_horizontal_scroll(page)
    heights = page.eval_on_selector_all(
        "button, .button, .site-nav a, .site-footer a",
        "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => e.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 44

    # Log out, then log in again with the new password (which also proves it was saved).
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))
    # The login page remembers large text through the cookie.
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    assert_no_axe_violations(page, "login, large text")
    login_in_browser(page, live_server, "52100003", NEW_PASSWORD)
    expect(page.locator(".member-card")).to_contain_text("Lê Đức Anh")
