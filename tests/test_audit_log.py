"""The audit log as administrators read it: every recorded action named in Vietnamese, objects
named and linked, details spelled out, and filters by action, person and date."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from blueprints.audit.labels import ACTION_LABELS
from blueprints.audit.models import AuditEntry, record
from blueprints.auth.models import User
from blueprints.meetings.models import Meeting
from blueprints.roster.models import JobKind
from core.extensions import db
from core.models import utcnow

ROOT = Path(__file__).resolve().parents[1]
LITERAL = re.compile(r'record\(\s*"([a-z_]+\.[a-z_]+)"')
DYNAMIC = re.compile(r'record\(\s*f"')


def test_every_recorded_action_has_a_vietnamese_label():
    """Scan the code: a new `record("x.y", …)` without a label fails here."""
    found, dynamic = set(), []
    for path in (ROOT / "blueprints").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(LITERAL.findall(text))
        dynamic += [path.name for _match in DYNAMIC.finditer(text)]
    assert "auth.login" in found and "meeting.minutes_lock" in found  # the scan sees the code
    # The two codes built at run time, spelled out.
    cards = (ROOT / "blueprints/cards/routes.py").read_text(encoding="utf-8")
    found |= {f"card_request.{step}" for step in re.findall(r'_step\(req, "(\w+)"', cards)}
    found |= {f"roster.import_{kind.value}" for kind in JobKind}
    assert sorted(dynamic) == ["commands.py", "jobs.py", "routes.py"]
    missing = sorted(found - ACTION_LABELS.keys())
    assert not missing, f"actions without a label in blueprints/audit/labels.py: {missing}"


def _add_entries(app, world, meeting_id: int) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        secretary = db.session.get(User, world.users["secretary_a"])
        record(
            "meeting.edit",
            meeting,
            actor=secretary,
            changes={
                "place": ["Nhà văn hóa thôn", "Hội trường xã"],
                "chair_id": [world.members["sec_a"], world.members["mem_a"]],
            },
        )
        record(
            "meeting.proxy_checkin",
            meeting,
            actor=secretary,
            member_id=world.members["new_a"],
            reason="Không có điện thoại",
        )
        old = record("auth.login_failed", None, login="0905999999")
        db.session.flush()
        db.session.execute(
            update(AuditEntry).where(AuditEntry.id == old.id).values(at=utcnow() - timedelta(10))
        )
        db.session.commit()


def test_entries_name_their_objects_and_details(app, world, schedule, client_for):
    meeting_id = schedule()
    _add_entries(app, world, meeting_id)
    client = client_for("admin")
    html = client.get("/admin/audit?action=meeting.edit").get_data(as_text=True)
    assert "Sửa thông tin buổi sinh hoạt" in html and "meeting.edit</" not in html
    assert f'href="/meetings/{meeting_id}"' in html and "Sinh hoạt chi bộ tháng 12" in html
    assert "Địa điểm:</span> Nhà văn hóa thôn → Hội trường xã" in html
    assert "Chủ trì:</span> Nguyễn Văn Bình → Trần Thị Ánh" in html  # member ids as names
    proxy = client.get("/admin/audit?action=meeting.proxy_checkin").get_data(as_text=True)
    assert "Lê Đức Anh" in proxy and "Không có điện thoại" in proxy
    assert "Tổng số: 1 bản ghi" in proxy


def test_filters_by_person_and_date(app, world, schedule, client_for):
    meeting_id = schedule()  # logs the secretary in: an auth.login entry by them
    _add_entries(app, world, meeting_id)
    client = client_for("admin")
    mine = client.get(f"/admin/audit?login={world.logins['secretary_a']}")
    rows = mine.get_data(as_text=True).split("<tbody>")[1]  # not the filter's option list
    assert "Đăng nhập sai mật khẩu" not in rows and "quantri" not in rows
    assert "Sửa thông tin buổi sinh hoạt" in rows and "Lên lịch buổi sinh hoạt" in rows
    nobody = client.get("/admin/audit?login=khong-co-ai").get_data(as_text=True)
    assert "Không tìm thấy tài khoản này" in nobody and "Tổng số: 0 bản ghi" in nobody
    today = utcnow().date()
    old = client.get(f"/admin/audit?date_to={today - timedelta(5)}").get_data(as_text=True)
    assert "Tổng số: 1 bản ghi" in old and "0905999999" in old
    recent = client.get(f"/admin/audit?date_from={today - timedelta(1)}").get_data(as_text=True)
    assert "0905999999" not in recent
    backwards = client.get(
        f"/admin/audit?date_from={today}&date_to={today - timedelta(1)}",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert 'role="alert"' in backwards
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu" in backwards
    garbage = client.get("/admin/audit?date_from=31/02/2026&action=khong-co")
    assert garbage.status_code == 200
    text = garbage.get_data(as_text=True)
    assert "Ngày không hợp lệ" in text and "Lựa chọn không hợp lệ" in text
    extreme = client.get("/admin/audit?date_from=0001-01-01&date_to=9999-12-31")
    assert extreme.status_code == 200
    assert "Hãy chọn một ngày từ năm 2000 đến năm 2100" in extreme.get_data(as_text=True)
    # A valid filter still applies when another field is wrong.
    mixed = client.get("/admin/audit?action=auth.login_failed&date_to=9999-12-31")
    assert "Tổng số: 1 bản ghi" in mixed.get_data(as_text=True)


def test_count_is_capped_for_large_logs(app, world, client_for, monkeypatch):
    """Past the cap the page says "more than" instead of counting every row."""
    import blueprints.admin.routes as admin_routes

    client = client_for("admin")
    client_for("member_a"), client_for("member_b")  # more login entries
    monkeypatch.setattr(admin_routes, "COUNT_CAP", 2)
    html = client.get("/admin/audit?page=9").get_data(as_text=True)
    assert "Hơn 2 bản ghi" in html and "Trang 1 / 1" not in html
    monkeypatch.setattr(admin_routes, "COUNT_CAP", 10_000)
    assert "Tổng số: 3 bản ghi" in client.get("/admin/audit").get_data(as_text=True)


def test_odd_entries_still_render(app, world, client_for):
    """Entries written by older code or by hand (odd ids, odd details) never break the page."""
    with app.app_context():
        db.session.add_all(
            [
                AuditEntry(action="meeting.edit", object_type="Meeting", object_id="abc"),
                AuditEntry(action="khong.biet", object_type="Khac", object_id="7"),
                AuditEntry(action="meeting.edit", object_type="Meeting", object_id="9" * 30),
                AuditEntry(action="meeting.edit", details={"member_id": 10**15}),
                AuditEntry(action="meeting.edit", details={"changes": ["x"], "member_id": 10**9}),
            ]
        )
        db.session.commit()
    response = client_for("admin").get("/admin/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "#abc" in html  # the object's kind and id, with nothing to link to
    assert "khong.biet" in html and "#1000000000" in html


def test_every_audited_object_type_is_registered_by_its_feature(app):
    """Features register how their objects are named (audit imports none of them): each type
    the log links to has a label and a loader once the app is built."""
    from blueprints.audit.labels import OBJECT_LABELS, OBJECT_LOADERS, VALUE_LABELS

    types = {"User", "Member", "Unit", "Meeting", "Article", "CardRequest", "ImportJob"}
    assert types <= OBJECT_LABELS.keys() and OBJECT_LABELS.keys() == OBJECT_LOADERS.keys()
    assert {"role", "status", "kind", "mode", "source", "member_status"} <= VALUE_LABELS.keys()
    assert {"lost", "news", "units"} <= VALUE_LABELS["kind"].keys()  # cards, handbook, roster
