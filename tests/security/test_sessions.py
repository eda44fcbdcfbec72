"""Security of sessions and of the first administrator: issue 12 findings L7, M7, L10 (404).

L7: idle timeout, absolute lifetime, the device list and "sign out of the other devices", and
the meetings fast path applying the same rule. M7: `flask create-admin` and `DEMO=0`.
L10: an out-of-scope object answers exactly like a missing one.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from blueprints.auth.models import RoleAssignment, User, UserSession
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from tests.conftest import PASSWORD, csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
# Per-response values: CSP nonces and timestamped CSRF tokens.
NONCE = re.compile(r'nonce="[^"]*"|[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}')

# ---------------------------------------------------------------- L7: idle and absolute limits


def _age_sessions(app, **fields) -> None:
    with app.app_context():
        db.session.execute(update(UserSession).values(**fields))
        db.session.commit()


def test_l7_idle_session_ends(app, client, world):
    assert login(client, world.logins["member_a"]).status_code == 302
    assert client.get("/me").status_code == 200
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    _age_sessions(app, last_seen_at=utcnow() - idle - timedelta(minutes=1))
    assert client.get("/me").status_code == 302


def test_l7_remember_me_has_a_longer_idle_timeout_but_still_one(app, client, world):
    login(client, world.logins["member_a"], remember="y")
    _age_sessions(app, last_seen_at=utcnow() - app.config["SESSION_IDLE_TIMEOUT"] * 2)
    assert client.get("/me").status_code == 200
    remember_idle = app.config["SESSION_REMEMBER_IDLE_TIMEOUT"]
    _age_sessions(app, last_seen_at=utcnow() - remember_idle - timedelta(minutes=1))
    assert client.get("/me").status_code == 302


def test_l7_absolute_lifetime_ends_an_active_session(app, client, world):
    login(client, world.logins["member_a"])
    with app.app_context():
        s = db.session.scalar(select(UserSession))
        lifetime = s.expires_at - s.created_at
        assert abs(lifetime - app.config["SESSION_ABSOLUTE_LIFETIME"]) < timedelta(seconds=5)
    # Used a minute ago, but created longer ago than the absolute lifetime.
    _age_sessions(app, last_seen_at=utcnow(), expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/me").status_code == 302


def test_l7_device_list_and_sign_out_of_other_devices(app, client, world):
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
    )
    assert login(phone, world.logins["member_a"]).status_code == 302
    client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    )
    assert login(client, world.logins["member_a"]).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Chrome trên Android" in page and "Chrome trên Windows" in page
    assert page.count("thiết bị này") == 1
    assert "Đăng xuất khỏi các thiết bị khác" in page
    assert "/account" in client.get("/me").get_data(as_text=True)
    token = csrf_token(client, "/account")
    response = client.post("/account/sessions/others", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert phone.get("/me").status_code == 302
    # Without CSRF nothing happens.
    assert client.post("/account/sessions/others").status_code == 400


def test_l7_fast_path_shares_the_session_rule(app):
    """The fast path's SQL carries core.session's condition, not a copy of it."""
    from blueprints.meetings import fastpath
    from core.session import valid_session_condition

    assert valid_session_condition("s", "u") in str(fastpath.QUERY)
    source = Path(fastpath.__file__).read_text()
    assert "revoked_at IS NULL" not in source and "expires_at" not in source


def test_l7_fast_path_refuses_an_idle_session(app, client, world, schedule):
    meeting_id = schedule()
    member = app.test_client()
    assert login(member, world.logins["member_a"]).status_code == 302
    with app.app_context():
        from blueprints.meetings.models import Meeting

        version = db.session.get(Meeting, meeting_id).version
    url = f"/meetings/{meeting_id}/live/version?v={version}"
    assert member.get(url).status_code == 204
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    # Idle past the timeout (and last seen within 5 minutes would be impossible then): make
    # only the idle rule fail by shortening the timeout under the last refresh.
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=0)
    try:
        assert member.get(url).status_code != 204
    finally:
        app.config["SESSION_IDLE_TIMEOUT"] = idle


# ---------------------------------------------------------------- M7: the first administrator

STRONG = "mot-mat-khau-rat-dai-2026"


def test_m7_create_admin_on_an_empty_database(app, runner):
    result = runner.invoke(
        args=["create-admin", "quantri.moi", "--name", "Nguyễn Quản Trị"],
        input=f"{STRONG}\n{STRONG}\nTU-TEST\nTỉnh ủy Thử nghiệm\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "quantri.moi"))
        assert user.check_password(STRONG) and not user.must_change_password
        role = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == user.id))
        unit = db.session.get(Unit, role.unit_id)
        assert role.role == "admin" and unit.parent_id is None and unit.code == "TU-TEST"
    client = app.test_client()
    assert login(client, "quantri.moi", STRONG).status_code == 302
    assert client.get("/admin/roles").status_code == 200


def test_m7_create_admin_uses_the_existing_province(app, runner, world):
    result = runner.invoke(args=["create-admin", "quantri2"], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "quantri2"))
        assert user.roles[0].unit_id == world.units["P"]


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("ngan", "ngan", "ít nhất"),
        ("12345678", "12345678", "phổ biến"),
        (STRONG, STRONG + "x", ""),
    ],
)
def test_m7_create_admin_refuses_weak_or_mismatched_passwords(
    app, runner, world, password, again, message
):
    result = runner.invoke(
        args=["create-admin", "quantri3"], input=f"{password}\n{again}\n" + "\n" * 6
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "quantri3")) is None
    assert message in result.output


def test_m7_create_admin_refuses_an_existing_username(runner, world):
    result = runner.invoke(args=["create-admin", "quantri"], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code != 0 and "đã có" in result.output


def test_m7_demo_0_never_seeds_demo_accounts():
    def recipe(*args):
        out = subprocess.run(
            ["make", "-n", "-B", "db", *args], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout

    assert "seed-demo" in recipe()
    production = recipe("DEMO=0")
    assert "seed-demo" not in production and "db upgrade" in production


# ---------------------------------------------------------------- L10: 404 for out of scope


def _object_routes(app) -> list[str]:
    """GET routes with exactly one integer id, as templates to fill in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        args = [a for a in rule.arguments if rule._converters[a].__class__.__name__.startswith("B")]
        if len(args) == 1 and len(rule.arguments) == 1:
            routes.append(rule.rule)
    return sorted(routes)


