"""Pages and preferences: home, member card, large text, htmx fragments, role admin."""

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import RoleAssignment, User
from core.extensions import db
from tests.conftest import csrf_token


def test_large_text_for_visitors_uses_a_cookie(client):
    assert "large-text" not in client.get("/login").get_data(as_text=True).split(">")[1]
    response = client.post(
        "/preferences/display",
        data={
            "setting": "large_text",
            "value": "1",
            "next": "/login",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi" class="large-text' in html
    assert 'aria-pressed="true"' in html and "Chữ lớn: <strong>Bật</strong>" in html


def test_large_text_is_saved_on_the_account(client, app, world, as_role):
    as_role("member_a")
    client.post(
        "/preferences/display",
        data={"setting": "high_contrast", "value": "1", "csrf_token": csrf_token(client, "/")},
    )
    with app.app_context():
        assert db.session.get(User, world.users["member_a"]).high_contrast
    client.delete_cookie("high_contrast")
    assert "high-contrast" in client.get("/").get_data(as_text=True).split(">")[1]


def test_preference_redirect_stays_on_site(client):
    response = client.post(
        "/preferences/display",
        data={
            "setting": "large_text",
            "value": "1",
            "next": "//evil.example/x",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/"


def test_home_shows_the_member_card(client, world, as_role):
    as_role("secretary_a")
    html = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn Bình" in html and "52100001" in html
    assert "Bí thư chi bộ — Chi bộ thôn An Phú" in html


def test_staff_account_without_member_record(client, world, as_role):
    as_role("staff_d1")
    html = client.get("/me").get_data(as_text=True)
    assert "không gắn với hồ sơ đảng viên" in html and "tochuc.d1" in html


def test_cell_members_sorted_vietnamese_style(client, world, as_role):
    as_role("secretary_a")
    html = client.get(f"/units/{world.units['A']}").get_data(as_text=True)
    # Given names: Anh (Lê Đức Anh) < Ánh (Trần Thị Ánh) < Bình (Nguyễn Văn Bình).
    positions = [html.index(n) for n in ("Lê Đức Anh", "Trần Thị Ánh", "Nguyễn Văn Bình")]
    assert positions == sorted(positions)


def test_audit_page_full_and_htmx_fragment(client, world, as_role):
    as_role("admin")
    full = client.get("/admin/audit")
    assert "<html" in full.get_data(as_text=True)
    fragment = client.get("/admin/audit?action=auth.login", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Đăng nhập" in body
    assert "HX-Request" in fragment.headers["Vary"]
    # A history restore must get the whole page back.
    restore = client.get(
        "/admin/audit", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_admin_grants_and_revokes_a_role_with_audit(client, app, world, as_role):
    as_role("admin")
    token = csrf_token(client, "/admin/roles")
    response = client.post(
        "/admin/roles",
        data={"login": "52100002", "role": "deputy", "unit_code": "a", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        assignment = db.session.scalar(
            select(RoleAssignment).where(RoleAssignment.user_id == world.users["member_a"])
        )
        assert assignment.role == "deputy"
        assignment_id = assignment.id
    html = client.post(
        "/admin/roles",
        data={"login": "52100002", "role": "deputy", "unit_code": "A", "csrf_token": token},
    ).get_data(as_text=True)
    assert "đã có vai trò này" in html
    html = client.post(
        "/admin/roles",
        data={"login": "khong-co", "role": "deputy", "unit_code": "ZZ", "csrf_token": token},
    ).get_data(as_text=True)
    assert "Không tìm thấy tài khoản này" in html
    client.post(f"/admin/roles/{assignment_id}/revoke", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(RoleAssignment, assignment_id) is None
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "role.granted" in actions and "role.revoked" in actions
