"""The push path and its fallback: without a gateway nothing changes (the page polls); with
one, each committed change is published once with the shared parts, a dead gateway never
fails the action, and only members of the meeting's cell may listen."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from blueprints.meetings import push
from blueprints.meetings.models import AgendaItem, Meeting
from core.extensions import db
from tests.meetings.conftest import post


class Recorder:
    """Stands for the publish thread pool: keeps what would have been sent."""

    def __init__(self):
        self.sent = []

    def submit(self, fn, url, data, timeout, logger):
        self.sent.append((url, json.loads(data)))
        push._waiting.release()


@pytest.fixture
def gateway(app, monkeypatch):
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_URL", "http://127.0.0.1:9/pub/meeting")
    monkeypatch.setitem(app.config, "NCHAN_SUBSCRIBE_URL", "/push/meeting")
    recorder = Recorder()
    monkeypatch.setattr(push, "_pool", recorder)
    return recorder


def _started(app, client, schedule):
    meeting_id = schedule()
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    with app.app_context():
        items = db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).all()
        return meeting_id, items[1].id, items[1].title


def test_without_a_gateway_the_page_polls_and_nothing_is_published(
    app, client, world, schedule, client_for, monkeypatch
):
    recorder = Recorder()
    monkeypatch.setattr(push, "_pool", recorder)
    meeting_id, second_id, _ = _started(app, client, schedule)
    assert (
        post(client, f"/meetings/{meeting_id}/current", {"item_id": second_id}).status_code == 200
    )
    page = client_for("member_a").get(f"/meetings/{meeting_id}/live").get_data(as_text=True)
    assert "data-push-url" not in page and "live-push.js" not in page
    assert "data-version-url" in page  # the poll, exactly as before
    assert recorder.sent == []


def test_each_change_is_published_once_with_the_shared_parts(
    app, client, world, schedule, client_for, gateway
):
    meeting_id, second_id, second_title = _started(app, client, schedule)
    assert [url for url, _ in gateway.sent] == [f"http://127.0.0.1:9/pub/meeting/{meeting_id}"]
    gateway.sent.clear()
    assert (
        post(client, f"/meetings/{meeting_id}/current", {"item_id": second_id}).status_code == 200
    )
    assert len(gateway.sent) == 1
    _, message = gateway.sent[0]
    with app.app_context():
        assert message["v"] == db.session.get(Meeting, meeting_id).version
    assert message["lang"] == "vi"
    assert second_title in message["parts"]["head"]
    # The phone's page listens, and its region carries the same shape (so it applies the
    # message in place instead of asking the app again).
    page = client_for("member_a").get(f"/meetings/{meeting_id}/live").get_data(as_text=True)
    assert f'data-push-url="/push/meeting/{meeting_id}"' in page and "live-push.js" in page
    assert f'data-shape="{message["shape"]}"' in page
    assert 'data-shared="head"' in page

    # A motion opening changes the shape: phones then fetch their own region once.
    assert (
        post(
            client,
            f"/meetings/{meeting_id}/motions",
            {"text": "Thông qua", "majority": "all", "confirm_no_quorum": "1"},
        ).status_code
        == 200
    )
    assert gateway.sent[-1][1]["shape"] != message["shape"]


def test_a_dead_gateway_never_fails_the_action(app, client, world, schedule, monkeypatch):
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_URL", "http://127.0.0.1:9/pub/meeting")
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_TIMEOUT", 0.2)
    meeting_id, second_id, _ = _started(app, client, schedule)  # publishes into the void
    assert (
        post(client, f"/meetings/{meeting_id}/current", {"item_id": second_id}).status_code == 200
    )
    if push._pool is not None:
        push._pool.shutdown(wait=True)  # the failed posts ended quietly
        push._pool = None


def test_only_members_of_the_cell_may_listen(app, client, world, schedule, client_for):
    meeting_id, _, _ = _started(app, client, schedule)
    url = f"/meetings/{meeting_id}/live/push-auth"
    assert client_for("member_a").get(url).status_code == 204
    assert client_for("member_b").get(url).status_code == 403
    assert client_for("staff_d1").get(url).status_code == 403
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 403  # bare, never a redirect the gateway could let through
    assert client_for("member_a").get("/meetings/987654/live/push-auth").status_code == 403
