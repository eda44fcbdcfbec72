"""CSP, security headers, CSRF (htmx included) and cookie flags."""

import re

from tests.conftest import csrf_token, login


def test_csp_has_nonce_and_no_unsafe_sources(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in html and "onclick" not in html.lower()
    # A new nonce for every response.
    assert nonce not in client.get("/login").headers["Content-Security-Policy"]


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"


def test_post_without_csrf_token_is_refused_in_vietnamese(client, world):
    response = client.post("/login", data={"login": "52100002", "password": "x"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)


def test_htmx_post_needs_the_csrf_header(client, world, as_role):
    as_role("admin")
    headers = {"HX-Request": "true"}
    refused = client.post(
        "/preferences/display", data={"setting": "large_text", "value": "1"}, headers=headers
    )
    assert refused.status_code == 400
    assert refused.headers.get("HX-Retarget") == "#flash-area"
    headers["X-CSRFToken"] = csrf_token(client, "/")
    accepted = client.post(
        "/preferences/display", data={"setting": "large_text", "value": "1"}, headers=headers
    )
    assert accepted.status_code == 302


def test_session_cookie_flags(app, world):
    plain = app.test_client()
    login(plain, "52100002")
    cookie = plain.get_cookie("sotay_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure

    secure = app.test_client()
    html = secure.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = secure.post(
        "/login",
        base_url="https://localhost",
        data={"login": "52100002", "password": "mat-khau-thu-nghiem-2026", "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_passwords_are_hashed(app, world):
    from blueprints.auth.models import User
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, world.users["member_a"])
        assert user.password_hash.startswith("pbkdf2:") or user.password_hash.startswith("scrypt:")
        assert "mat-khau" not in user.password_hash


def test_personal_pages_are_not_stored_by_the_browser(client, world, as_role):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    as_role("member_a")
    response = client.get("/me")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in response.headers["Vary"]
