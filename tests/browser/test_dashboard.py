"""The committee dashboard in Chromium: drill down to a cell and back, read a chart and its
table, download the XLSX and the PDF (the XLSX has the page's numbers), axe in large text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from blueprints.adoption import routes
from tests.adoption.data import add_dashboard_data
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    assert_no_axe_violations,
    login_in_browser,
    open_settings,
)
from tests.conftest import PASSWORD


def _number(text: str) -> int:
    return int(text.replace(".", "").strip())


def test_staff_drill_down_read_chart_and_download(app, live_server, new_page):
    world = live_server.world
    add_dashboard_data(app, world)
    page = new_page(viewport=LAPTOP, accept_downloads=True)
    login_in_browser(page, live_server, world.logins["staff_p"], PASSWORD)
    page.goto(live_server + "/adoption/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tỉnh ủy Thử nghiệm")

    # Down: province → committee → grassroots committee → cell, through the ranked table.
    adoption = page.locator("#table-adoption")
    adoption.get_by_role("link", name="Huyện ủy Sơn Tịnh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Huyện ủy Sơn Tịnh")
    page.locator("#table-adoption").get_by_role("link", name="Đảng bộ xã Tịnh Hà").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đảng bộ xã Tịnh Hà")
    members_on_page = _number(
        page.locator("#table-adoption tr", has_text="Chi bộ thôn An Phú")
        .locator("td")
        .nth(1)
        .inner_text()
    )
    page.locator("#table-adoption").get_by_role("link", name="Chi bộ thôn An Phú").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chi bộ thôn An Phú")
    expect(page.locator("#table-inactive")).to_contain_text("Lê Đức Anh")

    # Back up by the breadcrumb.
    crumbs = page.get_by_role("navigation", name="Vị trí")
    crumbs.get_by_role("link", name="Huyện ủy Sơn Tịnh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Huyện ủy Sơn Tịnh")

    # A chart and the table after it carry the same numbers.
    figure = page.locator("figure", has=page.locator("#chart-grades-title"))
    expect(figure.locator("figcaption")).to_have_text("Phân loại các buổi sinh hoạt trong tháng")
    drawn = [t.strip() for t in figure.locator("text.chart-value").all_text_contents()]
    tabled = [t.strip() for t in page.locator("#table-grades td").all_inner_texts()]
    assert drawn == tabled == ["1", "1", "0", "0"]
    assert "Tốt 1, Khá 1" in figure.locator("desc").text_content()

    # The workbook holds the page's numbers.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về Excel (mọi bảng)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = {r[0]: r for r in book["adoption"].iter_rows(min_row=3, values_only=True)}
    page_row = page.locator("#table-adoption tr", has_text="Đảng bộ xã Tịnh Hà").locator("td")
    shown = [page_row.nth(i).inner_text() for i in (1, 5, 8)]  # members, denominator, installed
    assert [rows["Đảng bộ xã Tịnh Hà"][i] for i in (2, 6, 9)] == [_number(v) for v in shown]
    assert rows["Đảng bộ xã Tịnh Hà"][2] == 7 and members_on_page == 6
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo tháng (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert re.search(r"so-lieu-D1-\d{4}-\d{2}\.pdf", download.value.suggested_filename)


def test_dashboard_in_large_text_has_no_axe_violations(app, live_server, new_page):
    world = live_server.world
    add_dashboard_data(app, world)
    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, world.logins["staff_d1"], PASSWORD)
    page.goto(live_server + "/")
    open_settings(page)  # on a phone the display settings sit behind "Cài đặt"
    page.get_by_role("button", name="Chữ lớn: Tắt").click()
    page.wait_for_load_state()
    for unit in ("D1", "G1", "A"):
        page.goto(f"{live_server}/adoption/{world.units[unit]}")
        page.wait_for_load_state()
        assert_no_axe_violations(page, f"dashboard of {unit} in large text")
        page.set_viewport_size({"width": 320, "height": 640})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"dashboard of {unit} scrolls sideways at 320 px"
        page.set_viewport_size(PHONE)


def test_province_pages_and_searches_sub_units(app, live_server, new_page, monkeypatch):
    """One row a page (as if the province had hundreds of sub-units): the pager swaps the table
    alone, the weakest unit keeps its mark on the last page, the search box narrows the list;
    axe finds nothing in large text."""
    monkeypatch.setattr(routes, "PER_PAGE", 1)
    world = live_server.world
    add_dashboard_data(app, world)
    page = new_page(viewport=PHONE)
    login_in_browser(page, live_server, world.logins["staff_p"], PASSWORD)
    page.goto(live_server + "/")
    open_settings(page)
    page.get_by_role("button", name="Chữ lớn: Tắt").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/adoption/{world.units['P']}")
    table = page.locator("#table-adoption")
    expect(table).to_contain_text("1 — Dẫn đầu")
    expect(table).not_to_contain_text("Huyện ủy Lý Sơn")
    page.locator("#part-adoption").get_by_role("link", name="Trang sau").click()
    expect(table).to_contain_text("Huyện ủy Lý Sơn")
    expect(table).to_contain_text("2 — Cần đôn đốc")
    expect(page).to_have_url(re.compile(r"adoption_page=2"))
    assert_no_axe_violations(page, "province dashboard, second page, large text")

    page.get_by_label("Tìm đơn vị, chi bộ theo tên").fill("son tinh")
    expect(page.locator("#table-adoption")).to_contain_text("Huyện ủy Sơn Tịnh")
    expect(page.locator("#table-adoption")).not_to_contain_text("Huyện ủy Lý Sơn")
    expect(page.get_by_role("status").filter(has_text="Đơn vị có tên chứa")).to_contain_text("1")
    assert_no_axe_violations(page, "province dashboard, searched, large text")
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "province dashboard scrolls sideways at 320 px"
