"""Dates of a new or edited meeting are checked (the past refused, far ahead confirmed), the
home shows the meeting in progress first and offers its console to those who run it, and every
live region renders for every role that may see it."""

from __future__ import annotations

import re
from datetime import timedelta

from blueprints.meetings.blueprint import CONSOLE_PARTS, MEMBER_PARTS, PROJECTOR_PARTS
from blueprints.meetings.models import Meeting
from core.extensions import db
from tests.conftest import csrf_token, post_new_meeting, vietnam_now
from tests.meetings.conftest import post


def _new(client, world, starts, **extra):
    return post_new_meeting(
        client, world, starts, topic="Sinh hoạt chi bộ", place="Nhà văn hóa", **extra
    )


def test_a_meeting_in_the_past_is_refused(app, client, world, as_role):
    as_role("secretary_a")
    response = _new(client, world, vietnam_now() - timedelta(days=365))
    assert response.status_code == 200
    assert "đã qua" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Meeting).count() == 0


def test_a_meeting_far_ahead_needs_confirmation(app, client, world, as_role):
    as_role("secretary_a")
    far = vietnam_now() + timedelta(days=200)
    asked = _new(client, world, far)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "hơn ba tháng" in body
    assert 'name="confirm_far_date"' in body
    confirmed = _new(client, world, far, confirm_far_date="y")
    assert confirmed.status_code == 302
    # Editing it to the past is refused as well.
    meeting_id = int(re.search(r"/meetings/(\d+)", confirmed.headers["Location"]).group(1))
    token = csrf_token(client, f"/meetings/{meeting_id}/edit")
    edited = client.post(
        f"/meetings/{meeting_id}/edit",
        data={
            "csrf_token": token,
            "topic": "Sinh hoạt chi bộ",
            "starts_at": (vietnam_now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Nhà văn hóa",
            "chair_id": world.members["sec_a"],
            "clerk_id": world.members["mem_a"],
        },
    )
    assert edited.status_code == 200 and "đã qua" in edited.get_data(as_text=True)


def test_home_shows_the_meeting_in_progress_first_with_its_console(
    app, client, world, schedule, client_for
):
    later = schedule(starts=vietnam_now() + timedelta(days=20), topic="Buổi sau")
    now_id = schedule(starts=vietnam_now() + timedelta(hours=1), topic="Buổi đang họp")
    assert post(client, f"/meetings/{now_id}/start", htmx=False).status_code == 302
    with app.app_context():
        # A scheduled meeting dated in the past (a typo) must not hide the one in progress.
        stale = db.session.get(Meeting, later)
        stale.starts_at = stale.starts_at - timedelta(days=400)
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "Buổi đang họp" in home and "Buổi sau" not in home
    assert f"/meetings/{now_id}/console" in home and "Mở bàn điều khiển" in home
    member_home = client_for("member_a").get("/").get_data(as_text=True)
    assert "Buổi đang họp" in member_home and "Mở bàn điều khiển" not in member_home


def test_every_live_part_renders_for_every_role_that_sees_it(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    managers = {
        "secretary_a": client,
        "staff_d1": client_for("staff_d1"),
        "admin": client_for("admin"),
    }
    members = {"secretary_a": client, "member_a": client_for("member_a")}
    for stage in ("ongoing", "closed"):
        for who, c in managers.items():
            for name in CONSOLE_PARTS.keys() | PROJECTOR_PARTS.keys():
                response = c.get(f"/meetings/{meeting_id}/part/{name}")
                assert response.status_code == 200, (stage, who, name)
        for who, c in members.items():
            for name in MEMBER_PARTS:
                response = c.get(f"/meetings/{meeting_id}/part/{name}")
                assert response.status_code == 200, (stage, who, name)
        for name in ("code", "nope"):
            assert client.get(f"/meetings/{meeting_id}/part/{name}").status_code == 404
        # Others never get a 500 either: a member asking for console parts is refused.
        for name in CONSOLE_PARTS:
            assert members["member_a"].get(f"/meetings/{meeting_id}/part/{name}").status_code in (
                403,
                404,
            )
        post(client, f"/meetings/{meeting_id}/close", {"unmarked_as": "unexcused"}, htmx=False)


def test_minutes_drafted_at_close_print_the_day_in_vietnam(app, world):
    """06:30 on 15/12 in Vietnam is 23:30 UTC on 14/12: the draft, DOCX and PDF say 15/12."""
    import io
    from datetime import datetime

    from docx import Document as Docx
    from pypdf import PdfReader

    from blueprints.meetings import exports
    from blueprints.meetings import services as sv
    from blueprints.meetings.models import MeetingStatus, Minutes

    with app.test_request_context():
        meeting = Meeting(
            cell_id=world.units["A"],
            topic="Sinh hoạt tháng 12",
            place="An Phú",
            starts_at=datetime(2026, 12, 14, 23, 30),
            status=MeetingStatus.ONGOING,
            started_at=datetime(2026, 12, 14, 23, 30),
            chair_id=world.members["sec_a"],
            clerk_id=world.members["mem_a"],
        )
        db.session.add(meeting)
        sv.apply_template(meeting)
        db.session.flush()
        sv.sync_attendance(meeting)
        minutes = sv.close_meeting(meeting, unmarked_as="present")
        db.session.commit()
        minutes = db.session.get(Minutes, minutes.id)
        assert "Bắt đầu lúc 15/12/2026 06:30" in minutes.body
        doc = Docx(io.BytesIO(exports.minutes_docx(meeting, minutes)))
        header = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        pdf = PdfReader(io.BytesIO(exports.minutes_pdf(meeting, minutes)))
        pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "ngày 15/12/2026" in header and "14/12/2026" not in header
    assert "15/12/2026" in pdf_text and "14/12/2026" not in pdf_text
