"""The member's poll answers with the refreshed region itself when the version moved."""

from __future__ import annotations

from sqlalchemy import select

from blueprints.meetings.models import AgendaItem, Meeting
from core.extensions import db
from tests.meetings.conftest import post


def test_moved_version_brings_the_member_region_in_the_same_answer(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    with app.app_context():
        version = db.session.get(Meeting, meeting_id).version
        second = db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).all()[1]
        second_id, second_title = second.id, second.title
    url = f"/meetings/{meeting_id}/live/version?v={version}&part=member"
    member = client_for("member_a")
    assert member.get(url).status_code == 204  # nothing changed: no body, no template

    assert (
        post(client, f"/meetings/{meeting_id}/current", {"item_id": second_id}).status_code == 200
    )
    answer = member.get(url)
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    assert int(answer.headers["X-Meeting-Version"]) > version
    assert answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="r-member"')
    assert second_title in html  # the new current item, in the same round trip
    assert "Đồng chí đã điểm danh" not in html and 'name="code"' in html  # this member's own state

    # Leaders above the cell (not members of it) get the version only, never a member region.
    staff = client_for("staff_d1").get(url)
    assert staff.status_code == 200 and staff.mimetype == "text/plain"
    # Members of another cell are refused as before.
    assert client_for("member_b").get(url).status_code == 404


def test_shared_part_rendered_once_per_version_and_kept_in_the_database(
    app, client, world, schedule, client_for
):
    from blueprints.meetings.live_models import LiveFragment

    meeting_id = schedule()
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    url = f"/meetings/{meeting_id}/part/member"
    first = client_for("member_a").get(url, headers={"HX-Request": "true"})
    with app.app_context():
        version = db.session.get(Meeting, meeting_id).version
        rows = db.session.execute(
            select(LiveFragment.name, LiveFragment.version, LiveFragment.html).where(
                LiveFragment.meeting_id == meeting_id
            )
        ).all()
        assert {r.name for r in rows} == {"head", "done"}
        assert all(r.version == version for r in rows)
        # Tamper with the stored head: a second member at the same version gets it back,
        # which proves it was read, not rendered again.
        db.session.execute(
            LiveFragment.__table__.update()
            .where(LiveFragment.meeting_id == meeting_id, LiveFragment.name == "head")
            .values(html='<div class="card">DẤU-THỬ</div>')
        )
        db.session.commit()
    assert "Đủ số lượng" in first.get_data(as_text=True) or "Chưa đủ số lượng" in (
        first.get_data(as_text=True)
    )
    second = client_for("secretary_a").get(url, headers={"HX-Request": "true"})
    assert "DẤU-THỬ" in second.get_data(as_text=True)
    # Personal cards are never shared: the secretary sees their own roll-call state.
    assert 'name="code"' in second.get_data(as_text=True)
    # A change moves the version: the head is rendered afresh and stored under it.
    assert post(client, f"/meetings/{meeting_id}/speak").status_code == 200
    third = client_for("member_a").get(url, headers={"HX-Request": "true"})
    assert "DẤU-THỬ" not in third.get_data(as_text=True)
    with app.app_context():
        new_version = db.session.get(Meeting, meeting_id).version
        head = db.session.get(LiveFragment, (meeting_id, "head", "vi"))
        assert new_version > version and head.version == new_version
