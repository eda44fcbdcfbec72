"""Adoption figures: counted per subtree, scoped to the user's units, exported to Excel."""

import io
from datetime import timedelta

import openpyxl

from blueprints.adoption.figures import VIETNAM_OFFSET
from blueprints.auth.models import User
from blueprints.meetings.models import Meeting, MeetingStatus, Minutes
from blueprints.pwa.models import AppInstall
from core.extensions import db
from core.models import utcnow


def _activity(app, world):
    """member_a has logged in and installed the app; cell A met this month, minutes locked."""
    with app.app_context():
        user = db.session.get(User, world.users["member_a"])
        user.last_login_at = utcnow()
        db.session.add(AppInstall(user_id=user.id, platform="android", source="standalone"))
        # Noon in Vietnam on the first day of this month: inside the month in any time zone.
        local_month = (utcnow() + VIETNAM_OFFSET).replace(day=1, hour=12, minute=0)
        held = local_month - VIETNAM_OFFSET
        meeting = Meeting(
            cell_id=world.units["A"],
            topic="Sinh hoạt định kỳ",
            starts_at=held,
            started_at=held,
            ended_at=held + timedelta(minutes=95),
            status=MeetingStatus.CLOSED,
            quality_score=86,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(Minutes(meeting_id=meeting.id, body="…", locked_at=utcnow()))
        # A second, thematic meeting of the same cell this month: the average is over both.
        db.session.add(
            Meeting(
                cell_id=world.units["A"],
                topic="Sinh hoạt chuyên đề",
                starts_at=held + timedelta(days=1),
                started_at=held + timedelta(days=1),
                status=MeetingStatus.CLOSED,
                quality_score=61,
            )
        )
        # A meeting of cell B two months ago does not count for this month.
        old = held - timedelta(days=62)
        db.session.add(
            Meeting(
                cell_id=world.units["B"],
                topic="Cũ",
                starts_at=old,
                started_at=old,
                status=MeetingStatus.CLOSED,
                quality_score=10,
            )
        )
        db.session.commit()


def test_staff_see_their_subtree_counted(app, client, world, as_role):
    _activity(app, world)
    as_role("staff_d1")
    response = client.get("/adoption/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/adoption/{world.units['D1']}")
    page = client.get(f"/adoption/{world.units['D1']}").get_data(as_text=True)
    assert "Đảng bộ xã Tịnh Hà" in page  # the row of the sub-unit
    assert "Đảng viên: 4, trong 2 chi bộ" in page
    assert "Đã đăng nhập ít nhất một lần: 1" in page
    assert "Đã cài ứng dụng lên điện thoại: 1 " in page
    assert "Chi bộ đã sinh hoạt trên ứng dụng trong tháng: 1 " in page
    # (86 + 61) / 2, rounded; cell B's meeting of two months ago is not in this month.
    assert "Chất lượng sinh hoạt bình quân: 74 điểm — Khá" in page and "2 buổi đã chấm" in page
    assert '<td class="num">74 — Khá</td>' in page  # the sub-unit's row
    assert client.get(f"/adoption/{world.units['C']}").status_code == 404
    assert client.get(f"/adoption/{world.units['P']}").status_code == 404


def test_province_staff_see_every_committee(app, client, world, as_role):
    as_role("staff_p")
    page = client.get(f"/adoption/{world.units['P']}").get_data(as_text=True)
    assert "Huyện ủy Sơn Tịnh" in page and "Huyện ủy Lý Sơn" in page
    assert "Đảng viên: 5, trong 3 chi bộ" in page


def test_secretary_sees_own_cell_only(client, world, as_role):
    as_role("secretary_a")
    assert client.get("/adoption/").headers["Location"].endswith(f"/adoption/{world.units['A']}")
    assert client.get(f"/adoption/{world.units['A']}").status_code == 200
    assert client.get(f"/adoption/{world.units['B']}").status_code == 404


def test_plain_members_have_no_adoption_page(client, world, as_role):
    as_role("member_a")
    assert client.get("/adoption/").status_code == 403
    assert client.get(f"/adoption/{world.units['A']}").status_code == 403


def test_month_switch_swaps_only_the_table(app, client, world, as_role):
    _activity(app, world)
    as_role("staff_d1")
    last = (utcnow() + VIETNAM_OFFSET).replace(day=1) - timedelta(days=1)
    response = client.get(
        f"/adoption/{world.units['D1']}?month={last:%Y-%m}", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert "Chi bộ đã sinh hoạt trên ứng dụng trong tháng: 0" in html
    # An unknown month falls back to this month instead of failing.
    assert client.get(f"/adoption/{world.units['D1']}?month=2019-13").status_code == 200


def test_excel_export_opens_with_the_same_figures(app, client, world, as_role):
    _activity(app, world)
    as_role("staff_p")
    response = client.get(f"/adoption/{world.units['P']}.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Đơn vị"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Huyện ủy Sơn Tịnh"][1:6] == (2, 4, 4, 1, 1)
    assert by_name["Huyện ủy Lý Sơn"][1:4] == (1, 1, 1)
    assert by_name["Tổng cộng"][7] == 1
    assert by_name["Huyện ủy Sơn Tịnh"][9:12] == (2, 74, "Khá")
    assert by_name["Huyện ủy Lý Sơn"][9:12] == (0, None, None)
