"""axe-core on every main page, logged out and for each role: normal, large text, high contrast.

Feature pages are added to PAGES as features land; a page listed here must also stay usable in
large text at 320 px and at 200% zoom (no sideways scrolling), with touch targets of at least
44 x 44 px.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, assert_no_axe_violations, login_in_browser, open_settings
from tests.browser.content import add_meeting, add_reading
from tests.conftest import PASSWORD

# role -> paths; "{A}" etc. are unit ids, "{mem_a}" member ids of the test province, and
# "{meeting}", "{document}", "{news}" ids of the content added by tests/browser/content.py.
PAGES = {
    None: ["/", "/login", "/install", "/offline", "/khong-co-trang-nay"],
    "member_a": [
        "/",
        "/me",
        "/units/{A}",
        "/account/password",
        "/install",
        "/card-requests",
        "/card-requests/new",
        "/handbook/",
        "/handbook/dieu-le-dang",
        "/documents/",
        "/documents/{document}",
        "/news/",
        "/news/{news}",
        "/search?q=dang+phi",
        "/bookmarks",
        "/meetings/",
        "/meetings/{meeting}",
        "/meetings/{meeting}/live",
        "/my-data",
        "/assistant/",
    ],
    "secretary_a": [
        "/units/{A}",
        "/members/{mem_a}",
        "/roster/units/{A}/members",
        "/meetings/",
        "/meetings/{meeting}",
        "/meetings/{meeting}/console",
        "/meetings/{meeting}/projector",
        "/meetings/{meeting}/close",
        "/adoption/",
    ],
    "editor": [
        "/editor/",
        "/editor/new/chapter",
        "/handbook/",
        "/search?q=sinh+hoat",
        "/assistant/queue",
        "/assistant/editor/",
        "/assistant/editor/new",
        "/assistant/glossary",
        "/assistant/report",
    ],
    "staff_d1": [
        "/",
        "/me",
        "/units/{D1}",
        "/units/{G1}",
        "/roster/import",
        "/roster/units/{D1}/members",
        "/roster/units/{G1}/accounts",
        "/card-requests/queue",
        "/meetings/",
        "/meetings/{meeting}",
        "/adoption/",
        "/adoption/{G1}",
        "/my-data/requests",
        "/adoption/{A}",
    ],
    "staff_p": ["/adoption/{P}", "/adoption/{P}?q=son+tinh"],
    "admin": ["/admin/roles", "/admin/audit"],
}


# Controls smaller than 44 x 44 CSS px in large-text mode. Links inside running text (a
# sentence in a paragraph, a list item or a table cell) are exempt, as in WCAG 2.5.5: making
# them taller would break the line spacing older readers rely on.
SMALL_TARGETS_JS = """
() => {
  const inline = (el) => el.tagName === 'A' && el.closest('p, li, td, dd, .prose, article')
    && getComputedStyle(el).display === 'inline';
  const out = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || inline(el)) continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || document.querySelector(`label[for="${el.id}"]`);
      const lb = label && label.getBoundingClientRect();
      if (lb && lb.height >= 44) continue;  // the label is the target
    }
    if (box.height < 43.5 || box.width < 43.5) {
      const name = (el.innerText || el.value || el.name || '').trim().slice(0, 40);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      out.push(`${el.tagName.toLowerCase()} "${name}" ${size}`);
    }
  }
  return out;
}
"""


# Values that are one word (a card number, a date) but were broken over two lines.
BROKEN_VALUES_JS = """
() => [...document.querySelectorAll('dd')].filter((dd) => {
  const text = dd.textContent.trim();
  if (!text || /\\s/.test(text)) return false;
  const range = document.createRange();
  range.selectNodeContents(dd);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
}).map((dd) => dd.textContent.trim())
"""


def _toggle(page, base, name):
    """Switch on large text or high contrast with the toggle every page carries."""
    page.goto(base + "/")
    open_settings(page)
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    mode = "large-text" if name.startswith("Chữ lớn") else "high-contrast"
    assert mode in page.evaluate("document.documentElement.className"), name


@pytest.mark.parametrize("mode", ["normal", "large-text", "high-contrast"])
@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "visitor")
def test_pages_have_no_axe_violations(app, live_server, new_page, role, mode):
    world = live_server.world
    content = add_reading(app, world) | add_meeting(app, world)
    page = new_page(viewport=PHONE)
    if role:
        login_in_browser(page, live_server, world.logins[role], PASSWORD)
    large = mode == "large-text"
    if mode != "normal":
        _toggle(page, live_server, "Chữ lớn: Tắt" if large else "Tương phản cao: Tắt")
    for path in PAGES[role]:
        url = live_server + path.format(**world.units, **world.members, **content)
        page.goto(url)
        page.wait_for_load_state()
        assert_no_axe_violations(page, f"{path} as {role or 'visitor'} ({mode})")
        if large:
            page.set_viewport_size({"width": 320, "height": 640})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at 320 px in large text"
            small = page.evaluate(SMALL_TARGETS_JS)
            assert not small, f"{path}: touch targets under 44 px in large text: {small}"
            broken = page.evaluate(BROKEN_VALUES_JS)
            assert not broken, f"{path}: values broken over two lines at 320 px: {broken}"
            # 200% browser zoom on a 640 px window: CSS zoom lays the page out in 320 px.
            page.set_viewport_size({"width": 640, "height": 1280})
            page.evaluate("document.documentElement.style.zoom = '2'")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at 200% zoom in large text"
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


def test_no_violations_after_htmx_swaps_on_member_pages(app, live_server, new_page):
    """Documents filtered, a written opinion sent and the live regions refreshed, by htmx."""
    world = live_server.world
    add_reading(app, world)
    ids = add_meeting(app, world)
    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, world.logins["member_a"], PASSWORD)
    page.goto(live_server + "/documents/")
    page.wait_for_function("() => window.htmx !== undefined")
    with page.expect_response(lambda r: "/documents/?" in r.url):
        page.get_by_label("Loại văn bản").select_option("huong-dan")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert "category=huong-dan" in page.url
    assert_no_axe_violations(page, "documents after htmx filter")

    page.goto(f"{live_server}/meetings/{ids['meeting']}/live")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_label("Ý kiến của đồng chí về nội dung đang bàn").fill("Tôi đồng ý.")
    with page.expect_response(lambda r: r.url.endswith("/opinions")):
        page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.locator("#r-opinion_form .receipt-ok").wait_for()
    with page.expect_response(lambda r: "/part/member" in r.url):
        page.evaluate("() => htmx.trigger(document.body, 'meeting:changed')")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert_no_axe_violations(page, "live page after htmx swaps")
