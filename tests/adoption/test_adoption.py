"""Dashboards on a small hand-built tree: every figure, the scope limits and the exports.

The tree is conftest's province (P → D1 → G1 → cells A, B; P → D2 → cell C) with three more
members in cell A (exempt, no smartphone, probationary) and meetings whose every quality
criterion is known, so each number on the page is checked against a count done by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from blueprints.adoption import figures as figures_module
from blueprints.adoption import routes
from blueprints.adoption.figures import Figures, UnitRef, by_sub_unit, history, rank, total
from blueprints.adoption.models import DashboardMonth
from blueprints.adoption.months import VIETNAM_OFFSET, next_month, this_month
from blueprints.adoption.refresh import GRADE_FLOORS
from blueprints.meetings.models import (
    Attend,
    Attendance,
    MeetingKind,
    MeetingStatus,
)
from blueprints.meetings.services import close_meeting, grade
from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from tests.adoption.data import add_dashboard_data, add_meeting


@pytest.fixture
def figures(app, world):
    """The hand-counted data of the module docstring, refreshed into the monthly table."""
    add_dashboard_data(app, world)
    return world


def _row(cell_id: int, month=None) -> DashboardMonth:
    return db.session.scalar(
        select(DashboardMonth).where(
            DashboardMonth.unit_id == cell_id,
            DashboardMonth.leaf.is_(True),
            DashboardMonth.month == (month or this_month()),
        )
    )


def test_adoption_counts_state_the_denominator(app, figures):
    with app.app_context():
        row = _row(figures.units["A"])
        assert (row.members, row.probationary, row.exempt, row.no_smartphone) == (6, 1, 1, 1)
        assert (row.accounts, row.logged_in, row.installed, row.active_30d) == (3, 2, 1, 1)
        a = total(db.session.get(Unit, figures.units["A"]), this_month())
        assert a.denominator == 4  # 6 members, less the exempt one and the one without a phone
        assert a.install_rate == 0.25


def test_every_meeting_criterion_is_counted(app, figures):
    with app.app_context():
        row = _row(figures.units["A"])
        counted = {
            c: getattr(row, c)
            for c in (
                "held",
                "regular_held",
                "thematic_held",
                "thematic_quarter",
                "on_common_day",
                "docs_on_time",
                "with_docs",
                "present",
                "eligible",
                "spoke",
                "band_high",
                "band_mid",
                "band_low",
                "duration_ok",
                "minutes_locked",
                "minutes_in_time",
                "scored",
                "score_total",
                "grade_good",
                "grade_fair",
                "grade_average",
                "grade_poor",
                "ratings",
                "rating_points",
            )
        }
        assert counted == {
            "held": 2,
            "regular_held": 1,
            "thematic_held": 1,
            "thematic_quarter": 1,
            "on_common_day": 1,
            "docs_on_time": 1,
            "with_docs": 2,
            "present": 4,
            "eligible": 5,
            "spoke": 2,
            "band_high": 0,
            "band_mid": 1,
            "band_low": 0,
            "duration_ok": 1,
            "minutes_locked": 1,
            "minutes_in_time": 1,
            "scored": 2,
            "score_total": 181,
            "grade_good": 1,
            "grade_fair": 1,
            "grade_average": 0,
            "grade_poor": 0,
            "ratings": 2,
            "rating_points": 24,
        }
        assert _row(figures.units["B"]).held == 0
        assert _row(figures.units["C"]).held == 0
        assert _row(figures.units["C"], next_month(this_month(), -1)).grade_poor == 1


def test_expected_vs_held_rolls_up_per_sub_unit_and_month(app, figures):
    with app.app_context():
        province = db.session.get(Unit, figures.units["P"])
        rows = {f.unit.code: f for f in by_sub_unit(province, this_month())}
        assert (rows["D1"].cells, rows["D1"].cells_regular, rows["D1"].cells_not_met) == (2, 1, 1)
        assert (rows["D2"].cells, rows["D2"].cells_met) == (1, 0)
        assert rows["D1"].average_score == 90 and rows["D1"].grade == "Tốt"
        months = history(province)
        assert len(months) == 12 and months[-1].month == this_month()
        assert months[-2].held == 1 and months[-2].grade_poor == 1


def test_grade_floors_match_the_meeting_grade():
    floors = dict(GRADE_FLOORS)
    for score in range(101):
        expected = grade(score)
        if score >= floors["grade_good"]:
            assert expected == grade(90)
        elif score >= floors["grade_fair"]:
            assert expected == grade(70)
        elif score >= floors["grade_average"]:
            assert expected == grade(50)
        else:
            assert expected == grade(0)


def test_page_shows_the_figures_as_counts_and_rates(client, figures, as_role):
    as_role("staff_d1")
    page = client.get(f"/adoption/{figures.units['G1']}").get_data(as_text=True)
    assert "7 đảng viên trong 2 chi bộ" in page  # A (6) and B (1)
    assert "đã loại trừ 1 miễn sinh hoạt và 1 không có điện thoại thông minh" in page
    assert "1/5 — 20,0%" in page  # installed over the denominator (7 − 1 − 1)
    assert "Chi bộ đã sinh hoạt: 1/2 — 50,0%" in page
    assert "4/5 — 80,0%" in page  # attendance
    assert "90 điểm — Tốt" in page  # (86 + 95) / 2, rounded half to even
    assert "Chi bộ thôn Phước Lộc" in page and "1 chi bộ chưa có buổi sinh hoạt" in page
    assert "<figure" in page and "<figcaption" in page and "<title id=" in page
    assert 'style="' not in page.split("<main", 1)[-1]  # CSP: no inline style


def test_drill_down_and_breadcrumb(client, figures, as_role):
    as_role("staff_p")
    page = client.get(f"/adoption/{figures.units['P']}").get_data(as_text=True)
    assert f'href="/adoption/{figures.units["D1"]}?month=' in page
    cell = client.get(f"/adoption/{figures.units['A']}").get_data(as_text=True)
    assert 'aria-current="page">Chi bộ thôn An Phú' in cell
    for name in ("Tỉnh ủy Thử nghiệm", "Huyện ủy Sơn Tịnh", "Đảng bộ xã Tịnh Hà"):
        assert f">{name}</a>" in cell


def test_secretary_sees_members_not_yet_active(client, figures, as_role):
    as_role("secretary_a")  # signing in makes the secretary active: not listed
    page = client.get(f"/adoption/{figures.units['A']}").get_data(as_text=True)
    section = page.split('id="inactive-heading"', 1)[1]
    for name in ("Lê Đức Anh", "Huỳnh Thị Lan", "Mai Văn Tú"):
        assert name in section
    assert "Nguyễn Văn Bình" not in section and "Trần Thị Ánh" not in section
    assert "Đỗ Văn Cao" not in section  # exempt
    assert "Chưa được cấp tài khoản" in section and "Chưa đăng nhập lần nào" in section


def _table(html: str, key: str) -> str:
    """The body of one dashboard table of a page."""
    return html.split(f'id="table-{key}"', 1)[1].split("</table>", 1)[0]


def test_ranked_tables_mark_best_and_weakest_in_words(client, figures, as_role):
    as_role("staff_p")
    page = client.get(f"/adoption/{figures.units['P']}").get_data(as_text=True)
    adoption = _table(page, "adoption")
    assert "▲ 1 — Dẫn đầu" in adoption and "▼ 2 — Cần đôn đốc" in adoption


def test_sub_unit_tables_are_paged_ranks_over_all(client, figures, as_role, monkeypatch):
    monkeypatch.setattr(routes, "PER_PAGE", 1)
    as_role("staff_p")
    url = f"/adoption/{figures.units['P']}"
    first = client.get(url).get_data(as_text=True)
    table = _table(first, "adoption")
    assert "Huyện ủy Sơn Tịnh" in table and "▲ 1 — Dẫn đầu" in table
    assert "Huyện ủy Lý Sơn" not in table and "Tổng cộng" in table  # the total on every page
    assert "adoption_page=2" in first.split('id="part-adoption"', 1)[1]
    assert 'hx-target="#part-adoption"' in first
    # The pager's htmx request gets the one table back, the weakest still marked.
    second = client.get(
        f"{url}?adoption_page=2", headers={"HX-Request": "true", "HX-Target": "part-adoption"}
    ).get_data(as_text=True)
    assert second.lstrip().startswith('<div id="part-adoption"') and "<h2" not in second
    assert "Huyện ủy Lý Sơn" in second and "▼ 2 — Cần đôn đốc" in second
    assert "Huyện ủy Sơn Tịnh" not in second and "Tổng cộng" in second
    # Without htmx the same URL is the whole page (a pushed URL works on its own).
    assert "<html" in client.get(f"{url}?adoption_page=2").get_data(as_text=True)
    # The exports carry every row whatever the page.
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data))
    names = [r[0] for r in book["adoption"].iter_rows(min_row=3, values_only=True)]
    assert names == ["Huyện ủy Sơn Tịnh", "Huyện ủy Lý Sơn", "Tổng cộng"]
    csv_text = client.get(f"{url}.csv?table=not_met").get_data(as_text=True)
    assert "Chi bộ thôn Phước Lộc" in csv_text and "Chi bộ thôn An Vĩnh" in csv_text


def test_search_keeps_matching_units_and_their_rank(client, figures, as_role):
    as_role("staff_p")
    url = f"/adoption/{figures.units['P']}"
    page = client.get(f"{url}?q=ly+son", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.lstrip().startswith('<div id="adoption-table"')
    adoption = _table(page, "adoption")
    assert "Huyện ủy Lý Sơn" in adoption and "Huyện ủy Sơn Tịnh" not in adoption
    assert "▼ 2 — Cần đôn đốc" in adoption  # its place among all sub-units
    assert "Đơn vị có tên chứa “ly son”: 1." in page
    cells = client.get(f"{url}?q=PHƯỚC").get_data(as_text=True)  # any case, any diacritics
    not_met = _table(cells, "not_met")
    assert "Chi bộ thôn Phước Lộc" in not_met and "Chi bộ thôn An Vĩnh" not in not_met
    none = client.get(f"{url}?q=zzz").get_data(as_text=True)
    assert "Không có dòng nào khớp với từ tìm kiếm." in none
    assert 'value="zzz"' in none


def test_unit_chart_keeps_the_best_and_weakest_when_many():
    many = [Figures(unit=UnitRef(i, f"U{i}", f"Đơn vị {i}"), counts={"members": 10,
            "installed": 10 - i % 10}) for i in range(30)]  # fmt: skip
    ranked = rank(many, key=lambda f: f.install_rate)
    bars = routes._bars(ranked)
    assert len(bars) == 2 * routes.CHART_ENDS + 1
    assert bars[0][2] == "best" and bars[-1][2] == "weakest"
    assert bars[routes.CHART_ENDS][2] == "gap" and bars[routes.CHART_ENDS][1] is None
    assert [p.position for p in ranked[:4]] == [1, 1, 1, 4]  # equal rates share a place
    few = rank(many[:12], key=lambda f: f.install_rate)
    assert len(routes._bars(few)) == 12


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".csv", ".pdf"])
def test_scope_limits_every_page_and_export(client, figures, as_role, suffix):
    as_role("staff_d2")
    assert client.get(f"/adoption/{figures.units['D2']}{suffix}").status_code == 200
    for other in ("D1", "G1", "A", "P"):
        assert client.get(f"/adoption/{figures.units[other]}{suffix}").status_code == 404


def test_secretary_cannot_see_another_cell(client, figures, as_role):
    as_role("secretary_a")
    assert client.get("/adoption/").headers["Location"].endswith(f"/adoption/{figures.units['A']}")
    assert client.get(f"/adoption/{figures.units['B']}.csv").status_code == 404


def test_plain_members_have_no_dashboard(client, world, as_role):
    as_role("member_a")
    assert client.get("/adoption/").status_code == 403
    assert client.get(f"/adoption/{world.units['A']}").status_code == 403


def test_month_switch_swaps_only_the_figures(client, figures, as_role):
    as_role("staff_d1")
    last = next_month(this_month(), -1)
    response = client.get(
        f"/adoption/{figures.units['D1']}?month={last:%Y-%m}", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="adoption-table"') and "<html" not in html
    assert client.get(f"/adoption/{figures.units['D1']}?month=2019-13").status_code == 200


def test_xlsx_has_the_page_numbers_and_escapes_formulas(app, client, figures, as_role):
    with app.app_context():
        db.session.get(Unit, figures.units["G1"]).name = '=HYPERLINK("http://x","bấm")'
        db.session.commit()
    as_role("staff_p")
    response = client.get(f"/adoption/{figures.units['D1']}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["adoption", "quality", "history", "not_met"]
    rows = list(book["adoption"].iter_rows(values_only=True))
    assert rows[1][0] == "Đơn vị"
    g1 = rows[2]
    assert g1[0].startswith("'=")  # shown as text, never run
    assert g1[2:10] == (7, 1, 1, 1, 5, 4, 2, 1)  # B's member has an account too
    assert g1[11] == pytest.approx(0.2)
    quality = list(book["quality"].iter_rows(values_only=True))[2]
    assert quality[2:9] == (2, 1, 1, 1, 2, 1, 1) and quality[17:19] == (90, "Tốt")
    text = client.get(f"/adoption/{figures.units['D1']}.csv?table=adoption").get_data(as_text=True)
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed[1][0].startswith("'=HYPERLINK") and parsed[1][11] == "20,0%"


def test_monthly_pdf_report(client, figures, as_role):
    as_role("staff_d1")
    response = client.get(f"/adoption/{figures.units['D1']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Huyện ủy Sơn Tịnh" in text and "1/5 — 20,0%" in text
    assert "Đảng bộ xã Tịnh Hà" in text


def test_a_closed_meeting_shows_up_at_once(app, client, figures, as_role):
    with app.app_context():
        meeting = add_meeting(
            figures.units["B"],
            MeetingKind.REGULAR,
            utcnow() - timedelta(minutes=95),
            0,
            None,
            status=MeetingStatus.ONGOING,
        )
        meeting.ended_at = None
        db.session.add(
            Attendance(
                meeting_id=meeting.id, member_id=figures.members["mem_b"], status=Attend.PRESENT
            )
        )
        close_meeting(meeting)
        db.session.commit()
        row = _row(figures.units["B"], (meeting.started_at + VIETNAM_OFFSET).date().replace(day=1))
        assert row.held == 1 and row.present == 1 and row.scored == 1


def test_refresh_command(app, runner, figures):
    result = runner.invoke(args=["dashboard", "refresh", "--months", "2"])
    assert result.exit_code == 0 and "rows" in result.output
    with app.app_context():
        assert _row(figures.units["A"]).held == 2


def test_secretary_declares_a_member_without_smartphone(app, client, figures, as_role):
    from tests.conftest import csrf_token

    as_role("secretary_a")
    page = f"/adoption/{figures.units['A']}"
    token = csrf_token(client, page)
    url = f"{page}/members/{figures.members['new_a']}/smartphone"
    response = client.post(url, data={"csrf_token": token, "no_smartphone": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert _row(figures.units["A"]).no_smartphone == 2  # recounted at once
    html = client.get(page).get_data(as_text=True)
    assert "đã loại trừ 1 miễn sinh hoạt và 2 không có điện thoại thông minh" in html
    assert "Bỏ ghi nhận không có điện thoại" in html
    # Another cell's member, or a cell outside the secretary's: not found.
    other = f"/adoption/{figures.units['B']}/members/{figures.members['mem_b']}/smartphone"
    assert client.post(other, data={"csrf_token": token, "no_smartphone": "1"}).status_code == 404
    wrong = f"{page}/members/{figures.members['mem_b']}/smartphone"
    assert client.post(wrong, data={"csrf_token": token, "no_smartphone": "1"}).status_code == 404
    assert client.post(url, data={"no_smartphone": "1"}).status_code == 400  # no CSRF token


def test_a_small_subtree_is_recounted_on_view_when_stale(
    app, client, figures, as_role, monkeypatch
):
    """The unit's rollup row says when its subtree was last counted and how many cells it has:
    a small one older than STALE is recounted on view, a large one waits for the nightly job."""
    with app.app_context():
        db.session.get(Member, figures.members["mem_b"]).no_smartphone = True
        old = utcnow() - figures_module.STALE - timedelta(minutes=1)
        db.session.execute(update(DashboardMonth).values(refreshed_at=old))
        db.session.commit()
    as_role("staff_d1")
    monkeypatch.setattr(figures_module, "LIVE_CELLS", 1)  # G1 (two cells) counts as large
    client.get(f"/adoption/{figures.units['G1']}")
    with app.app_context():
        assert _row(figures.units["B"]).no_smartphone == 0
    monkeypatch.setattr(figures_module, "LIVE_CELLS", 300)
    page = client.get(f"/adoption/{figures.units['G1']}").get_data(as_text=True)
    assert "đã loại trừ 1 miễn sinh hoạt và 2 không có điện thoại thông minh" in page
    with app.app_context():
        assert _row(figures.units["B"]).no_smartphone == 1
