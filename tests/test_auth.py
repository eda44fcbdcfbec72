"""Login, logout, sessions, password change and throttling."""

from sqlalchemy import func, select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import User, UserSession
from core.extensions import db
from tests.conftest import PASSWORD, csrf_token, login

WRONG = "Số thẻ / số điện thoại hoặc mật khẩu không đúng"


def test_login_by_card_number_with_spaces_and_dots(client, world):
    response = login(client, " 52.100 002 ")
    assert response.status_code == 302
    assert "Trần Thị Ánh" in client.get("/").get_data(as_text=True)


def test_login_by_phone_and_by_username(client, world):
    assert login(client, "+84 905 000 002").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "TOCHUC.D1").status_code == 302


def test_wrong_password_and_unknown_account_answer_alike(client, world):
    wrong = login(client, "52100002", "khong-dung-mat-khau")
    unknown = login(client, "99999999", "khong-dung-mat-khau")
    assert wrong.status_code == unknown.status_code == 401
    assert WRONG in wrong.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)


def test_login_is_audited(client, world, app):
    login(client, "52100002")
    login(app.test_client(), "52100004", "sai-mat-khau-roi")
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"auth.login", "auth.login_failed"} <= actions


def test_session_cookie_rotates_at_login(client, world):
    client.get("/login")
    before = client.get_cookie("sotay_session").value
    login(client, "52100002")
    after = client.get_cookie("sotay_session").value
    assert before != after


def test_logout_really_ends_the_session(client, world, app):
    login(client, "52100002")
    stolen = client.get_cookie("sotay_session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    # Replaying the old cookie after logout no longer opens the member's pages.
    client.set_cookie("sotay_session", stolen)
    response = client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(UserSession.revoked_at)) is not None


def test_remember_me_is_bounded_to_30_days(client, world, app):
    login(client, "52100002", remember="y")
    cookie = client.get_cookie("sotay_session")
    assert cookie.expires is not None
    with app.app_context():
        row = db.session.scalar(select(UserSession))
        assert 29 <= (row.expires_at - row.created_at).days <= 30


def test_without_remember_me_the_cookie_is_a_browser_session(client, world):
    login(client, "52100002")
    assert client.get_cookie("sotay_session").expires is None


def test_first_login_forces_password_change(client, world):
    response = login(client, "52100003")
    assert response.headers["Location"].endswith("/account/password")
    for path in ("/", "/me", f"/units/{world.units['A']}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account/password")
    # htmx requests are redirected with HX-Redirect rather than a swapped login page.
    response = client.get("/me", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].endswith("/account/password")


def _change(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={
            "current": current,
            "new": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )


def test_password_policy(client, world):
    login(client, "52100003")
    cases = {
        "ngan": "ít nhất 8 ký tự",
        "matkhau123": "quá phổ biến",
        "Mật Khẩu 123": "quá phổ biến",
        "11111111": "quá phổ biến",
        "12345678": "quá phổ biến",
        "the52100003": "không được chứa số thẻ",
    }
    for password, reason in cases.items():
        html = _change(client, PASSWORD, password).get_data(as_text=True)
        assert reason in html, password
    html = _change(client, PASSWORD, "một câu dài dễ nhớ", "khác hẳn").get_data(as_text=True)
    assert "không khớp" in html
    # Right after the slip login the slip password is not asked again; later it is.
    assert 'name="current"' not in client.get("/account/password").get_data(as_text=True)


def test_current_password_is_asked_outside_the_first_login(client, world):
    login(client, "52100002")
    assert 'name="current"' in client.get("/account/password").get_data(as_text=True)
    html = _change(client, "sai", "một câu dài dễ nhớ").get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng" in html
    html = _change(client, PASSWORD, PASSWORD).get_data(as_text=True)
    assert "khác mật khẩu hiện tại" in html


def test_first_login_keeps_the_new_password_typed_after_an_error(client, world):
    login(client, "52100003")
    html = _change(client, "", "mot cau dai de nho lam", "khac han").get_data(as_text=True)
    assert "không khớp" in html and 'value="mot cau dai de nho lam"' in html
    assert "Tịnh Khe" not in html and "không dấu" in html  # the example has no diacritics


def test_password_change_accepts_long_pasted_unicode_and_logs_out_other_devices(client, app, world):
    other = app.test_client()
    login(other, "52100003")
    login(client, "52100003")
    new = "Tôi sinh hoạt ở chi bộ thôn An Phú từ năm 1998 — " + "x" * 40
    response = _change(client, PASSWORD, new)
    assert response.status_code == 302
    assert client.get("/me").status_code == 200  # this device stays logged in
    assert other.get("/me").status_code == 302  # the other one is logged out
    with app.app_context():
        user = db.session.get(User, world.users["newbie_a"])
        assert not user.must_change_password
        assert user.password_hash and new not in user.password_hash


def test_login_throttled_per_account_without_revealing_it(client, app, world):
    for _ in range(5):
        assert login(client, "52100002", "sai-mat-khau-roi").status_code == 401
    blocked = login(client, "52100002", PASSWORD)  # even the right password now waits
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    # Another account from the same client is not blocked by the first one's limit.
    assert login(client, "52100004").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_login_throttled_per_ip(app, world):
    client = app.test_client()
    for i in range(30):
        login(client, f"9999{i:04d}", "sai-mat-khau-roi")
    assert login(client, "52100002").status_code == 429


def test_next_parameter_cannot_leave_the_site(client, world):
    token = csrf_token(client)
    data = {"login": "52100002", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    token = csrf_token(client)
    data["csrf_token"] = token
    response = client.post("/login?next=/me", data=data)
    assert response.headers["Location"] == "/me"


def test_login_slip_link_prefills_card_number(client):
    html = client.get("/login?card=52100002").get_data(as_text=True)
    assert 'value="52100002"' in html


def test_inactive_account_cannot_log_in(client, app, world):
    with app.app_context():
        db.session.get(User, world.users["member_a"]).active = False
        db.session.commit()
    assert login(client, "52100002").status_code == 401
