"""Account issuance with login slips, secretary password reset, member lists."""

from __future__ import annotations

import re

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import User
from blueprints.members.models import Member
from core.extensions import db
from tests.conftest import csrf_token, login, make_member
from tests.roster.helpers import issue_slips, pdf_text

PASSWORD_RE = re.compile(r"[a-z]+-[a-z]+-\d{4}-[a-z]+-[a-z]+")


def _add_members(app, world):
    from blueprints.units.models import Unit

    with app.app_context():
        a = db.session.get(Unit, world.units["A"])
        b = db.session.get(Unit, world.units["B"])
        make_member("52100901", "Đinh Thị Yến", a)
        make_member("52100902", "Mai Văn Đông", b)
        db.session.commit()


def _issue(client, unit_id, mode="new"):
    return issue_slips(client, unit_id, mode)


def test_staff_issue_accounts_and_member_logs_in_with_slip_password(app, client, world, as_role):
    _add_members(app, world)
    as_role("staff_d1")
    page = client.get(f"/roster/units/{world.units['G1']}/accounts").get_data(as_text=True)
    assert "2 người chưa có tài khoản" in page
    response = _issue(client, world.units["G1"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert "Đinh Thị Yến" in text and "52100901" in text and "Mai Văn Đông" in text
    assert "Chi bộ thôn An Phú" in text and "Chi bộ thôn Phước Lộc" in text
    import io

    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2  # one page per cell
    passwords = PASSWORD_RE.findall(text)
    assert len(passwords) == 2
    yen_password = passwords[0]  # An Phú sorts before Phước Lộc
    with app.app_context():
        user = db.session.scalar(
            select(User)
            .join(Member, User.member_id == Member.id)
            .where(Member.card_number == "52100901")
        )
        assert user.must_change_password and yen_password not in (user.password_hash or "")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.issued"))
        assert entry.details["count"] == 2
    # existing accounts were left alone ("only new")
    member_client = app.test_client()
    assert login(member_client, "52100002").status_code == 302
    fresh = app.test_client()
    response = login(fresh, "52100901", yen_password)
    assert response.status_code == 302 and "/account/password" in response.headers["Location"]


def test_reissue_invalidates_the_old_password(app, client, world, as_role):
    _add_members(app, world)
    as_role("staff_d1")
    first = PASSWORD_RE.findall(pdf_text(_issue(client, world.units["A"]).data))
    second_pdf = pdf_text(_issue(client, world.units["A"], mode="all").data)
    assert "Trần Thị Ánh" in second_pdf  # everyone in the cell got a new slip
    other = app.test_client()
    assert login(other, "52100901", first[0]).status_code == 401
    assert login(other, "52100002").status_code == 401  # the test password no longer works


def test_staff_cannot_issue_outside_their_committee(client, world, as_role):
    as_role("staff_d2")
    assert client.get(f"/roster/units/{world.units['A']}/accounts").status_code == 404
    token = csrf_token(client, f"/roster/units/{world.units['C']}/members")
    response = client.post(f"/roster/units/{world.units['A']}/accounts", data={"csrf_token": token})
    assert response.status_code == 404


def _reset(client, member_id, page_unit):
    token = csrf_token(client, f"/roster/units/{page_unit}/members")
    return client.post(f"/roster/members/{member_id}/reset", data={"csrf_token": token})


def test_secretary_resets_a_password_in_own_cell_only(app, client, world, as_role):
    as_role("secretary_a")
    response = _reset(client, world.members["mem_a"], world.units["A"])
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Trần Thị Ánh" in text
    password = PASSWORD_RE.search(text).group(0)
    assert login(app.test_client(), "52100002", password).status_code == 302
    assert login(app.test_client(), "52100002").status_code == 401
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "account.password_reset")
        )
    assert _reset(client, world.members["mem_b"], world.units["A"]).status_code == 404


