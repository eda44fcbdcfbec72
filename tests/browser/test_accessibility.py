"""axe-core on every main page, logged out and for each role, in normal and large-text mode.

Feature pages are added to PAGES as features land; a page listed here must also stay usable at
320 px in large text (no sideways scrolling).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, assert_no_axe_violations, login_in_browser
from tests.conftest import PASSWORD

# role -> paths; "{A}" etc. are unit ids and "{mem_a}" member ids of the test province.
PAGES = {
    None: ["/", "/login", "/install", "/offline", "/khong-co-trang-nay"],
    "member_a": ["/", "/me", "/units/{A}", "/account/password", "/install"],
    "secretary_a": ["/units/{A}", "/members/{mem_a}"],
    "staff_d1": ["/", "/me", "/units/{D1}", "/units/{G1}"],
    "admin": ["/admin/roles", "/admin/audit"],
}


def _large_text(page, base):
    page.goto(base + "/")
    button = page.get_by_role("button", name="Chữ lớn: Tắt")
    if button.count():
        button.click()
        page.wait_for_load_state()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "visitor")
def test_pages_have_no_axe_violations(live_server, new_page, role, large):
    world = live_server.world
    page = new_page(viewport=PHONE)
    if role:
        login_in_browser(page, live_server, world.logins[role], PASSWORD)
    if large:
        _large_text(page, live_server)
    for path in PAGES[role]:
        url = live_server + path.format(**world.units, **world.members)
        page.goto(url)
        page.wait_for_load_state()
        assert_no_axe_violations(page, f"{path} as {role or 'visitor'}{' large' if large else ''}")
        if large:
            page.set_viewport_size({"width": 320, "height": 640})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at 320 px in large text"
            page.set_viewport_size(PHONE)


def test_no_violations_after_htmx_swap(live_server, new_page):
    world = live_server.world
    page = new_page(viewport={"width": 1280, "height": 800})
    login_in_browser(page, live_server, world.logins["admin"], PASSWORD)
    page.goto(live_server + "/admin/audit")
    page.wait_for_function("() => window.htmx !== undefined")
    with page.expect_response(lambda r: "/admin/audit?" in r.url):
        page.get_by_label("Loại thao tác").select_option("auth.login")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert "action=auth.login" in page.url  # the filtered view is in the history
    assert_no_axe_violations(page, "audit after htmx swap")
