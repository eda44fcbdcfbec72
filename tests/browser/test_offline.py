"""Issue 6 in Chromium: installable, the handbook read offline, an opinion written offline sent
exactly once, and nothing of one account shown to the next person on the same phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from blueprints.meetings.models import Opinion, Recommendation
from core.extensions import db
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    assert_no_axe_violations,
    login_in_browser,
    wait_for_service_worker,
    wait_until,
)
from tests.browser.content import CHAPTERS, add_meeting, add_reading
from tests.conftest import PASSWORD

CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _controlled(page, base, login):
    login_in_browser(page, base, login, PASSWORD)
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_function(CONTROLLED)


def _count(app, model, meeting_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.meeting_id == meeting_id)
        )


def test_installable_with_the_vietnamese_manifest(live_server, browser, tmp_path):
    # A normal profile: Chromium never offers to install from an incognito-like context.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        locale="vi-VN",
    )
    try:
        _installable(context.pages[0] if context.pages else context.new_page(), live_server)
    finally:
        context.close()


def _installable(page, live_server):
    page.goto(live_server + "/")
    wait_for_service_worker(page)
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.json")
    parsed = manifest.get("manifest") or {}
    assert '"name": "Sổ tay đảng viên điện tử"' in manifest["data"]
    assert '"lang": "vi"' in manifest["data"]
    if parsed:  # newer Chromium also returns the parsed manifest
        assert parsed["display"].lower().endswith("standalone")


def test_member_saves_the_handbook_and_reads_it_offline(app, live_server, new_page):
    add_reading(app, live_server.world)
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, live_server.world.logins["member_a"])
    page.goto(live_server + "/handbook/")
    page.get_by_role("link", name="Điều lệ Đảng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điều lệ Đảng")
    page.goto(live_server + "/handbook/")
    page.get_by_role("button", name="Lưu để đọc khi không có mạng").click()
    message = page.locator("[data-save-message]")
    expect(message).to_contain_text("Đã lưu 3/3 chương.")
    # After the chapters the list also saves the assistant's page and its Q&A: wait for all.
    page.wait_for_function(
        "() => { const p = document.querySelector('.save-offline progress');"
        " return p && p.max > 0 && p.value === p.max; }"
    )
    assert_no_axe_violations(page, "handbook saved")

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#net-status")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sổ tay đảng viên")
    expect(message).to_have_text("Đã lưu 3/3 chương.")  # told from the cache, offline
    for slug, title, _body in reversed(CHAPTERS):
        page.goto(f"{live_server}/handbook/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        # Styled from the cache, not a bare page.
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans"')
    page.get_by_role("link", name=re.compile("Chương sau")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CHAPTERS[1][1])
    # A page never opened nor saved: the offline page, in words.
    page.goto(live_server + "/card-requests")
    expect(page.get_by_role("heading", level=1)).to_contain_text("không có kết nối mạng")


def test_opinion_written_offline_is_sent_once(app, live_server, new_page):
    ids = add_meeting(app, live_server.world)
    meeting = ids["meeting"]
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, live_server.world.logins["member_a"])
    page.goto(f"{live_server}/meetings/{meeting}/live")
    page.wait_for_function("() => window.htmx !== undefined")
    page.context.set_offline(True)

    # Check-in by code needs the network and says so.
    page.get_by_label("Nhập mã điểm danh đang hiện trên màn hình").fill("123456")
    page.get_by_role("button", name="Điểm danh", exact=True).click()
    expect(page.locator("#needs-network")).to_contain_text("Điểm danh cần có mạng")

    page.get_by_label("Ý kiến của đồng chí về nội dung đang bàn").fill(
        "Đề nghị chi bộ sửa đường vào thôn."
    )
    page.get_by_role("button", name="Gửi ý kiến").click()
    note = page.locator("#r-opinion_form .outbox-note")
    expect(note).to_contain_text("Đang chờ gửi")
    expect(note).to_contain_text("Đề nghị chi bộ sửa đường vào thôn.")
    expect(page.locator("#outbox-status")).to_contain_text("1")
    assert_no_axe_violations(page, "opinion waiting to be sent")
    # Reloading the page offline (saved copy) keeps it waiting.
    page.reload()
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#r-opinion_form .outbox-note")).to_contain_text("Đang chờ gửi")
    assert _count(app, Opinion, meeting) == 0

    page.context.set_offline(False)
    expect(page.locator("#outbox-sent")).to_be_visible()
    expect(page.locator("#outbox-status")).to_be_hidden()
    assert _count(app, Opinion, meeting) == 1
    # A replay of the same queued request (lost answer) is not counted twice.
    page.evaluate(
        """(item) => localStorage.setItem('sotay-outbox', JSON.stringify([item]))""",
        {
            "url": f"{live_server}/meetings/{meeting}/opinions",
            "fields": {"idempotency_key": "replayed-key-0001", "text": "Một lần thôi."},
            "user": str(live_server.world.users["member_a"]),
            "label": "Một lần thôi.",
        },
    )
    page.reload()
    expect(page.locator("#outbox-sent")).to_be_visible()
    assert _count(app, Opinion, meeting) == 2
    page.evaluate(
        """(item) => localStorage.setItem('sotay-outbox', JSON.stringify([item]))""",
        {
            "url": f"{live_server}/meetings/{meeting}/opinions",
            "fields": {"idempotency_key": "replayed-key-0001", "text": "Một lần thôi."},
            "user": str(live_server.world.users["member_a"]),
            "label": "Một lần thôi.",
        },
    )
    page.reload()
    expect(page.locator("#outbox-sent")).to_be_visible()
    assert _count(app, Opinion, meeting) == 2


def test_recommendation_queued_offline_and_meeting_documents_saved(app, live_server, new_page):
    ids = add_meeting(app, live_server.world, ongoing=False)
    meeting = ids["meeting"]
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, live_server.world.logins["member_a"])
    # Opening home saves the announced meeting's page and its documents.
    page.goto(live_server + "/")
    doc_url = f"/meetings/{meeting}/documents/{ids['doc']}"
    user = live_server.world.users["member_a"]
    wait_until(
        page,
        "([name, urls]) => caches.open(name)"
        ".then(c => Promise.all(urls.map(u => c.match(u)))).then(hits => hits.every(Boolean))",
        [f"personal-v1-{user}", [doc_url, f"/meetings/{meeting}"]],
    )
    # The page says it is done (and nothing is still being written) before the network goes.
    stamp = f"sotay-meetings-checked-{user}"
    page.wait_for_function("(key) => localStorage.getItem(key)", arg=stamp)
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.goto(f"{live_server}/meetings/{meeting}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sinh hoạt chi bộ tháng 12/2026")
    page.wait_for_function(CONTROLLED)  # the saved copy came from the service worker
    pdf = page.evaluate(
        "(url) => fetch(url, {signal: AbortSignal.timeout(10000)}).then(r => r.text())",
        f"{live_server}{doc_url}",
    )
    assert pdf.startswith("%PDF")
    page.get_by_label("Kiến nghị của đồng chí").fill("Đề nghị họp sớm hơn 30 phút.")
    page.get_by_role("button", name="Gửi kiến nghị").click()
    expect(page.locator("form[data-offline-queue] .outbox-note")).to_contain_text("Đang chờ gửi")
    page.context.set_offline(False)
    expect(page.locator("#outbox-sent")).to_be_visible()
    assert _count(app, Recommendation, meeting) == 1


def test_next_person_on_the_phone_sees_nothing_of_the_first(app, live_server, new_page):
    add_reading(app, live_server.world)
    world = live_server.world
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, world.logins["member_a"])
    page.goto(live_server + "/handbook/")
    page.get_by_role("button", name="Lưu để đọc khi không có mạng").click()
    expect(page.locator("[data-save-message]")).to_contain_text("Đã lưu 3/3 chương.")
    page.goto(live_server + "/me")
    expect(page.locator("main")).to_contain_text("Trần Thị Ánh")
    first = f"personal-v1-{world.users['member_a']}"
    assert first in page.evaluate("() => caches.keys()")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))
    wait_until(page, "(name) => caches.keys().then(keys => !keys.includes(name))", first)
    login_in_browser(page, live_server, world.logins["member_b"], PASSWORD)
    expect(page.locator("main")).to_contain_text("Phạm Thị Đào")
    assert not [k for k in page.evaluate("() => caches.keys()") if k == first]
    # Back through the history: no page of the first account.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        assert "Trần Thị Ánh" not in page.content()
    # Offline: the first account's saved pages are gone too.
    page.context.set_offline(True)
    for path in ("/me", "/handbook/", "/handbook/dieu-le-dang", "/"):
        page.goto(live_server + path)
        html = page.content()
        assert "Trần Thị Ánh" not in html, path
        assert f'data-user="{world.users["member_a"]}"' not in html, path


def test_card_request_made_offline_is_sent_once(app, live_server, new_page):
    from blueprints.cards.models import CardRequest

    world = live_server.world
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, world.logins["member_a"])
    page.goto(live_server + "/card-requests/new")
    page.context.set_offline(True)
    page.reload()  # the saved copy of the form
    expect(page.locator("#offline-copy")).to_be_visible()
    page.get_by_label("Mất thẻ").check()
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.locator("form[data-offline-queue] .outbox-note")).to_contain_text("Đang chờ gửi")
    assert_no_axe_violations(page, "card request waiting to be sent")
    page.context.set_offline(False)
    expect(page.locator("#outbox-sent")).to_be_visible()
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(CardRequest)
            .where(CardRequest.member_id == world.members["mem_a"])
        )
    assert count == 1


def test_answer_lost_on_a_weak_signal_is_retried_and_counted_once(app, live_server, new_page):
    """The phone says it is online, the recommendation reaches the server, the answer is lost."""
    world = live_server.world
    meeting = add_meeting(app, world, ongoing=False)["meeting"]
    # Playwright sees the page's requests only without a service worker in the way.
    page = new_page(viewport=PHONE, service_workers="block")
    login_in_browser(page, live_server, world.logins["member_a"], PASSWORD)
    page.goto(f"{live_server}/meetings/{meeting}")

    def lose_the_answer(route):
        route.fetch()  # the server gets it and saves it...
        route.abort()  # ...and the phone never hears back

    page.route("**/recommendations", lose_the_answer)
    page.get_by_label("Kiến nghị của đồng chí").fill("Đề nghị làm lại cổng nhà văn hóa.")
    page.get_by_role("button", name="Gửi kiến nghị").click()
    expect(page.locator("form[data-offline-queue] .outbox-note")).to_contain_text("Đang chờ gửi")
    assert _count(app, Recommendation, meeting) == 1
    page.unroute("**/recommendations")
    page.reload()  # the outbox sends it again: the key was already used, so nothing is added
    expect(page.locator("#outbox-sent")).to_be_visible()
    expect(page.locator("#outbox-status")).to_be_hidden()
    assert _count(app, Recommendation, meeting) == 1
    # Sent normally, it lands on the meeting page with the confirmation.
    page.get_by_label("Kiến nghị của đồng chí").fill("Kiến nghị thứ hai.")
    page.get_by_role("button", name="Gửi kiến nghị").click()
    expect(page.locator(".opinion-list")).to_contain_text("Kiến nghị thứ hai.")
    expect(page.locator("#flash-area")).to_contain_text("Đã gửi kiến nghị đến chi ủy.")
    assert _count(app, Recommendation, meeting) == 2


def test_a_send_that_failed_is_tried_again_while_the_page_stays_open(app, live_server, new_page):
    """One bar that carries nothing: the phone stays "online" (no event will come), the send
    fails, and the outbox tries again by itself, with no reload and no tap."""
    world = live_server.world
    meeting = add_meeting(app, world, ongoing=False)["meeting"]
    page = new_page(viewport=PHONE, service_workers="block")
    login_in_browser(page, live_server, world.logins["member_a"], PASSWORD)
    page.goto(f"{live_server}/meetings/{meeting}")
    page.route("**/recommendations", lambda route: route.abort())  # nothing gets through
    page.get_by_label("Kiến nghị của đồng chí").fill("Đề nghị sửa loa hội trường.")
    page.get_by_role("button", name="Gửi kiến nghị").click()
    expect(page.locator("form[data-offline-queue] .outbox-note")).to_contain_text("Đang chờ gửi")
    assert _count(app, Recommendation, meeting) == 0
    page.unroute("**/recommendations")  # the bar starts to carry
    expect(page.locator("#outbox-sent")).to_be_visible(timeout=15_000)
    expect(page.locator("form[data-offline-queue] .outbox-note")).to_contain_text("✓")
    assert _count(app, Recommendation, meeting) == 1


def test_another_login_without_logout_drops_the_first_accounts_pages(app, live_server, new_page):
    """The session ran out (or the cookies were cleared) and someone else logs in."""
    world = live_server.world
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, world.logins["member_a"])
    page.goto(live_server + "/handbook/")  # kept for offline by the service worker
    first = f"personal-v1-{world.users['member_a']}"
    wait_until(page, "(name) => caches.has(name)", first)
    page.context.clear_cookies()
    login_in_browser(page, live_server, world.logins["member_b"], PASSWORD)
    expect(page.locator("main")).to_contain_text("Phạm Thị Đào")
    wait_until(page, "(name) => caches.has(name).then(has => !has)", first)
    page.context.set_offline(True)
    page.goto(live_server + "/handbook/")  # opened by the first account only
    expect(page.get_by_role("heading", level=1)).to_contain_text("không có kết nối mạng")
    page.context.set_offline(False)
    page.goto(live_server + "/me")
    page.context.set_offline(True)
    page.reload()  # the second account's own saved card, and nothing of the first
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("#offline-copy [data-when]")).to_have_text(re.compile(r"^\d\d:\d\d "))
    expect(page.locator("main")).to_contain_text("Phạm Thị Đào")
    assert "Trần Thị Ánh" not in page.content()


PLANT_COPIES = """async ([name, old]) => {
  const cache = await caches.open(name);
  const copy = (date, extra) => new Response("x", { headers: { Date: date, ...extra } });
  await cache.put("/news/9001", copy(old));  // old news: goes
  await cache.put("/meetings/9001/documents/1", copy(old));  // last year's document: goes
  await cache.put("/handbook/chuong-cu", copy(old));  // a handbook page: stays
  await cache.put("/files/9001/anh.png", copy(old, { "X-Sotay-Kept": "1" }));  // saved on purpose
  await cache.put("/news/9002", copy(new Date().toUTCString()));  // recent: stays
  const meta = await caches.open("sotay-meta");
  await meta.delete("/__sotay/pruned");  // as if the last clean-up was over a day ago
}"""

LEFT = """async (name) => {
  const keys = await (await caches.open(name)).keys();
  return keys.map((r) => new URL(r.url).pathname).filter((p) => /9001|9002|chuong-cu/.test(p));
}"""


def test_old_saved_copies_are_pruned_but_not_what_the_member_saved(live_server, new_page):
    world = live_server.world
    page = new_page(viewport=PHONE)
    _controlled(page, live_server, world.logins["member_a"])
    name = f"personal-v1-{world.users['member_a']}"
    wait_until(page, "(name) => caches.has(name)", name)
    page.evaluate(PLANT_COPIES, [name, "Mon, 01 Jan 2024 08:00:00 GMT"])
    page.goto(live_server + "/")  # a page kept for offline: the daily clean-up runs after it
    wait_until(page, f"(name) => ({LEFT})(name).then(left => left.length === 3)", name)
    assert sorted(page.evaluate(LEFT, name)) == [
        "/files/9001/anh.png",
        "/handbook/chuong-cu",
        "/news/9002",
    ]
    # Once a day only: an old copy written now stays until tomorrow's clean-up.
    page.evaluate(PLANT_COPIES.replace('await meta.delete("/__sotay/pruned");', ""), [name, "x"])
    page.goto(live_server + "/")
    page.wait_for_timeout(500)
    assert "/news/9001" in page.evaluate(LEFT, name)
