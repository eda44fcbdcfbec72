"""Done means of issue 5: a live cell meeting in three browsers (secretary laptop, two phones).

Schedule, check in by code, proxy check-in, a speaker called, an opinion sent (not wiped by
live refreshes while typed), an open and a secret vote, the meeting closed, minutes approved
and exported; phones update without reload; a member of another cell is refused.
"""

from __future__ import annotations

import io
import re

from docx import Document as Docx
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.units.models import Unit
from core.extensions import db
from tests.browser.conftest import LAPTOP, PHONE, assert_no_axe_violations, login_in_browser
from tests.browser.flows import schedule, start
from tests.conftest import PASSWORD, make_member, make_user

LIVE = 6_000  # ms: a change must reach the other screens well within this (polling is 1,5 s)


LOGINS = {"secretary_a": "52100001", "member_a": "52100002", "member_b": "52100004"}


def _add_member(app):
    """A fourth member of cell A with an account (the world has cell A's code "A")."""
    with app.app_context():
        cell = db.session.scalar(select(Unit).where(Unit.code == "A"))
        member = make_member("52100011", "Hồ Thị Lan", cell, phone="0905000011")
        make_user(member)
        db.session.commit()


def _open(page, summary: str) -> None:
    """Open a section that opens in place (<details>) unless it is open already."""
    details = page.locator("details", has=page.locator("summary", has_text=summary)).first
    details.evaluate("d => { d.open = true; }")


def _vote(phone, choice: str) -> None:
    """Choose, then send: the vote form has no one-tap buttons."""
    phone.locator("#r-member").get_by_label(choice, exact=True).first.check()
    phone.get_by_role("button", name="Gửi phiếu").first.click()


def _code(console) -> str:
    return console.locator("[data-checkin-code]").inner_text().strip()


