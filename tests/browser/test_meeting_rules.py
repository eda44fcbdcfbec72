"""The Party's rules in a live meeting, in two browsers (issue 13): a secretary's laptop at
1366 px and a member's phone at 360 px.

The quorum warning appears while too few official members are present, a probationary member's
phone offers no vote and says why, a member without a phone is checked in by the secretary with
a preset reason and votes by proxy, and the close lists the unmarked members instead of
guessing. The DOCX and PDF minutes then give counts, percentages of the right base, the
absentees with their reasons and the meeting's day in Vietnam.
"""

from __future__ import annotations

import io
import re

from docx import Document as Docx
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from blueprints.members.models import MemberStatus
from blueprints.units.models import Unit
from core.extensions import db
from tests.browser.conftest import PHONE, login_in_browser
from tests.browser.flows import schedule_and_start
from tests.conftest import PASSWORD, make_member, make_user

LIVE = 8_000  # ms for a change to reach another screen (polling every 1–1,5 s)
CONSOLE = {"width": 1366, "height": 768}


def _cell_members(app):
    """Cell A gets a probationary member with a phone and three official members without."""
    with app.app_context():
        cell = db.session.scalar(select(Unit).where(Unit.code == "A"))
        mai = make_member("52100020", "Hồ Thị Mai", cell, status=MemberStatus.PROBATIONARY)
        make_user(mai)
        for card, name in (
            ("52100021", "Đinh Văn Hùng"),
            ("52100022", "Võ Thị Hoa"),
            ("52100023", "Bùi Văn Lực"),
        ):
            make_member(card, name, cell)
        db.session.commit()


def _row(console, name):
    return console.locator(".roll-line", has_text=name)


def _open_roll_call(console) -> None:
    """The full roll call opens in place on the console (it stays open across refreshes)."""
    console.locator("summary", has_text="Điểm danh từng người").first.evaluate(
        "s => { if (!s.parentElement.open) s.click(); }"
    )


def _new_vote(console, text) -> None:
    """The new-vote form opens in place on the console."""
    console.locator("summary", has_text="Biểu quyết mới").first.evaluate(
        "s => { if (!s.parentElement.open) s.click(); }"
    )
    console.get_by_label("Nội dung biểu quyết").fill(text)
    console.get_by_role("button", name="Mở biểu quyết", exact=True).click()


def _mark(console, name, status, preset=None):
    _open_roll_call(console)
    row = _row(console, name)
    row.get_by_label(re.compile("^Trạng thái của")).select_option(status)
    if preset:
        row.get_by_label(re.compile("^Lý do có sẵn")).select_option(label=preset)
    row.get_by_role("button", name=re.compile("Lưu")).click()


