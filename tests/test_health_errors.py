"""Health check and error pages: never a bare 500, always a Vietnamese explanation."""

from sqlalchemy.exc import OperationalError

from core.extensions import db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["jobs"] in ("never-seen", "ok", "stale") and "backup" in body


def test_healthz_503_when_database_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_404_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_405_in_vietnamese(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Thao tác không hợp lệ" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_page(client, world, as_role, monkeypatch):
    as_role("member_a")
    import blueprints.members.routes as routes

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "render", explode)
    response = client.get("/me")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Hệ thống đang gặp sự cố" in html and "boom" not in html


def test_htmx_errors_come_back_as_a_message_fragment(client, world, as_role):
    as_role("member_a")
    response = client.get("/admin/roles", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash-area"
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Không có quyền truy cập" in html


def test_oversized_upload_is_refused_with_a_message(app, client):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
