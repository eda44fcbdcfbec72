"""Staff import a roster in the browser, issue accounts, and a member logs in from the slip."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, assert_no_axe_violations, login_in_browser
from tests.conftest import PASSWORD
from tests.roster.helpers import member_row, pdf_text, xlsx


def test_import_preview_commit_issue_slips_and_member_login(live_server, new_page, tmp_path):
    rows = [
        member_row("52102001", "Trương Thị Mỹ Hạnh", "A", gender="Nữ"),
        member_row("52102002", "Kiều Văn Phong", "B"),
        member_row("52102003", "Hứa Văn Trẻ", "A", birth="01/01/1995", joined="01/01/2010"),
    ]
    file = tmp_path / "danh-sach.xlsx"
    file.write_bytes(xlsx(rows))

    page = new_page(viewport=LAPTOP, accept_downloads=True)
    login_in_browser(page, live_server, "tochuc.d1", PASSWORD)
    page.get_by_role("link", name="Nhập danh sách từ Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập danh sách từ Excel")
    assert_no_axe_violations(page, "import form")

    page.get_by_label("Tệp Excel (.xlsx) hoặc CSV").set_input_files(str(file))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Kết quả kiểm tra")).to_be_visible()
    rejected = page.locator("ol.rejected")
    expect(rejected).to_contain_text("Hứa Văn Trẻ")
    expect(rejected).to_contain_text("chưa đủ 18 tuổi")
    expect(page.locator(".counts")).to_contain_text("2")
    assert_no_axe_violations(page, "preview")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(LAPTOP)

    page.get_by_role("button", name=re.compile("Xác nhận nhập 2 dòng")).click()
    done = page.locator("progress.job-progress")
    expect(page.get_by_role("heading", name="Đã nhập xong")).to_be_visible(timeout=20_000)
    expect(done).to_have_attribute("value", "1")
    expect(done).to_have_attribute("max", "1")
    expect(page.locator("#job")).not_to_have_attribute("hx-trigger", re.compile("every"))
    assert_no_axe_violations(page, "import done")

    page.get_by_role("link", name="Cấp tài khoản").click()
    expect(page.get_by_text("2 người chưa có tài khoản")).to_be_visible()
    assert_no_axe_violations(page, "issue accounts")
    page.get_by_role("button", name="Cấp tài khoản và in phiếu đăng nhập").click()
    expect(page.get_by_role("heading", name="Đã cấp xong")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Đã cấp 2 tài khoản.")).to_be_visible()
    assert_no_axe_violations(page, "accounts issued")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải phiếu đăng nhập (PDF)").click()
    slip = Path(info.value.path()).read_bytes()
    text = pdf_text(slip)
    assert "Trương Thị Mỹ Hạnh" in text and "52102001" in text
    # Slips: Phước Lộc's page comes after An Phú's; the first password is Hạnh's.
    password = re.findall(r"[a-z]+-[a-z]+-\d{4}-[a-z]+-[a-z]+", text)[0]

    page.goto(live_server + "/")
    page.get_by_role("link", name=re.compile("Danh sách đảng viên — Huyện ủy Sơn Tịnh")).click()
    page.get_by_label("Tìm theo tên, số thẻ hoặc số điện thoại").fill("truong thi my hanh")
    expect(page.locator("#member-results")).to_contain_text("Trương Thị Mỹ Hạnh")
    expect(page.locator("#member-results")).not_to_contain_text("Kiều Văn Phong")
    assert_no_axe_violations(page, "member list")

    phone = new_page(viewport=PHONE)
    phone.goto(live_server + "/login?card=52102001")
    expect(phone.get_by_label("Số thẻ đảng viên hoặc số điện thoại")).to_have_value("52102001")
    phone.get_by_label("Mật khẩu", exact=True).fill(password)
    phone.get_by_role("button", name="Đăng nhập").last.click()
    expect(phone).to_have_url(re.compile(r"/account/password$"))