def test_l10_out_of_scope_and_missing_ids_answer_alike(app, world, schedule, client_for):
    """For every object route: another district's existing id and a missing id, same answer."""
    ids = {
        "unit": world.units["A"],
        "member": world.members["mem_a"],
        "meeting": schedule(),  # in cell A
    }
    client = client_for("staff_d2")
    checked = 0
    for template in _object_routes(app):
        name = re.search(r"<int:(\w+)>", template).group(1)
        outside = ids.get(name.removesuffix("_id"))
        if outside is None:
            continue
        url_outside = re.sub(r"<int:\w+>", str(outside), template)
        url_missing = re.sub(r"<int:\w+>", "987654", template)
        a, b = client.get(url_outside), client.get(url_missing)
        if a.status_code == 200:
            continue  # reachable for this role (e.g. a route that is not scoped)
        # 404 alike; or 403 alike when the role may not use the route at all (no id involved).
        assert a.status_code == b.status_code, (template, a.status_code, b.status_code)
        assert a.status_code in (403, 404), template
        # Pages link back to their own address (language toggles) and carry a fresh CSP
        # nonce and CSRF token: compare the rest.
        body_a = NONCE.sub("", a.get_data(as_text=True).replace(url_outside, "URL"))
        body_b = NONCE.sub("", b.get_data(as_text=True).replace(url_missing, "URL"))
        assert body_a == body_b, template
        checked += a.status_code == 404
    assert checked >= 5  # units, members and meetings pages were really compared


def test_l10_member_pages_answer_404_outside_scope(client, world, as_role):
    as_role("member_a")
    assert client.get(f"/members/{world.members['mem_b']}").status_code == 404
    assert client.get(f"/units/{world.units['B']}").status_code == 404
    assert client.get("/members/987654").status_code == 404


def test_l10_route_without_object_still_403(client, world, as_role):
    as_role("member_a")
    assert client.get("/admin/roles").status_code == 403
    assert PASSWORD  # the shared password is what the world's accounts use
