"""Service worker in Chromium: offline fallback, network notice, and the new-version notice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    assert_no_axe_violations,
    login_in_browser,
    wait_for_service_worker,
    wait_until,
)
from tests.conftest import PASSWORD

CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _controlled_page(live_server, new_page):
    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, "52100002", PASSWORD)
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_function(CONTROLLED)
    return page


def test_offline_page_and_network_notice(live_server, new_page):
    page = _controlled_page(live_server, new_page)
    page.context.set_offline(True)
    expect(page.locator("#net-status")).to_be_visible()
    expect(page.locator("#net-status")).to_contain_text("Đang không có mạng")
    page.goto(live_server + "/me")
    expect(page.get_by_role("heading", level=1)).to_contain_text("không có kết nối mạng")
    # The app shell (styles, fonts) came from the cache: the page is styled and accessible.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans"')
    assert_no_axe_violations(page, "offline page")
    page.context.set_offline(False)
    page.goto(live_server + "/me")
    expect(page.locator(".member-card")).to_contain_text("Trần Thị Ánh")


def test_new_version_shows_reload_notice(live_server, new_page, monkeypatch):
    page = _controlled_page(live_server, new_page)
    before = page.evaluate("() => caches.keys()")
    import core.assets

    monkeypatch.setattr(core.assets, "shell_version", lambda: "test-new-version")
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    banner = page.locator("#update-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Có phiên bản mới")
    assert_no_axe_violations(page, "update notice")
    page.get_by_role("button", name="Tải lại").click()
    page.wait_for_load_state()
    page.wait_for_function(CONTROLLED)
    expect(page.locator("#update-banner")).to_be_hidden()
    # The old shell cache is gone once the new worker activates.
    old_shells = [k for k in before if k.startswith("shell-")]
    assert old_shells, before
    wait_until(
        page, "(old) => caches.keys().then(keys => !keys.some(k => old.includes(k)))", old_shells
    )
    keys = page.evaluate("() => caches.keys()")
    assert [k for k in keys if k.startswith("shell-")] == ["shell-test-new-version"], keys
    # The member's saved pages survive an update of the app.
    assert f"personal-v1-{live_server.world.users['member_a']}" in keys, keys
    assert re.search("/me|/$", page.url)
