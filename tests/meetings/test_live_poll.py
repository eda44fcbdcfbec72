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
    assert "Bạn đã điểm danh" not in html and 'name="code"' in html  # this member's own state

    # Leaders above the cell (not members of it) get the version only, never a member region.
    staff = client_for("staff_d1").get(url)
    assert staff.status_code == 200 and staff.mimetype == "text/plain"
    # Members of another cell are refused as before.
    assert client_for("member_b").get(url).status_code == 403