def test_live_meeting_three_browsers(app, live_server, new_page):
    _add_member(app)
    base = live_server

    # Secretary on a laptop schedules the meeting.
    console = new_page(viewport=LAPTOP)
    console.on("dialog", lambda dialog: dialog.accept())
    schedule(console, base, LOGINS["secretary_a"])
    expect(console.locator("h1")).to_have_text("Sinh hoạt chi bộ tháng 12/2026")
    expect(console.locator(".agenda")).to_contain_text(
        "Kiểm điểm việc thực hiện nhiệm vụ tháng trước"
    )
    meeting_url = console.url
    start(console)
    assert_no_axe_violations(console, "console")
    projector = new_page(viewport=LAPTOP)
    login_in_browser(projector, base, LOGINS["secretary_a"], PASSWORD)
    projector.goto(console.url.replace("/console", "/projector"))
    expect(projector.locator(".projector-code")).to_have_text(re.compile(r"^\d{6}$"))
    assert_no_axe_violations(projector, "projector")

    # Two members on phones join from the home screen.
    phones = []
    for login_name in (LOGINS["member_a"], "52100011"):
        phone = new_page(viewport=PHONE)
        login_in_browser(phone, base, login_name, PASSWORD)
        phone.get_by_role("link", name="Vào buổi sinh hoạt").click()
        expect(phone.locator("#r-member")).to_contain_text("Điểm danh")
        phones.append(phone)
    phones[0].goto(meeting_url)
    expect(phones[0].locator(".agenda")).to_contain_text("Kiểm điểm")
    assert_no_axe_violations(phones[0], "meeting page (member)")
    phones[0].go_back()
    anh, lan = phones
    assert anh.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_no_axe_violations(anh, "member live view")

    # Check in by the code on the console; the console's roll call updates by itself.
    for phone, name in ((anh, "Trần Thị Ánh"), (lan, "Hồ Thị Lan")):
        phone.get_by_label("Nhập mã điểm danh đang hiện trên màn hình").fill(_code(console))
        phone.get_by_role("button", name="Điểm danh").click()
        expect(phone.locator("#r-member")).to_contain_text(
            "Đồng chí đã điểm danh: có mặt", timeout=LIVE
        )
        row = console.locator(".roll-line", has_text=name)
        expect(row.locator(".badge")).to_contain_text("Có mặt", timeout=LIVE)

    # The secretary checks himself in, and Lê Đức Anh (no smartphone) on his behalf.
    _open(console, "Điểm danh từng người")
    row = console.locator(".roll-line", has_text="Nguyễn Văn Bình")
    row.get_by_label(re.compile("^Trạng thái của")).select_option("present")
    row.get_by_role("button", name=re.compile("Lưu")).click()
    expect(row.locator(".badge")).to_contain_text("Có mặt", timeout=LIVE)
    row = console.locator(".roll-line", has_text="Lê Đức Anh")
    row.get_by_label(re.compile("^Trạng thái của")).select_option("present")
    row.get_by_label(re.compile("^Lý do \\(")).fill("Không có điện thoại")
    row.get_by_role("button", name=re.compile("Lưu")).click()
    expect(console.locator(".roll-line", has_text="Lê Đức Anh")).to_contain_text(
        "điểm danh hộ", timeout=LIVE
    )
    expect(anh.locator(".quorum")).to_contain_text(
        "Đủ số lượng: có mặt 4/4 đảng viên chính thức", timeout=LIVE
    )

    # Speakers: Ánh asks, the secretary calls her, her phone says so, her opinion is recorded.
    anh.get_by_role("button", name="Xin phát biểu").click()
    expect(anh.locator("#r-member")).to_contain_text("thứ tự số 1", timeout=LIVE)
    expect(console.locator("#r-speakers")).to_contain_text("Trần Thị Ánh", timeout=LIVE)
    console.get_by_role("button", name="Mời người tiếp theo phát biểu").click()
    expect(anh.locator("#r-member")).to_contain_text("Mời đồng chí phát biểu", timeout=LIVE)
    console.get_by_label(re.compile("Tóm tắt ý kiến")).fill("Đề nghị bê tông hóa đường thôn.")
    console.get_by_role("button", name="Ghi ý kiến, kết thúc lượt").click()
    expect(console.locator("#r-opinions")).to_contain_text(
        "Đề nghị bê tông hóa đường thôn.", timeout=LIVE
    )

    # Lan types an opinion; a vote opens meanwhile; her half-typed text survives the refresh.
    box = lan.get_by_label("Ý kiến của đồng chí về nội dung đang bàn")
    box.fill("Chi bộ cần họp đúng giờ")
    _open(console, "Biểu quyết mới")
    console.get_by_label("Nội dung biểu quyết").fill("Thông qua nghị quyết tháng 12")
    console.get_by_role("button", name="Mở biểu quyết").click()
    expect(lan.locator("#r-member")).to_contain_text("Thông qua nghị quyết tháng 12", timeout=LIVE)
    expect(box).to_have_value("Chi bộ cần họp đúng giờ")
    box.fill("Chi bộ cần họp đúng giờ, đủ 90 phút.")
    lan.get_by_role("button", name="Gửi ý kiến").click()
    expect(lan.locator("#r-opinion_form")).to_contain_text("Đã gửi ✓", timeout=LIVE)
    expect(console.locator("#r-opinions")).to_contain_text("đủ 90 phút", timeout=LIVE)

    # Open vote: both phones vote, the live count moves, a double tap counts once.
    _vote(anh, "Tán thành")
    expect(anh.locator("#r-member")).to_contain_text("Đã gửi biểu quyết của đồng chí", timeout=LIVE)
    _vote(lan, "Tán thành")
    expect(console.locator("#r-motions")).to_contain_text("Đã biểu quyết: 2/4", timeout=LIVE)
    console.get_by_role("button", name="Kết thúc biểu quyết, công bố kết quả").click()
    expect(console.locator("#r-motions")).to_contain_text("Không thông qua", timeout=LIVE)

    # Secret ballot.
    console.get_by_label("Nội dung biểu quyết").fill("Đề nghị kết nạp quần chúng Lê Văn Tám")
    console.get_by_label("Bỏ phiếu kín").check()
    console.get_by_role("button", name="Mở biểu quyết").click()
    expect(anh.locator("#r-member")).to_contain_text("không ai biết đồng chí chọn gì", timeout=LIVE)
    for phone in (anh, lan):
        _vote(phone, "Tán thành")
        expect(phone.locator("#r-member")).to_contain_text(
            "Đã gửi biểu quyết của đồng chí", timeout=LIVE
        )
    motion = console.locator(".motion", has_text="Lê Văn Tám")
    expect(motion).to_contain_text("Đã biểu quyết: 2/4", timeout=LIVE)
    motion.get_by_role("button", name="Kết thúc biểu quyết, công bố kết quả").click()
    expect(console.locator(".motion", has_text="Lê Văn Tám")).to_contain_text(
        "Tán thành: 2", timeout=LIVE
    )
    # The projector shows the announced result (2 of 4 present is not a majority).
    projector.bring_to_front()
    expect(projector.locator("#r-projector")).to_contain_text("Không thông qua", timeout=LIVE)
    assert_no_axe_violations(projector, "projector with a result")
    console.bring_to_front()

    # A phone that loses the network says so, and catches up when it is back.
    lan.context.set_offline(True)
    expect(lan.locator("#offline-banner")).to_be_visible(timeout=LIVE)
    console.locator("#r-agenda").get_by_role("button", name=re.compile("Phương hướng")).click()
    lan.context.set_offline(False)
    expect(lan.locator("#offline-banner")).to_be_hidden(timeout=20_000)
    expect(lan.locator(".current-item")).to_contain_text("Phương hướng", timeout=LIVE)

    # A member of another cell cannot open the meeting.
    outsider = new_page(viewport=PHONE)
    login_in_browser(outsider, base, LOGINS["member_b"], PASSWORD)
    response = outsider.goto(meeting_url.replace(base, base) + "/live")
    # 404, as for a meeting that does not exist: ids outside one's units cannot be probed.
    assert response.status == 404
    expect(outsider.locator("h1")).to_contain_text("Không tìm thấy trang")

    # Close; the phones learn it; minutes approved by chair and clerk, then exported.
    console.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
    expect(console).to_have_url(re.compile(r"/minutes$"))
    expect(anh.locator("#r-member")).to_contain_text("Buổi sinh hoạt đã kết thúc", timeout=LIVE)
    console.get_by_role("button", name="Duyệt biên bản (chủ trì)").click()
    anh.get_by_role("link", name="Xem biên bản").click()
    anh.get_by_role("button", name="Duyệt biên bản (thư ký)").click()
    expect(anh.locator("#flash-area")).to_contain_text("khóa")
    expect(anh.locator(".hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_no_axe_violations(anh, "minutes")
    with anh.expect_download() as info:
        anh.get_by_role("link", name="Tải về Word (DOCX)").click()
    doc = Docx(info.value.path())
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Có mặt: 4/4" in text and "Lê Đức Anh được điểm danh hộ" in text
    with anh.expect_download() as info:
        anh.get_by_role("link", name="Tải về PDF").click()
    pdf = PdfReader(io.BytesIO(open(info.value.path(), "rb").read()))
    assert "Có mặt: 4/4" in "\n".join(page.extract_text() for page in pdf.pages)
