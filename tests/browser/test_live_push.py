"""The member's phone both ways: through the push gateway (nginx + nchan) it applies a change
without asking the app again; with a push URL but no gateway answering it falls back to
polling and still shows the change. The push case is skipped, saying what to install, where
nginx with nchan is missing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.meetings.models import AgendaItem
from core.extensions import db
from deploy import cluster
from tests.browser.conftest import PHONE, login_in_browser
from tests.conftest import PASSWORD, login, post_new_meeting, vietnam_now
from tests.meetings.conftest import post


def _started_meeting(app, world) -> tuple:
    """Cell A's secretary (a Flask test client) schedules and starts a meeting."""
    secretary = app.test_client()
    assert login(secretary, world.logins["secretary_a"]).status_code == 302
    starts = vietnam_now() + timedelta(hours=1)
    answer = post_new_meeting(secretary, world, starts, topic="Sinh hoạt chi bộ ngày chung")
    meeting_id = int(re.search(r"/meetings/(\d+)", answer.headers["Location"]).group(1))
    assert post(secretary, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    with app.app_context():
        items = db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).all()
        third = (items[2].id, items[2].title)
        second = (items[1].id, items[1].title)
    return secretary, meeting_id, third, second


def _phone(new_page, base, world, meeting_id):
    phone = new_page(viewport=PHONE)
    login_in_browser(phone, base, world.logins["member_a"], PASSWORD)
    phone.goto(f"{base}/meetings/{meeting_id}/live")
    expect(phone.locator("#r-member")).to_contain_text("Điểm danh")
    return phone


def test_without_a_gateway_answering_the_phone_polls(app, live_server, new_page, monkeypatch):
    # A push URL is configured but nothing serves it (the app alone, no nginx in front).
    monkeypatch.setitem(app.config, "NCHAN_SUBSCRIBE_URL", "/push/meeting")
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_URL", "http://127.0.0.1:9/pub/meeting")
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_TIMEOUT", 0.2)
    secretary, meeting_id, (item_id, title), _ = _started_meeting(app, live_server.world)
    phone = _phone(new_page, live_server, live_server.world, meeting_id)
    assert phone.locator("[data-push-url]").count() == 1
    assert (
        post(secretary, f"/meetings/{meeting_id}/current", {"item_id": item_id}).status_code == 200
    )
    expect(phone.locator("#r-member .current-item")).to_contain_text(title)
    assert phone.evaluate("window.sotayLive.pushOpen") is False
    assert phone.locator("#r-member[data-pushed]").count() == 0  # it came by the poll


@pytest.fixture
def gateway(app, live_server, tmp_path, monkeypatch):
    """nginx + nchan (memory store) in front of the live server; yields its base URL."""
    missing = cluster.missing_tools()
    if missing:
        pytest.skip("push gateway not installed: " + ", ".join(missing))
    from bench._common import free_port

    app_port = int(live_server.rsplit(":", 1)[1])
    port, pub_port = free_port(), free_port()
    conf = cluster.render_nginx(tmp_path, "browser", port, pub_port, app_port, app_port)
    proc = cluster.start_nginx(conf, tmp_path, port)
    monkeypatch.setitem(app.config, "NCHAN_SUBSCRIBE_URL", "/push/meeting")
    monkeypatch.setitem(app.config, "NCHAN_PUBLISH_URL", f"http://127.0.0.1:{pub_port}/pub/meeting")
    yield f"http://127.0.0.1:{port}"
    cluster.stop_pid(proc.pid)


def test_through_the_gateway_the_phone_applies_the_push(app, live_server, gateway, new_page):
    secretary, meeting_id, (item_id, title), (second_id, second) = _started_meeting(
        app, live_server.world
    )
    phone = _phone(new_page, gateway, live_server.world, meeting_id)
    phone.wait_for_function("window.sotayLive && window.sotayLive.pushOpen === true")
    asked = []
    phone.on(
        "request",
        lambda r: asked.append(r.url) if "/live/version" in r.url or "/part/" in r.url else None,
    )
    # The first move ends an item: the catch-up list appears in its shared block, and the
    # phone shows both from the message itself, without asking the app again.
    assert (
        post(secretary, f"/meetings/{meeting_id}/current", {"item_id": second_id}).status_code
        == 200
    )
    expect(phone.locator("#r-member .current-item")).to_contain_text(second)
    expect(phone.locator("#r-member")).to_contain_text("Những nội dung đã qua")
    expect(phone.locator("#r-member[data-pushed]")).to_have_count(1)
    assert (
        post(secretary, f"/meetings/{meeting_id}/current", {"item_id": item_id}).status_code == 200
    )
    expect(phone.locator("#r-member .current-item")).to_contain_text(title)
    assert asked == []  # shown from the messages themselves: the app was not asked again
