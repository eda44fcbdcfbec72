"""Helpers for the meetings tests: schedule and start a meeting of cell A through the views."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import csrf_token, login

HX = "true"


def hx(client, token):
    return {"HX-Request": HX, "X-CSRFToken": token}


@pytest.fixture
def schedule(client, world, as_role):
    """Log in as cell A's secretary and schedule a meeting; returns its id."""

    logged_in = []

    def _schedule(**overrides) -> int:
        if not logged_in:
            as_role("secretary_a")
            logged_in.append(True)
        token = csrf_token(client, f"/meetings/new?cell_id={world.units['A']}")
        starts = overrides.pop("starts", datetime.now() + timedelta(days=3))
        data = {
            "csrf_token": token,
            "cell_id": world.units["A"],
            "kind": "regular",
            "topic": "Sinh hoạt chi bộ tháng 12",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "place": "Nhà văn hóa thôn An Phú",
            "chair_id": world.members["sec_a"],
            "clerk_id": world.members["mem_a"],
            "guests": "",
            "quorum_percent": "50",
        } | overrides
        response = client.post("/meetings/new", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/meetings/(\d+)", response.headers["Location"]).group(1))

    return _schedule


def relogin(client, world, name):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.delete_cookie("sotay_session")
    response = login(client, world.logins[name])
    assert response.status_code == 302


@pytest.fixture
def client_for(app, world):
    """A separate logged-in client per person: `client_for("member_a")`."""

    def _make(name: str):
        c = app.test_client()
        response = login(c, world.logins[name])
        assert response.status_code == 302, name
        return c

    return _make


def post(client, url, data=None, htmx=True):
    """POST with the session's CSRF token (as htmx does, or as a plain form)."""
    token = csrf_token(client, "/meetings/")
    if htmx:
        return client.post(url, data=data or {}, headers=hx(client, token))
    return client.post(url, data=(data or {}) | {"csrf_token": token})