def test_member_cannot_reset_passwords(client, world, as_role):
    as_role("member_a")
    token = csrf_token(client, "/me")
    response = client.post(
        f"/roster/members/{world.members['new_a']}/reset", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_member_list_search_filter_sort_and_scope(app, client, world, as_role):
    from blueprints.units.models import Unit

    with app.app_context():
        a = db.session.get(Unit, world.units["A"])
        make_member("52101001", "Đoàn Văn Ân", a, status="probationary")
        make_member("52101002", "Ông Thị Ba", a)
        db.session.commit()
    as_role("secretary_a")
    url = f"/roster/units/{world.units['A']}/members"
    html = client.get(url).get_data(as_text=True)
    order = [
        n
        for n in ("Trần Thị Ánh", "Lê Đức Anh", "Đoàn Văn Ân", "Ông Thị Ba", "Nguyễn Văn Bình")
        if n in html
    ]
    positions = [html.index(n) for n in order]
    # given name first: Anh < Ánh < Ân (a before â) < Ba < Bình
    assert [n for _, n in sorted(zip(positions, order, strict=False))] == [
        "Lê Đức Anh", "Trần Thị Ánh", "Đoàn Văn Ân", "Ông Thị Ba", "Nguyễn Văn Bình",
    ]  # fmt: skip
    found = client.get(url, query_string={"q": "duc anh"}).get_data(as_text=True)
    assert "Lê Đức Anh" in found and "Trần Thị Ánh" not in found
    found = client.get(url, query_string={"q": "ĐOÀN"}).get_data(as_text=True)
    assert "Đoàn Văn Ân" in found and "Ông Thị Ba" not in found
    probationary = client.get(url, query_string={"status": "probationary"}).get_data(as_text=True)
    assert "Đoàn Văn Ân" in probationary and "Ông Thị Ba" not in probationary
    partial = client.get(url, query_string={"q": "521010"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "Ông Thị Ba" in partial.get_data(
        as_text=True
    )
    assert client.get(f"/roster/units/{world.units['B']}/members").status_code == 404


def test_staff_sees_subtree_lists_only(client, world, as_role):
    as_role("staff_d2")
    assert client.get(f"/roster/units/{world.units['G1']}/members").status_code == 404
    html = client.get(f"/roster/units/{world.units['D2']}/members").get_data(as_text=True)
    assert "Võ Minh Châu" in html and "Chi bộ thôn An Vĩnh" in html


def test_home_shows_roster_tiles(client, world, as_role):
    as_role("staff_d1")
    html = client.get("/").get_data(as_text=True)
    assert "Nhập danh sách từ Excel" in html and "Đề nghị cấp thẻ cần xử lý" in html


def test_slip_qr_opens_login_with_the_card_number(app, world, monkeypatch):
    import segno

    from blueprints.roster import accounts
    from blueprints.units.models import Unit

    # The host must be one the operator trusts (TRUSTED_HOSTS); any other is refused.
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["sotay.example.vn"])
    with app.test_request_context(base_url="https://sotay.example.vn"):
        unit = db.session.get(Unit, world.units["A"])
        rows = db.session.execute(accounts.members_for_issue(unit, only_new=False)).all()
        slips, _skipped = accounts.issue(rows, db.session.get(User, world.users["admin"]))
        db.session.rollback()
    urls = {s.card: s.url for s in slips}
    assert urls["52100002"] == "https://sotay.example.vn/login?card=52100002"
    # The code drawn on the slip encodes exactly that URL (byte mode, readable by any camera).
    code = segno.make(urls["52100002"], error="m", micro=False, mask=0)
    assert code.designator.startswith(("2", "3", "4")) and code.mode == "byte"


def test_too_large_unit_is_issued_by_sub_unit(app, client, world, as_role, monkeypatch):
    from blueprints.roster import accounts

    monkeypatch.setattr(accounts, "MAX_ISSUE", 2)
    as_role("staff_d1")
    response = _issue(client, world.units["G1"], mode="all")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "theo từng đơn vị trực thuộc" in html
    assert "Mỗi lần cấp được tối đa 2 tài khoản" in html  # and the cells to go through
    assert f"/roster/units/{world.units['A']}/accounts" in html
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.issued"))
            is None
        )


def test_accounts_page_lists_sub_units_with_what_is_left_to_issue(app, client, world, as_role):
    from blueprints.roster import accounts
    from blueprints.units.models import Unit

    with app.app_context():
        make_member("52100099", "Đặng Thị Mai", db.session.get(Unit, world.units["B"]))
        db.session.commit()
        g1 = db.session.get(Unit, world.units["G1"])
        counts = {
            sub.code: (members, without) for sub, members, without in accounts.sub_unit_counts(g1)
        }
        assert counts == {"A": (3, 0), "B": (2, 1)}  # every account of A already issued
    as_role("staff_d1")
    html = client.get(f"/roster/units/{world.units['D1']}/accounts").get_data(as_text=True)
    assert "Cấp theo đơn vị trực thuộc" in html
    assert f"/roster/units/{world.units['G1']}/accounts" in html  # one step down, G1
    assert "Chi bộ thôn An Phú" not in html  # cells appear on G1's page, not D1's