def _download(page, link_name) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def test_statute_rules_in_a_live_meeting(app, live_server, new_page):
    _cell_members(app)
    base = live_server
    console = new_page(viewport=CONSOLE)
    console.on("dialog", lambda dialog: dialog.accept())
    starts = schedule_and_start(console, base)

    # Two phones: the clerk (official) and a probationary member.
    phones = {}
    for card in ("52100002", "52100020"):
        phone = new_page(viewport=PHONE)
        login_in_browser(phone, base, card, PASSWORD)
        phone.get_by_role("link", name="Vào buổi sinh hoạt").click()
        code = console.locator("[data-checkin-code]").inner_text().strip()
        phone.get_by_label("Nhập mã điểm danh đang hiện trên màn hình").fill(code)
        phone.get_by_role("button", name="Điểm danh").click()
        expect(phone.locator("#r-member")).to_contain_text("Đồng chí đã điểm danh", timeout=LIVE)
        phones[card] = phone
    anh, mai = phones["52100002"], phones["52100020"]
    _mark(console, "Nguyễn Văn Bình", "present")  # the secretary himself
    expect(_row(console, "Nguyễn Văn Bình").locator(".badge")).to_contain_text(
        "Có mặt", timeout=LIVE
    )
    # 2 of the 6 official members present (the probationary member does not count): no quorum.
    expect(console.locator("#r-head .quorum")).to_contain_text(
        "Chưa đủ số lượng: có mặt 2/6 đảng viên chính thức, cần ít nhất 4", timeout=LIVE
    )
    _new_vote(console, "Thông qua nghị quyết tháng 12")
    warning = console.locator("#quorum-warning")
    expect(warning).to_contain_text("Chưa đủ số lượng để biểu quyết", timeout=LIVE)
    expect(warning).to_contain_text("2/6")
    expect(console.locator("#r-motions")).to_contain_text("Chưa có biểu quyết nào.")

    # The secretary waits, checks in two members without phones (preset reason) and marks one
    # absent with a preset reason; one stays unmarked.
    for name in ("Lê Đức Anh", "Đinh Văn Hùng"):
        _mark(console, name, "present", preset="Không có điện thoại thông minh")
        expect(_row(console, name).locator(".badge")).to_contain_text("điểm danh hộ", timeout=LIVE)
    _mark(console, "Võ Thị Hoa", "excused", preset="Ốm")
    expect(_row(console, "Võ Thị Hoa").locator(".badge")).to_contain_text(
        "Vắng có lý do", timeout=LIVE
    )
    expect(console.locator("#r-head .quorum")).to_contain_text(
        "Đủ số lượng: có mặt 4/6", timeout=LIVE
    )
    _new_vote(console, "Thông qua nghị quyết tháng 12")
    expect(console.locator("#r-motions")).to_contain_text("Đã biểu quyết: 0", timeout=LIVE)

    # The probationary member's phone says why it offers no vote; the clerk votes.
    expect(mai.locator("#r-member")).to_contain_text("Thông qua nghị quyết", timeout=LIVE)
    expect(mai.locator(".no-vote")).to_contain_text("đảng viên dự bị")
    expect(mai.locator(".no-vote")).to_contain_text("Điều 3")
    expect(mai.get_by_label("Tán thành", exact=True)).to_have_count(0)
    anh.locator(".motion-card").get_by_label("Tán thành", exact=True).check()
    anh.get_by_role("button", name="Gửi phiếu").click()
    expect(anh.locator("#r-member")).to_contain_text("Đã gửi biểu quyết", timeout=LIVE)

    # A vote by proxy for Lê Đức Anh, with the reason.
    console.get_by_text("Ghi biểu quyết hộ đảng viên không có điện thoại").click()
    console.get_by_label("Đảng viên", exact=True).select_option(label="Lê Đức Anh")
    console.get_by_label("Lựa chọn", exact=True).select_option("yes")
    console.get_by_label("Lý do ghi hộ").fill("Đồng chí giơ tay tán thành")
    console.get_by_role("button", name="Ghi biểu quyết hộ").click()
    expect(console.locator("#r-motions")).to_contain_text("Đã biểu quyết: 2", timeout=LIVE)
    console.get_by_role("button", name="Kết thúc biểu quyết, công bố kết quả").click()
    result = console.locator("#r-motions")
    expect(result).to_contain_text("Tán thành 2/6 đảng viên chính thức", timeout=LIVE)
    expect(result).to_contain_text("đủ số lượng (4/6")

    # Close: it lists the unmarked member and waits for a choice.
    console.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
    expect(console.locator("#close-unmarked")).to_contain_text("Còn 1 đồng chí chưa điểm danh")
    expect(console.locator(".unmarked-list")).to_have_text("Bùi Văn Lực")
    expect(console.get_by_role("link", name="Quay lại điểm danh")).to_be_visible()
    console.get_by_label("Vắng không lý do").check()
    console.get_by_role("button", name="Ghi như đã chọn và kết thúc buổi sinh hoạt").click()
    expect(console).to_have_url(re.compile(r"/minutes$"))

    day = starts.strftime("%d/%m/%Y")
    docx = Docx(io.BytesIO(_download(console, "Tải về Word (DOCX)")))
    text = "\n".join(p.text for p in docx.paragraphs)
    header = "\n".join(c.text for t in docx.tables for row in t.rows for c in row.cells)
    pdf = PdfReader(io.BytesIO(_download(console, "Tải về PDF")))
    pdf_text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for wanted in (
        "tán thành 2/6 (33,3%)",
        "không tán thành 0/6 (0,0%)",
        "Đảng viên chính thức được triệu tập: 6; có mặt 4/6 (66,7%); cần ít nhất 4",
        "Đồng chí Võ Thị Hoa: vắng có lý do (Ốm).",
        "Đồng chí Bùi Văn Lực: vắng không lý do.",
        "Lê Đức Anh được điểm danh hộ (Không có điện thoại thông minh)",
        "(Đồng chí giơ tay tán thành)",
    ):
        assert wanted in text, wanted
        assert wanted in pdf_text, wanted
    assert "không có lý do" not in text
    assert f"ngày {day}" in header and day in pdf_text
