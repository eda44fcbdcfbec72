"""Security of accounts: who may reset, issue, lock; departures; login throttling; audit actor.

Findings of issue 12: H1, L5, L3, H5, M1, L6, L10 (failed-login actor). Sessions (L7) and
`flask create-admin` (M7) are in test_sessions.py.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import RoleAssignment, User, UserSession
from blueprints.members.models import Member, MemberStatus
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from tests.conftest import PASSWORD, csrf_token, login, make_member, make_user
from tests.roster.helpers import issue_slips

# ---------------------------------------------------------------- H1 / L5: reset and issuance

# Accounts of cell A holding roles, by the key used in the matrix: (card, name, roles).
TARGETS = {
    "plain": ("52100801", "Hồ Thị Lan", []),
    "deputy_a": ("52100802", "Đoàn Văn Phó", [("deputy", "A")]),
    "deputy_and_staff_d1": ("52100803", "Lý Văn Kiêm", [("deputy", "A"), ("staff", "D1")]),
    "staff_d1": ("52100804", "Cao Thị Tổ", [("staff", "D1")]),
    "staff_p": ("52100805", "Mạc Văn Tỉnh", [("staff", "P")]),
    "admin": ("52100806", "Tạ Văn Quản", [("admin", "P")]),
    "editor_p": ("52100807", "Vũ Thị Biên", [("editor", "P")]),
}

# (actor, target) → may reset. The rule: every role of the target is held by the actor (or
# admin) on that unit or above; and the member is in the actor's scope.
ALLOWED = {
    "secretary_a": {"plain"},
    "staff_d1": {"plain", "staff_d1"},
    "staff_p": {"plain", "staff_d1", "staff_p"},
    "admin": set(TARGETS),
}


def _add_targets(app, world) -> dict[str, int]:
    with app.app_context():
        a = db.session.get(Unit, world.units["A"])
        ids = {}
        for key, (card, name, roles) in TARGETS.items():
            user = make_user(make_member(card, name, a))
            for role, unit in roles:
                db.session.add(
                    RoleAssignment(
                        user=user, role=role, unit=db.session.get(Unit, world.units[unit])
                    )
                )
            db.session.flush()
            ids[key] = user.member_id
        db.session.commit()
        return ids


def _hash_of(app, member_id: int) -> str | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.member_id == member_id))
        return user.password_hash if user else None


def _reset(client, member_id: int, unit_id: int):
    token = csrf_token(client, f"/roster/units/{unit_id}/members")
    return client.post(f"/roster/members/{member_id}/reset", data={"csrf_token": token})


@pytest.mark.parametrize("actor", sorted(ALLOWED))
def test_h1_reset_matrix_over_role_pairs(app, client, world, as_role, actor):
    ids = _add_targets(app, world)
    as_role(actor)
    for target, member_id in ids.items():
        before = _hash_of(app, member_id)
        response = _reset(client, member_id, world.units["A"])
        allowed = target in ALLOWED[actor]
        if allowed:
            assert response.mimetype == "application/pdf", (actor, target)
            assert _hash_of(app, member_id) != before
        else:
            assert response.status_code == 302, (actor, target)
            assert _hash_of(app, member_id) == before, (actor, target)
            html = client.get(response.headers["Location"]).get_data(as_text=True)
            assert "quản trị hệ thống" in html, (actor, target)
            assert "Giữ vai trò: cấp trên đặt lại mật khẩu" in html


def test_h1_secretary_cannot_reset_deputy_who_is_district_staff(app, client, world, as_role):
    ids = _add_targets(app, world)
    as_role("secretary_a")
    before = _hash_of(app, ids["deputy_and_staff_d1"])
    _reset(client, ids["deputy_and_staff_d1"], world.units["A"])
    assert _hash_of(app, ids["deputy_and_staff_d1"]) == before


@pytest.mark.parametrize("mode", ["all", "new"])
def test_h1_district_staff_reissuing_a_cell_skips_the_administrator(
    app, client, world, as_role, mode
):
    ids = _add_targets(app, world)
    before = {k: _hash_of(app, v) for k, v in ids.items()}
    as_role("staff_d1")
    response = issue_slips(client, world.units["A"], mode)
    if mode == "all":
        assert response.mimetype == "application/pdf"
        from tests.roster.helpers import pdf_text

        text = pdf_text(response.data)
        assert "Tạ Văn Quản" not in text and "Hồ Thị Lan" in text
    for key in ("admin", "staff_p", "deputy_a", "deputy_and_staff_d1", "editor_p"):
        assert _hash_of(app, ids[key]) == before[key], key
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.member_id == ids["admin"]))
        assert not admin.must_change_password


def test_l5_secretary_reset_never_creates_or_reactivates(app, client, world, as_role):
    with app.app_context():
        a = db.session.get(Unit, world.units["A"])
        without = make_member("52100811", "Kiều Văn Chưa", a)
        locked = make_user(make_member("52100812", "Kiều Thị Khóa", a))
        locked.active = False
        db.session.commit()
        without_id, locked_member = without.id, locked.member_id
    as_role("secretary_a")
    _reset(client, without_id, world.units["A"])
    response = _reset(client, locked_member, world.units["A"])
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.member_id == without_id)) is None
        user = db.session.scalar(select(User).where(User.member_id == locked_member))
        assert not user.active and not user.must_change_password


def test_l5_issuing_all_does_not_reactivate_a_locked_account(app, client, world, as_role):
    with app.app_context():
        db.session.get(User, world.users["member_a"]).active = False
        db.session.commit()
    as_role("staff_d1")
    issue_slips(client, world.units["A"], "all")
    with app.app_context():
        assert not db.session.get(User, world.users["member_a"]).active


# ---------------------------------------------------------------- L3: slip passwords


def test_l3_initial_passwords_have_40_bits_and_no_lookalikes():
    from core.passwords import _DIGITS, _SYLLABLES, initial_password, initial_password_bits

    assert initial_password_bits() >= 40
    assert len(set(_SYLLABLES)) == len(_SYLLABLES)
    assert not set(_DIGITS) & set("01")
    for _ in range(50):
        password = initial_password()
        assert password.isascii() and password == password.lower()
        assert not set(password) & set("01")
    # 4 words from the list and 4 digits: the stated entropy is the real one.
    expected = 4 * math.log2(len(_SYLLABLES)) + 4 * math.log2(len(_DIGITS))
    assert abs(initial_password_bits() - expected) < 1e-9


def test_l3_unused_slip_expires_and_says_whom_to_ask(app, client, world):
    with app.app_context():
        user = db.session.get(User, world.users["newbie_a"])
        user.password_changed_at = utcnow() - timedelta(days=31)
        db.session.commit()
    response = login(client, world.logins["newbie_a"])
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "đã hết hạn" in html and "cấp phiếu mới" in html
    assert client.get("/me").status_code == 302


def test_l3_password_hasher_follows_owasp(app):
    from core.config import load_config

    method = load_config(app.instance_path)["PASSWORD_HASH_METHOD"]
    kind, *params = method.split(":")
    if kind == "scrypt":
        n, r, p = (int(x) for x in params)
        # OWASP Password Storage Cheat Sheet: equivalent scrypt settings (N, minimum p), r = 8.
        owasp = {2**17: 1, 2**16: 2, 2**15: 3, 2**14: 5, 2**13: 10}
        assert r >= 8 and n in owasp and p >= owasp[n], method
    else:
        assert kind == "pbkdf2" and params[0] == "sha256" and int(params[1]) >= 600_000


# ---------------------------------------------------------------- H5: departures and locks


def _logged_in(app, name, world):
    c = app.test_client()
    assert login(c, world.logins[name]).status_code == 302
    return c


def test_h5_member_marked_transferred_loses_access_at_once(
    app, client, world, as_role, monkeypatch
):
    from tests.roster.helpers import commit, job_id_of, member_row, upload, xlsx

    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
    phone = _logged_in(app, "member_a", world)
    assert phone.get(f"/units/{world.units['A']}").status_code == 200
    as_role("staff_d1")
    rows = [member_row("52100001", "Nguyễn Văn Bình", "A"), member_row("52100003", "Lê Đức Anh")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    commit(client, job_id, transfer=[world.members["mem_a"]])
    # The open session is gone, and the right password no longer logs in.
    assert phone.get(f"/units/{world.units['A']}").status_code == 302
    again = login(app.test_client(), world.logins["member_a"])
    assert again.status_code == 401
    assert "không còn sinh hoạt" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).where(AuditEntry.action == "account.access_ended")
        )


@pytest.mark.parametrize("status", ["Ra khỏi Đảng", "Từ trần", "Chuyển đi"])
def test_h5_status_change_in_import_ends_access(app, client, world, as_role, monkeypatch, status):
    from tests.roster.helpers import commit, job_id_of, member_row, upload, xlsx

    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
    as_role("staff_d1")
    rows = [member_row("52100002", "Trần Thị Ánh", "A", phone="0905000002", status=status)]
    commit(client, job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"])))
    with app.app_context():
        member = db.session.get(Member, world.members["mem_a"])
        assert member.departed
        assert not db.session.get(User, world.users["member_a"]).active
    assert login(app.test_client(), world.logins["member_a"]).status_code == 401


def test_h5_member_moved_to_another_cell_loses_old_cell_leader_role(
    app, client, world, as_role, monkeypatch
):
    from tests.roster.helpers import commit, job_id_of, member_row, upload, xlsx

    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
    secretary = _logged_in(app, "secretary_a", world)
    as_role("staff_d1")
    rows = [member_row("52100001", "Nguyễn Văn Bình", "B", phone="0905000001")]
    commit(client, job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"])))
    assert secretary.get("/me").status_code == 302  # sessions ended
    again = _logged_in(app, "secretary_a", world)
    assert again.get(f"/roster/units/{world.units['A']}/members").status_code == 403
    assert again.get(f"/units/{world.units['B']}").status_code == 200  # the new cell


def test_h5_departed_member_has_no_own_cell_access_even_with_a_session(app, world):
    from core.permissions import can

    with app.test_request_context():
        member = db.session.get(Member, world.members["mem_a"])
        user = db.session.get(User, world.users["member_a"])
        assert can(user, "unit.view", member.cell)
        member.status = MemberStatus.TRANSFERRED
        assert not can(user, "unit.view", member.cell)
        assert not can(user, "member.view", member)
        db.session.rollback()


def _state(client, member_id: int, what: str, reason: str = "Mất điện thoại"):
    token = csrf_token(client, f"/members/{member_id}")
    return client.post(
        f"/members/{member_id}/account/{what}",
        data={f"{what}-csrf_token": token, f"{what}-reason": reason},
    )


def test_h5_staff_lock_and_unlock_from_the_member_page(app, client, world, as_role):
    phone = _logged_in(app, "member_a", world)
    as_role("staff_d1")
    page = client.get(f"/members/{world.members['mem_a']}").get_data(as_text=True)
    assert "Khóa tài khoản" in page and "Lý do" in page
    assert _state(client, world.members["mem_a"], "lock").status_code == 302
    assert phone.get("/me").status_code == 302
    refused = login(app.test_client(), world.logins["member_a"])
    assert refused.status_code == 401 and "đang bị khóa" in refused.get_data(as_text=True)
    page = client.get(f"/members/{world.members['mem_a']}").get_data(as_text=True)
    assert "Đã khóa" in page and "Mất điện thoại" in page and "Mở khóa tài khoản" in page
    _state(client, world.members["mem_a"], "unlock", "Đã tìm lại điện thoại")
    assert login(app.test_client(), world.logins["member_a"]).status_code == 302
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("account.%lock%"))
        ).all()
        assert actions == ["account.locked", "account.unlocked"]


def test_h5_lock_needs_a_reason_and_respects_the_role_rule(app, client, world, as_role):
    as_role("staff_d1")
    _state(client, world.members["mem_a"], "lock", reason="")
    with app.app_context():
        assert db.session.get(User, world.users["member_a"]).active
    # staff_d1 may not lock cell A's secretary (a role they do not hold), nor cell C's member.
    _state(client, world.members["sec_a"], "lock")
    with app.app_context():
        assert db.session.get(User, world.users["secretary_a"]).active
    assert _state(client, world.members["mem_c"], "lock").status_code in (403, 404)
    with app.app_context():
        assert db.session.get(User, world.users["member_c"]).active


def test_h5_secretary_cannot_lock(client, world, as_role):
    as_role("secretary_a")
    assert _state(client, world.members["mem_a"], "lock").status_code == 403


# ---------------------------------------------------------------- M1 / L6: login throttle


def test_m1_throttle_keyed_on_the_account_not_the_text(app, client, world):
    spellings = ["52.100.002", "52-100-002", "52 100 002", "52100002", " 52100002"]
    statuses = [login(client, s, "sai-mat-khau-roi").status_code for s in spellings]
    assert statuses == [401] * 5
    assert login(client, "52.100.002.", PASSWORD).status_code == 429
    # The phone number reaches the same account, hence the same counter.
    assert login(client, "0905 000 002", PASSWORD).status_code == 429


def test_m1_unknown_identifiers_are_normalised_too(app, client, world):
    for s in ["99.000.001", "99-000-001", "99 000 001", "99000001", "99_000_001"]:
        login(client, s, "sai-mat-khau-roi")
    assert login(client, "99000001", "sai-mat-khau-roi").status_code == 429


def test_l6_warning_before_the_soft_lock_and_it_ends_by_itself(app, client, world, monkeypatch):
    html = [login(client, "52100002", "sai-mat-khau-roi").get_data(as_text=True) for _ in range(5)]
    assert "còn" not in html[1] or "lần thử" not in html[1]
    assert "Đồng chí còn 2 lần thử" in html[2]
    assert "Đồng chí còn 1 lần thử" in html[3]
    blocked = login(client, "52100002", PASSWORD)
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "quá nhiều lần" in text and "phút" in text and "mở khóa" in text
    # Time-limited: once the window is over the right password works again.
    with app.app_context():
        from core.ratelimit_store import RateLimitCounter

        for row in db.session.scalars(select(RateLimitCounter)):
            row.expires_at = 0
        db.session.commit()
    assert login(client, "52100002", PASSWORD).status_code == 302


def test_l6_staff_unlock_ends_the_soft_lock(app, client, world, as_role):
    other = app.test_client()
    for _ in range(6):
        login(other, "52100002", "sai-mat-khau-roi")
    assert login(other, "52100002", PASSWORD).status_code == 429
    as_role("staff_d1")
    page = client.get(f"/members/{world.members['mem_a']}").get_data(as_text=True)
    assert "Tạm khóa do nhập sai mật khẩu" in page
    _state(client, world.members["mem_a"], "unlock", "Đồng chí gọi điện xác nhận")
    assert login(app.test_client(), "52100002", PASSWORD).status_code == 302


def test_l6_parallel_wrong_logins_are_counted_atomically(app, world):
    """15 wrong passwords at once: exactly 5 are checked, the rest refused (on the real DB)."""
    import threading

    from core.throttle import account_key, hit

    with app.app_context():
        user = db.session.get(User, world.users["member_a"])
        key = account_key(user, "")
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(15)

    def attempt():
        with app.test_request_context():
            barrier.wait()
            outcome = hit(key, "LOGIN_LIMIT_PER_ACCOUNT")
            with lock:
                results.append(outcome.count)

    threads = [threading.Thread(target=attempt) for _ in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 16))  # every hit got its own count
    assert sum(1 for c in results if c <= 5) == 5


def test_l6_parallel_wrong_logins_through_http(app, world):
    """The same through the login view, on several threads with their own clients."""
    import threading

    clients = [app.test_client() for _ in range(10)]
    tokens = [csrf_token(c) for c in clients]
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def attempt(c, token):
        barrier.wait()
        r = c.post(
            "/login", data={"login": "52100004", "password": "sai-roi-nhe", "csrf_token": token}
        )
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=p) for p in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(401) == 5 and statuses.count(429) == 5


# ---------------------------------------------------------------- L10: failed-login actor


def test_l10_failed_login_has_no_actor_and_names_the_target(app, client, world):
    login(client, "52100002", "sai-mat-khau-roi")
    login(client, "99999999", "sai-mat-khau-roi")
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "auth.login_failed")
            .order_by(AuditEntry.id)
        ).all()
        assert [e.actor_id for e in entries] == [None, None]
        assert entries[0].object_type == "User"
        assert entries[0].object_id == str(world.users["member_a"])
        assert entries[1].object_id is None
        assert all(e.ip == "127.0.0.1" for e in entries)


def test_l10_sessions_of_the_target_are_untouched_by_failed_logins(app, client, world):
    phone = _logged_in(app, "member_a", world)
    login(client, "52100002", "sai-mat-khau-roi")
    assert phone.get("/me").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
