"""Helpers for the meetings tests (`schedule` and `client_for` are in tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import csrf_token, login

HX = "true"


def hx(client, token):
    return {"HX-Request": HX, "X-CSRFToken": token}


def relogin(client, world, name):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.delete_cookie("sotay_session")
    response = login(client, world.logins[name])
    assert response.status_code == 302


def post(client, url, data=None, htmx=True):
    """POST with the session's CSRF token (as htmx does, or as a plain form)."""
    token = csrf_token(client, "/meetings/")
    if htmx:
        return client.post(url, data=data or {}, headers=hx(client, token))
    return client.post(url, data=(data or {}) | {"csrf_token": token})
