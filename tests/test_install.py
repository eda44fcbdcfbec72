"""Install instructions, install tracking and exactly-once actions."""

from sqlalchemy import func, select

from blueprints.pwa.models import AppInstall
from core.extensions import db
from core.idempotency import first_time, new_key
from tests.conftest import csrf_token


def test_install_page_explains_each_phone(client):
    html = client.get("/install").get_data(as_text=True)
    for title in ("Chrome", "Samsung Internet", "Zalo", "Safari"):
        assert title in html
    zalo = client.get("/install", headers={"User-Agent": "Mozilla/5.0 Zalo/22"})
    assert 'id="install-zalo"' in zalo.get_data(as_text=True)
    assert "(máy của đồng chí)" in zalo.get_data(as_text=True).split('id="install-zalo"')[1][:200]


def test_install_is_recorded_once_per_platform(client, app, world, as_role):
    as_role("member_a")
    token = csrf_token(client, "/")
    for _ in range(3):
        response = client.post(
            "/pwa/installed",
            data={"platform": "android", "source": "standalone"},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 204
    client.post("/pwa/installed", data={"platform": "nonsense"}, headers={"X-CSRFToken": token})
    with app.app_context():
        rows = db.session.execute(
            select(AppInstall.platform, func.count()).group_by(AppInstall.platform)
        ).all()
    assert dict(rows) == {"android": 1, "other": 1}


def test_install_report_needs_login_and_csrf(client, world):
    assert client.post("/pwa/installed", data={"platform": "android"}).status_code in (400, 302)


def test_idempotency_keys_are_per_user_and_rollback_safe(app, world):
    from flask_login import login_user

    from blueprints.auth.models import User

    key = new_key()
    with app.test_request_context("/"):
        login_user(db.session.get(User, world.users["member_a"]))
        assert first_time(key)
        assert not first_time(key)
        db.session.rollback()  # the action failed: the key is free again
        assert first_time(key)
        db.session.commit()
        assert not first_time(key)
        assert first_time(None) and first_time("bad key!")
    with app.test_request_context("/"):
        login_user(db.session.get(User, world.users["member_b"]))
        assert first_time(key)  # another user's identical key is a different action
        db.session.rollback()


def test_logout_page_tells_the_app_to_drop_personal_caches(client, world, as_role):
    as_role("member_a")
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert "data-logged-out" in client.get("/login").get_data(as_text=True)
    assert "data-logged-out" not in client.get("/login").get_data(as_text=True)


def test_one_idempotency_table(app):
    """Retries count once through core/idempotency.py alone: a second key table (the meetings
    once had `meeting_action_keys`) splits the rule. Rate limits keep their counters by key."""
    with app.app_context():
        keyed = {
            t.name for t in db.metadata.sorted_tables if [c.name for c in t.primary_key] == ["key"]
        }
        assert keyed == {"idempotency_keys", "rate_limits"}
