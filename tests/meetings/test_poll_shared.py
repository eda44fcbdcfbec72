"""Polling phones get a change's shared message instead of re-rendering their own region.

After a console change that leaves the member's region in the same "shape" (the current item
moved, the quorum changed), each of a meeting's phones used to fetch its own region: 20
renders per change. Now the first phone's poll builds the shared message once (the parts of
the region that are the same for everyone, as push sends them) and stores it; the WSGI fast
path hands it to the other phones after one more query. A phone whose region has another
shape, another language, or someone outside the cell still gets the full answer.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from blueprints.meetings.live_models import LiveFragment
from blueprints.meetings.models import AgendaItem, Meeting
from core.extensions import db
from tests.meetings.conftest import post

SHAPE = re.compile(r'data-shape="([^"]*)"')


def _start(client, meeting_id):
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302


def _version(app, meeting_id) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).version


def _shape(member, meeting_id) -> str:
    html = member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    found = SHAPE.search(html)
    assert found, "the member's region names its shape"
    return found.group(1).replace("&#34;", '"').replace("&amp;", "&")


def _move_item(app, client, meeting_id, index: int) -> None:
    with app.app_context():
        items = db.session.scalars(
            select(AgendaItem.id)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).all()
    response = post(client, f"/meetings/{meeting_id}/current", {"item_id": items[index]})
    assert response.status_code == 200


def test_a_change_of_the_same_shape_answers_with_the_shared_message(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    _start(client, meeting_id)
    member = client_for("member_a")
    # Moving on marks item 1 done: the catch-up list appears in its shared block, the
    # region's shape stays the same.
    before, shape = _version(app, meeting_id), _shape(member, meeting_id)
    _move_item(app, client, meeting_id, 1)
    now = _version(app, meeting_id)
    assert now > before
    url = f"/meetings/{meeting_id}/live/version?v={before}&part=member"

    answer = member.get(f"{url}&shape={quote(shape, safe='')}&lang=vi")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    message = json.loads(answer.get_data(as_text=True))
    assert message["v"] == now and message["shape"] == shape and message["lang"] == "vi"
    assert set(message["parts"]) == {"head", "done"}
    assert "Nhập mã điểm danh" not in answer.get_data(as_text=True)  # nothing personal
    assert "Những nội dung đã qua" in message["parts"]["done"]
    with app.app_context():
        stored = db.session.get(LiveFragment, (meeting_id, "message", "vi"))
        assert stored is not None and stored.version == now

    # The next phone is answered by the fast path, before Flask, with the same bytes.
    cookie = member.get_cookie("sotay_session")
    environ = EnvironBuilder(
        path=f"/meetings/{meeting_id}/live/version",
        query_string=f"v={before}&part=member&shape={quote(shape, safe='')}&lang=vi",
        headers={"Cookie": f"sotay_session={cookie.value}"},
    ).get_environ()
    assert app.wsgi_app.poll_answer(environ) == answer.get_data()

    # Another shape (or no shape at all): the phone's own region, as before.
    other = member.get(f"{url}&shape=other&lang=vi")
    assert other.mimetype == "text/html" and 'id="r-member"' in other.get_data(as_text=True)
    assert member.get(url).mimetype == "text/html"
    # Another language: never the Vietnamese message from the fast path.
    environ["QUERY_STRING"] = environ["QUERY_STRING"].replace("lang=vi", "lang=en")
    assert app.wsgi_app.poll_answer(environ) is None


def test_the_shared_message_is_only_for_members_of_the_cell(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    _start(client, meeting_id)
    _move_item(app, client, meeting_id, 1)
    shape = _shape(client_for("member_a"), meeting_id)
    before = _version(app, meeting_id)
    _move_item(app, client, meeting_id, 2)
    query = f"?v={before}&part=member&shape={quote(shape, safe='')}&lang=vi"
    url = f"/meetings/{meeting_id}/live/version{query}"
    assert client_for("member_a").get(url).mimetype == "application/json"  # stored now
    # A member of another cell, and nobody logged in: the full checks refuse them.
    assert client_for("member_b").get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302
