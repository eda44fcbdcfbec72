"""Offline support on the server: whose page it is, what to save, and retries that count once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from blueprints.cards.models import CardRequest
from blueprints.meetings.models import Opinion, Recommendation
from core.extensions import db
from tests.browser.content import add_meeting, add_reading
from tests.conftest import csrf_token, login
from tests.handbook.helpers import make_article


def _count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)


def test_pages_name_their_account_for_the_service_worker(client, world):
    assert client.get("/login").headers["X-Sotay-User"] == ""
    login(client, world.logins["member_a"])
    response = client.get("/")
    assert response.headers["X-Sotay-User"] == str(world.users["member_a"])
    html = response.get_data(as_text=True)
    assert 'hx-history="false"' in html  # no htmx snapshots of personal pages
    assert 'data-offline-meetings="/pwa/offline/meetings"' in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/login").headers["X-Sotay-User"] == ""


def test_handbook_list_has_only_chapters_the_member_may_read(app, client, world):
    ids = add_reading(app, world)
    with app.app_context():
        from blueprints.handbook.models import Kind

        make_article(
            world.units["D2"], "Chỉ cho Lý Sơn", kind=Kind.CHAPTER, slug="ly-son", position=9
        )
    assert client.get("/pwa/offline/handbook").status_code in (302, 401)
    login(client, world.logins["member_a"])
    data = client.get("/pwa/offline/handbook").get_json()
    assert data["count"] == 3
    assert data["urls"] == [
        "/handbook/",
        "/handbook/dieu-le-dang",
        "/handbook/sinh-hoat-chi-bo",
        "/handbook/dang-phi",
        "/assistant/",  # the assistant and its published Q&A are saved with the handbook
        "/assistant/offline.json",
    ]
    assert "ly-son" not in str(data) and ids["document"]
    for url in data["urls"]:
        assert client.get(url).status_code == 200


def test_meeting_list_has_own_cell_announced_meetings_and_documents(app, client, world):
    ids = add_meeting(app, world, ongoing=False)
    login(client, world.logins["member_a"])
    data = client.get("/pwa/offline/meetings").get_json()
    assert data["urls"] == [
        f"/meetings/{ids['meeting']}",
        f"/meetings/{ids['meeting']}/documents/{ids['doc']}",
    ]
    assert client.get(data["urls"][1]).data.startswith(b"%PDF")
    other = app.test_client()
    login(other, world.logins["member_b"])  # cell B: nothing of cell A
    assert other.get("/pwa/offline/meetings").get_json()["urls"] == []


def _post(client, url, **data):
    token = csrf_token(client, "/")
    return client.post(url, data=data, headers={"X-CSRFToken": token})


def test_queued_opinion_and_recommendation_count_once(app, client, world):
    ids = add_meeting(app, world)
    meeting = ids["meeting"]
    login(client, world.logins["member_a"])
    for _ in range(2):
        response = _post(
            client,
            f"/meetings/{meeting}/opinions",
            text="Ý kiến gửi từ hàng chờ.",
            idempotency_key="0f7c1e7a-3d1b-4a51-9d1c-111111111111",
        )
        assert response.status_code == 302
    assert _count(app, Opinion, meeting_id=meeting) == 1
    _post(
        client,
        f"/meetings/{meeting}/opinions",
        text="Ý kiến thứ hai.",
        idempotency_key="0f7c1e7a-3d1b-4a51-9d1c-222222222222",
    )
    assert _count(app, Opinion, meeting_id=meeting) == 2
    for _ in range(3):
        _post(
            client,
            f"/meetings/{meeting}/recommendations",
            text="Kiến nghị gửi lại ba lần.",
            idempotency_key="5b2d8c1e-0000-4000-8000-333333333333",
        )
    assert _count(app, Recommendation, meeting_id=meeting) == 1


def test_queued_card_request_counts_once(app, client, world):
    login(client, world.logins["member_a"])
    key = "9a0c7e55-1111-4222-8333-444444444444"
    first = _post(client, "/card-requests/new", kind="lost", details="Mất thẻ", idempotency_key=key)
    assert re.search(r"/card-requests/\d+$", first.headers["Location"])
    again = _post(client, "/card-requests/new", kind="lost", details="Mất thẻ", idempotency_key=key)
    assert again.headers["Location"].endswith("/card-requests")
    assert _count(app, CardRequest, member_id=world.members["mem_a"]) == 1
    # Another person's key space is separate: the same key from member_b is a new request.
    other = app.test_client()
    login(other, world.logins["member_b"])
    _post(other, "/card-requests/new", kind="lost", details="Mất thẻ", idempotency_key=key)
    assert _count(app, CardRequest, member_id=world.members["mem_b"]) == 1


def test_service_worker_knows_personal_caches_and_strategies(client):
    script = client.get("/service-worker.js").get_data(as_text=True)
    assert 'const PERSONAL_PREFIX = "personal-v1-"' in script
    assert "X-Sotay-User" in script and "staleWhileRevalidate" in script
    assert "/static/css/handbook.css" in script  # pages kept offline find their styles


def test_forms_sent_by_the_app_script_get_their_redirect_as_a_header(app, client, world):
    ids = add_meeting(app, world, ongoing=False)
    login(client, world.logins["member_a"])
    token = csrf_token(client, "/")
    response = client.post(
        f"/meetings/{ids['meeting']}/recommendations",
        data={"text": "Kiến nghị.", "idempotency_key": "7d3e9f00-aaaa-4bbb-8ccc-555555555555"},
        headers={"X-CSRFToken": token, "X-Sotay-Submit": "1"},
    )
    assert response.status_code == 200 and not response.data
    assert "Location" not in response.headers
    assert response.headers["X-Sotay-Location"] == f"/meetings/{ids['meeting']}"
    # The confirmation waits for the page the script opens next.
    page = client.get(response.headers["X-Sotay-Location"]).get_data(as_text=True)
    assert "Đã gửi kiến nghị đến chi ủy." in page
