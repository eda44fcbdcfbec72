"""Editing a scheduled meeting: who may, what is checked, what is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import RoleAssignment
from blueprints.meetings.models import Meeting
from core.extensions import db
from tests.conftest import csrf_token
from tests.meetings.conftest import post


def _form(client, meeting_id, world, **overrides):
    token = csrf_token(client, "/meetings/")
    return {
        "csrf_token": token,
        "topic": "Sinh hoạt chi bộ tháng 12 (dời lịch)",
        "starts_at": (datetime.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Hội trường Ủy ban xã Tịnh Hà",
        "chair_id": world.members["sec_a"],
        "clerk_id": world.members["new_a"],
        "guests": "Đồng chí Bí thư Đảng ủy xã",
    } | overrides


def _meeting(app, meeting_id):
    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return m.topic, m.place, m.clerk_id, m.starts_at, m.version


def test_secretary_edits_scheduled_meeting_and_it_is_audited(app, client, world, schedule):
    meeting_id = schedule()
    before = _meeting(app, meeting_id)
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/edit" in page
    form = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert "Nhà văn hóa thôn An Phú" in form  # prefilled with what was announced

    response = client.post(f"/meetings/{meeting_id}/edit", data=_form(client, meeting_id, world))
    assert response.status_code == 302
    topic, place, clerk_id, starts_at, version = _meeting(app, meeting_id)
    assert topic == "Sinh hoạt chi bộ tháng 12 (dời lịch)"
    assert place == "Hội trường Ủy ban xã Tịnh Hà"
    assert clerk_id == world.members["new_a"]
    assert starts_at > before[3] + timedelta(days=1)
    assert version > before[4]  # live pages and home cards pick the change up
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meeting.edit"))
        assert entry is not None and entry.actor_id == world.users["secretary_a"]
        changes = entry.details["changes"]
        assert changes["place"] == ["Nhà văn hóa thôn An Phú", "Hội trường Ủy ban xã Tịnh Hà"]
        assert changes["clerk_id"] == [world.members["mem_a"], world.members["new_a"]]
        assert "starts_at" in changes and "topic" in changes


def test_edit_validation_in_vietnamese_and_nothing_half_written(app, client, world, schedule):
    meeting_id = schedule()
    before = _meeting(app, meeting_id)
    past = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/meetings/{meeting_id}/edit", data=_form(client, meeting_id, world, starts_at=past)
    )
    assert response.status_code == 200
    assert "đã qua. Đồng chí hãy kiểm tra lại ngày, tháng, năm" in response.get_data(as_text=True)
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data=_form(client, meeting_id, world, clerk_id=world.members["mem_b"], place=""),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đồng chí hãy điền mục này." in body
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data=_form(client, meeting_id, world, clerk_id=world.members["mem_b"]),
    )
    assert response.status_code == 200
    assert "Chủ trì và thư ký phải là đảng viên của chi bộ." in response.get_data(as_text=True)
    assert _meeting(app, meeting_id) == before


def test_only_the_cells_leaders_edit_and_only_before_the_start(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    before = _meeting(app, meeting_id)
    with app.app_context():  # member_b becomes secretary of ANOTHER cell
        db.session.add(
            RoleAssignment(
                user_id=world.users["member_b"], role="secretary", unit_id=world.units["B"]
            )
        )
        db.session.commit()
    for name in ("member_a", "member_b", "staff_d1"):
        other = client_for(name)
        assert other.get(f"/meetings/{meeting_id}/edit").status_code in (403, 404), name
        token = csrf_token(other, "/meetings/")
        data = _form(client, meeting_id, world) | {"csrf_token": token}
        assert other.post(f"/meetings/{meeting_id}/edit", data=data).status_code in (403, 404)
        assert f"/meetings/{meeting_id}/edit" not in other.get(f"/meetings/{meeting_id}").get_data(
            as_text=True
        )
    assert _meeting(app, meeting_id) == before

    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    response = post(client, f"/meetings/{meeting_id}/edit", _form(client, meeting_id, world))
    assert response.status_code == 409
    assert "Chỉ sửa được buổi sinh hoạt chưa bắt đầu" in response.get_data(as_text=True)
    assert _meeting(app, meeting_id)[:4] == before[:4]


def test_cells_own_quorum_rule_carries_to_the_next_meeting(app, client, world, schedule):
    schedule(quorum_percent="75")
    page = client.get(f"/meetings/new?cell_id={world.units['A']}").get_data(as_text=True)
    assert 'name="quorum_percent"' in page
    assert 'value="75"' in page


def test_unfinished_tasks_carry_over_until_done(app, world):
    from blueprints.meetings import services as sv
    from blueprints.meetings.models import MeetingStatus, Task

    now = datetime.now()
    with app.app_context():
        meetings = []
        for months_ago in (2, 1, 0):
            m = Meeting(
                cell_id=world.units["A"],
                topic=f"Tháng trước {months_ago}",
                place="Nhà văn hóa",
                starts_at=now - timedelta(days=30 * months_ago),
                status=MeetingStatus.CLOSED if months_ago else MeetingStatus.SCHEDULED,
            )
            db.session.add(m)
            db.session.flush()
            meetings.append(m)
        oldest, previous, current = meetings
        for meeting, text, done in (
            (oldest, "Sửa mái nhà văn hóa", False),
            (oldest, "Thu đảng phí quý I", True),
            (previous, "Vận động đóng góp làm đường", False),
            (previous, "Thăm hỏi gia đình chính sách", True),
        ):
            db.session.add(
                Task(meeting_id=meeting.id, cell_id=meeting.cell_id, description=text, done=done)
            )
        other_cell = Meeting(cell_id=world.units["B"], topic="Chi bộ khác", place="", starts_at=now)
        db.session.add(other_cell)
        db.session.flush()
        db.session.add(
            Task(meeting_id=other_cell.id, cell_id=world.units["B"], description="Việc chi bộ B")
        )
        db.session.commit()
        review = [t.description for t in sv.tasks_to_review(current)]
        # The unfinished task of two months ago is still there; the finished one is not; the
        # previous meeting's tasks are all listed; another cell's never.
        assert review == [
            "Sửa mái nhà văn hóa",
            "Vận động đóng góp làm đường",
            "Thăm hỏi gia đình chính sách",
        ]
