"""A whole monthly meeting played through the UI (issue 13, client side).

The secretary chairs from a 1366×768 laptop; two members follow on 360×640 phones, one of them
in large text. Everything is found by its Vietnamese label or role. After every action the
action's receipt must reach its final state (sent ✓, queued, or refused with the reason beside
the control, never "Đang gửi…" for good), and the console and the phones must agree. Also: the
console's key regions in the first 768 px, the phone's action in its first screen, a half-filled
roll call that does not stop the roll call updating, "Chuyển sang" saving an unsaved conclusion,
one action queued offline and sent later, one refused action with its reason beside the field,
and "Mất kết nối mạng" clearing as soon as updates arrive again.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.units.models import Unit
from core.extensions import db
from tests.browser.conftest import assert_no_axe_violations, login_in_browser, open_settings
from tests.browser.flows import schedule_and_start
from tests.conftest import PASSWORD, make_member, make_user

LIVE = 8_000  # ms: generous; a change normally shows within about a second
SECRETARY = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 640}
REFUSED_PREFIX = "Yêu cầu không hợp lệ"


def _add_member(app) -> None:
    with app.app_context():
        cell = db.session.scalar(select(Unit).where(Unit.code == "A"))
        make_user(make_member("52100011", "Hồ Thị Lan", cell, phone="0905000011"))
        db.session.commit()


def _receipt(page, anchor: str):
    return page.locator(f".receipt[data-for='{anchor}']")


def _done(page, anchor: str, text: str) -> None:
    """The action's receipt reached "sent ✓" with the server's words."""
    receipt = _receipt(page, anchor)
    expect(receipt).to_have_class(re.compile(r"\breceipt-ok\b"), timeout=LIVE)
    expect(receipt).to_contain_text(text)
    expect(page.locator(".receipt-sending")).to_have_count(0, timeout=LIVE)


def _refused(page, anchor: str, text: str) -> None:
    """The action was refused, its reason beside the control, in words that say what to do."""
    receipt = _receipt(page, anchor)
    expect(receipt).to_have_class(re.compile(r"\breceipt-refused\b"), timeout=LIVE)
    expect(receipt).to_contain_text(text)
    expect(receipt).not_to_contain_text(REFUSED_PREFIX)
    expect(page.locator("#flash-area")).not_to_contain_text(text)
    expect(page.locator(".receipt-sending")).to_have_count(0)


def _open(page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.evaluate(
        "s => { if (!s.parentElement.open) s.click(); }"
    )


def _close(page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.evaluate(
        "s => { if (s.parentElement.open) s.click(); }"
    )


def _in_first_screen(page, locator, height: int) -> None:
    """`locator` is within the first `height` pixels of the page (what shows without scrolling)."""
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (locator, box)


def _code(console) -> str:
    return console.locator("[data-checkin-code]").inner_text().strip()


def _phone(new_page, base, login: str, large_text: bool):
    phone = new_page(viewport=PHONE)
    login_in_browser(phone, base, login, PASSWORD)
    if large_text:
        open_settings(phone)  # on a phone the display settings sit behind "Cài đặt"
        phone.get_by_role("button", name=re.compile("Chữ lớn")).click()
        expect(phone.locator("html")).to_have_class(re.compile("large-text"))
    phone.get_by_role("link", name="Vào buổi sinh hoạt").click()
    expect(phone.locator("#r-member")).to_be_visible()
    return phone


def _check_in_and_roll_call(console, anh, lan) -> None:
    """Check-in by code (one refused), a half-filled and a refused roll call, proxy check-in."""
    # Roll call, half filled: the secretary picks a status for Ánh and does not save it.
    _open(console, "Điểm danh từng người")
    anh_row = console.locator(".roll-line", has_text="Trần Thị Ánh")
    anh_row.get_by_label(re.compile("^Trạng thái của")).select_option("excused")

    # A refused action: Lan types a wrong code; the reason is beside the field, she stays there.
    url = lan.url
    lan.get_by_label("Nhập mã điểm danh đang hiện trên màn hình").fill("000000")
    lan.get_by_role("button", name="Điểm danh").click()
    _refused(lan, "checkin", "Mã điểm danh không đúng")
    assert lan.url == url
    expect(lan.get_by_label("Nhập mã điểm danh đang hiện trên màn hình")).to_have_value("000000")

    # Both check in with the code; the console's roll call still updates (the pick did not
    # freeze it) and keeps the secretary's unsaved pick.
    for phone, name in ((anh, "Trần Thị Ánh"), (lan, "Hồ Thị Lan")):
        phone.get_by_label("Nhập mã điểm danh đang hiện trên màn hình").fill(_code(console))
        phone.get_by_role("button", name="Điểm danh").click()
        _done(phone, "checkin", "Đã điểm danh: có mặt ✓")
        expect(phone.locator("#r-member")).to_contain_text("Đồng chí đã điểm danh: có mặt")
        expect(console.locator(".roll-line", has_text=name).locator(".badge")).to_contain_text(
            "Có mặt", timeout=LIVE
        )
    expect(anh_row.get_by_label(re.compile("^Trạng thái của"))).to_have_value("excused")
    expect(console.locator(".roll-summary")).to_contain_text("Có mặt 2")

    # A roll-call save refused (excused needs a reason): the reason is in that member's line.
    anh_row.get_by_role("button", name=re.compile("Lưu")).click()
    _refused(console, anh_row.get_attribute("data-receipt"), "Vắng có lý do cần ghi lý do")
    expect(
        console.locator(".roll-line", has_text="Trần Thị Ánh").locator(".badge")
    ).to_contain_text("Có mặt")
    # The secretary checks himself in; Lê Đức Anh (no smartphone) is checked in on his behalf.
    row = console.locator(".roll-line", has_text="Nguyễn Văn Bình")
    row.get_by_label(re.compile("^Trạng thái của")).select_option("present")
    row.get_by_role("button", name=re.compile("Lưu")).click()
    _done(console, row.get_attribute("data-receipt"), "Đã cập nhật điểm danh ✓")
    row = console.locator(".roll-line", has_text="Lê Đức Anh")
    row.get_by_label(re.compile("^Trạng thái của")).select_option("present")
    row.get_by_label(re.compile("^Lý do \\(vắng")).fill("Không có điện thoại")
    row.get_by_role("button", name=re.compile("Lưu")).click()
    _done(console, row.get_attribute("data-receipt"), "Đã cập nhật điểm danh ✓")
    expect(row).to_contain_text("điểm danh hộ")
    for page in (console, anh, lan):
        expect(page.locator(".quorum").first).to_contain_text("có mặt 4/4", timeout=LIVE)
    _close(console, "Điểm danh từng người")  # the full roll call closes again
    expect(console.locator(".roll-line").first).to_be_hidden()


def _agenda_and_speakers(console, anh, lan) -> None:
    """Conclusion saved by "Chuyển sang", a request to speak, a speaker recorded."""
    # Agenda: a conclusion typed, not saved, then "Chuyển sang": it is saved and the agenda
    # moves on, on the console and on the phones.
    agenda = console.locator("#r-agenda")
    box = agenda.get_by_label("Kết luận của chủ trì")
    box.fill("Đồng chí Ánh làm thư ký.")
    # Meanwhile a member asks to speak: the agenda, being typed in, waits and says so; the
    # other regions update; the text stays.
    anh.get_by_role("button", name="Xin phát biểu").click()
    _done(anh, "speak", "Đã đăng ký phát biểu ✓")
    expect(console.locator("#r-speakers")).to_contain_text("Trần Thị Ánh", timeout=LIVE)
    expect(agenda.locator(".stale-note")).to_contain_text("Có cập nhật mới", timeout=LIVE)
    expect(box).to_have_value("Đồng chí Ánh làm thư ký.")
    expect(box).to_be_focused()
    agenda.get_by_role("button", name=re.compile("Chuyển sang.*Kiểm điểm")).click()
    item = agenda.locator("li", has_text="Kiểm điểm việc thực hiện")
    expect(item).to_contain_text("Đang bàn", timeout=LIVE)
    expect(agenda.locator("li", has_text="Khai mạc")).to_contain_text(
        "Kết luận: Đồng chí Ánh làm thư ký.", timeout=LIVE
    )
    _done(console, item.get_attribute("data-receipt"), "Đã chuyển sang nội dung")
    for phone in (anh, lan):
        expect(phone.locator(".current-item")).to_contain_text("Kiểm điểm", timeout=LIVE)

    # The request to speak (above): its receipt stays, the queue is on the console.
    expect(anh.locator("#r-member")).to_contain_text("thứ tự số 1")
    _done(anh, "speak", "Đã đăng ký phát biểu ✓")
    console.get_by_role("button", name="Mời người tiếp theo phát biểu").click()
    _done(console, "r-speakers", "Mời đồng chí Trần Thị Ánh phát biểu")
    expect(anh.locator("#r-member")).to_contain_text("Mời đồng chí phát biểu", timeout=LIVE)
    console.get_by_label(re.compile("Tóm tắt ý kiến")).fill("Đề nghị bê tông hóa đường thôn.")
    console.get_by_role("button", name="Ghi ý kiến, kết thúc lượt").click()
    _done(console, "r-speakers", "Đã ghi ý kiến phát biểu ✓")
    expect(console.locator("#r-opinions")).to_contain_text("bê tông hóa", timeout=LIVE)


def _weak_network(console, lan) -> None:
    """A lost poll clears its banner; an opinion queued offline is sent later."""
    # One lost request on a weak signal: "Mất kết nối mạng" shows, then clears as soon as
    # an update arrives again.
    lost = {"n": 0}

    def drop_once(route):
        if lost["n"] == 0:
            lost["n"] += 1
            route.abort()
        else:
            route.continue_()

    lan.route(re.compile(r"/live/version"), drop_once)
    expect(lan.locator("#offline-banner")).to_be_visible(timeout=LIVE)
    expect(lan.locator("#offline-banner")).to_be_hidden(timeout=20_000)
    lan.unroute(re.compile(r"/live/version"))

    # An action queued offline: Lan's written opinion waits, then goes when the network is back.
    lan.context.set_offline(True)
    box = lan.get_by_label("Ý kiến của đồng chí về nội dung đang bàn")
    box.fill("Chi bộ cần họp đúng giờ, đủ 90 phút.")
    lan.get_by_role("button", name="Gửi ý kiến").click()
    expect(lan.locator("#r-opinion_form")).to_contain_text("Đang chờ gửi", timeout=LIVE)
    expect(lan.locator("#r-opinion_form .receipt-sending")).to_have_count(0)
    lan.context.set_offline(False)
    expect(lan.locator("#r-opinion_form .receipt-ok")).to_contain_text(
        "Đã gửi các thao tác đang chờ", timeout=20_000
    )
    expect(console.locator("#r-opinions")).to_contain_text("đủ 90 phút", timeout=LIVE)


def _vote(console, anh, lan) -> None:
    """An open vote: choose, then "Gửi phiếu"; one refused; a proxy vote; the results."""
    # Open vote: its live count in the console's first screen; on the phones the vote is the
    # thing to do now, at the top: choose, then "Gửi phiếu", then the receipt.
    lan.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # reading further down
    _open(console, "Biểu quyết mới")
    console.get_by_label("Nội dung biểu quyết").fill("Thông qua nghị quyết tháng 12")
    console.get_by_role("button", name="Mở biểu quyết").click()
    _done(console, "new-motion", "Đã mở biểu quyết ✓")
    _close(console, "Biểu quyết mới")  # the form closes again
    count = console.locator("#r-motions").get_by_text(re.compile("Đã biểu quyết: 0/4"))
    expect(count).to_be_visible(timeout=LIVE)
    _in_first_screen(console, count, SECRETARY["height"])
    height = console.evaluate("document.documentElement.scrollHeight")
    print(f"console at 1366×768, vote open: page height {height} px")
    # The vote opened above where Lan was reading: a button at the bottom says so.
    jump = lan.locator("#now-jump")
    expect(jump).to_contain_text("Việc cần làm ngay", timeout=LIVE)
    jump.click()
    expect(lan.locator(".motion-card").first).to_be_in_viewport()
    for phone in (anh, lan):
        card = phone.locator(".motion-card", has_text="Thông qua nghị quyết tháng 12")
        expect(card).to_be_visible(timeout=LIVE)
        # The vote is the first card. In large text, under the top notice "Đã gửi các thao
        # tác đang chờ" (Lan's queued opinion), its title is in the first screen; in normal
        # text its first choice is too.
        first = card.locator("h2") if phone is lan else card.get_by_label("Tán thành", exact=True)
        _in_first_screen(phone, first, PHONE["height"])
        assert card.locator("label.choice").first.bounding_box()["height"] >= 44
    assert_no_axe_violations(lan, "member's phone with a vote, large text")
    # Sending without a choice is refused beside the button, saying what to do.
    anh.get_by_role("button", name="Gửi phiếu").click()
    motion_anchor = anh.locator(".motion-card").first.get_attribute("data-receipt")
    _refused(anh, motion_anchor, "hãy chọn")
    for n, phone in enumerate((anh, lan), start=1):
        phone.locator(".motion-card").get_by_label("Tán thành", exact=True).check()
        phone.get_by_role("button", name="Gửi phiếu").click()
        _done(phone, motion_anchor, "Đã gửi biểu quyết ✓")
        expect(phone.locator(".motion-card")).to_contain_text("Đã gửi biểu quyết của đồng chí")
        expect(console.locator("#r-motions")).to_contain_text(f"Đã biểu quyết: {n}/4", timeout=LIVE)
    # Lê Đức Anh votes by show of hands; the secretary records it on his behalf, with the reason.
    motion = console.locator(".motion", has_text="Thông qua nghị quyết tháng 12")
    motion.locator("summary", has_text="Ghi biểu quyết hộ").click()
    motion.get_by_label("Đảng viên").select_option(label="Lê Đức Anh")
    motion.get_by_label("Lựa chọn").select_option(label="Tán thành")
    motion.get_by_label("Lý do ghi hộ").fill("Không có điện thoại, giơ tay tán thành")
    motion.get_by_role("button", name="Ghi biểu quyết hộ").click()
    _done(console, motion.get_attribute("data-receipt"), "Đã ghi biểu quyết hộ ✓")
    expect(console.locator("#r-motions")).to_contain_text("Đã biểu quyết: 3/4", timeout=LIVE)

    # Results: announced on the console, the phones show them without opening anything.
    motion.get_by_role("button", name="Kết thúc biểu quyết, công bố kết quả").click()
    _done(console, motion.get_attribute("data-receipt"), "Đã kết thúc biểu quyết")
    expect(console.locator("#r-motions")).to_contain_text("Thông qua", timeout=LIVE)
    for phone in (anh, lan):
        result = phone.locator(".catch-up")
        expect(result).to_contain_text("Thông qua nghị quyết tháng 12", timeout=LIVE)
        expect(result).to_contain_text("Tán thành 3")
        expect(result).to_be_visible()


def _close_and_rate(console, anh, lan) -> None:
    """Close; the phones put the rating first."""
    # Close: the phones put the rating first; a rating is three choices and one button.
    console.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
    expect(console).to_have_url(re.compile(r"/minutes$"))
    for phone in (anh, lan):
        rating = phone.locator("[data-receipt='rating']")
        expect(rating).to_contain_text("Buổi sinh hoạt đã kết thúc", timeout=LIVE)
        # The page reloads itself once for the closed meeting (its shape changed).
        expect(phone.locator("[data-live-root]")).to_have_attribute(
            "data-status", "closed", timeout=LIVE
        )
        phone.wait_for_load_state()
        first = rating.locator("label.choice", has_text="5").first
        _in_first_screen(phone, first, PHONE["height"])
        assert_no_axe_violations(phone, "member's phone after the meeting (rating)")
        for group in ("Chuẩn bị", "Diễn biến buổi sinh hoạt", "Thực hiện sau buổi sinh hoạt"):
            rating.get_by_role("group", name=group).get_by_label("4", exact=True).check()
        rating.get_by_role("button", name="Gửi đánh giá").click()
        _done(phone, "rating", "Cảm ơn đồng chí đã đánh giá")
        expect(rating).to_contain_text("Đồng chí đã đánh giá buổi sinh hoạt", timeout=LIVE)
    console.reload()
    expect(console.locator("main")).to_contain_text("Đảng viên đánh giá (2 người)")


def test_whole_meeting_through_the_ui(app, live_server, new_page):
    _add_member(app)
    base = live_server
    console = new_page(viewport=SECRETARY)
    console.on("dialog", lambda dialog: dialog.accept())
    schedule_and_start(console, base)

    # At 1366×768 the key regions are all in the first screen, without scrolling.
    for key in (
        ".current-item",
        ".quorum",
        "[data-checkin-code]",
        "#h-motions",
        "#r-speakers",
        ".roll-summary",
    ):
        _in_first_screen(console, console.locator(key).first, SECRETARY["height"])

    height = console.evaluate("document.documentElement.scrollHeight")
    print(f"console at 1366×768, meeting started: page height {height} px")
    assert_no_axe_violations(console, "console at 1366×768")
    anh = _phone(new_page, base, "52100002", large_text=False)
    lan = _phone(new_page, base, "52100011", large_text=True)
    for phone in (anh, lan):
        # The one thing to do now (check in) is in the phone's first screen, menu folded.
        _in_first_screen(phone, phone.get_by_role("button", name="Điểm danh"), PHONE["height"])
        expect(phone.locator(".site-nav")).to_be_hidden()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert_no_axe_violations(lan, "member's phone, large text")
    _check_in_and_roll_call(console, anh, lan)
    _agenda_and_speakers(console, anh, lan)
    _weak_network(console, lan)
    _vote(console, anh, lan)
    _close_and_rate(console, anh, lan)
