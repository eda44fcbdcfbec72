"""The Party's rules for a cell meeting (services/rules.py): who votes, the base of the quorum
and of a majority, the close that never guesses, one open vote, versioned roll-call lines."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.meetings import services as sv
from blueprints.meetings.models import Attend, Meeting, Minutes, Motion
from blueprints.meetings.services import rules
from blueprints.members.models import MemberStatus
from blueprints.units.models import Unit
from core.extensions import db
from tests.conftest import make_member, make_user
from tests.meetings.conftest import post


def _start(client, meeting_id):
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302


def _code(app, meeting_id):
    with app.app_context():
        return sv.checkin_code(db.session.get(Meeting, meeting_id))


def _add(app, world, card, name, status=MemberStatus.OFFICIAL, **kw):
    with app.app_context():
        member = make_member(
            card, name, db.session.get(Unit, world.units["A"]), status=status, **kw
        )
        db.session.flush()
        make_user(member)
        db.session.commit()
        return member.id


def _mark(client, meeting_id, member_id, status, reason="", **extra):
    data = {"status": status, "reason": reason} | extra
    return post(client, f"/meetings/{meeting_id}/attendance/{member_id}", data)


def _totals(app, meeting_id):
    with app.app_context():
        return sv.totals(db.session.get(Meeting, meeting_id))


def _last_motion(app, meeting_id):
    with app.app_context():
        return db.session.scalar(
            select(Motion).where(Motion.meeting_id == meeting_id).order_by(Motion.id.desc())
        )


def test_rules_quorum_and_majority_arithmetic():
    # Two thirds of the official members convened, rounded up (services/rules.py).
    assert [rules.quorum_needed(n) for n in (3, 9, 12, 21)] == [2, 6, 8, 14]
    # A cell may ask for more, never less.
    assert rules.quorum_needed(12, 75) == 9 and rules.quorum_needed(12, 50) == 8
    # More than half of the base (Điều lệ, Điều 9 khoản 5), or two thirds when the cell asks.
    assert not rules.passes("all", 6, 12) and rules.passes("all", 7, 12)
    assert not rules.passes("two_thirds", 7, 12) and rules.passes("two_thirds", 8, 12)
    assert rules.majority_needed("all", 12) == 7 and rules.majority_needed("two_thirds", 12) == 8
    assert not rules.passes("all", 0, 0)
    assert rules.may_vote(MemberStatus.OFFICIAL) and rules.may_vote(MemberStatus.EXEMPT)
    assert not rules.may_vote(MemberStatus.PROBATIONARY)


def test_base_leaves_out_probationary_exempt_absent_and_away(app, client, world, schedule):
    prob = _add(app, world, "52100020", "Hồ Thị Mai", MemberStatus.PROBATIONARY)
    exempt = _add(app, world, "52100021", "Đỗ Văn Cao", MemberStatus.EXEMPT)
    away = _add(app, world, "52100022", "Lý Văn Tư")
    meeting_id = schedule()
    _start(client, meeting_id)
    assert _mark(client, meeting_id, away, "away").status_code == 200
    t = _totals(app, meeting_id)
    # sec_a, mem_a, new_a official; Lý Văn Tư away; the exempt member not present; probationary.
    assert (t.base, t.probationary, t.exempt, t.away, t.needed) == (3, 1, 1, 1, 2)
    # An exempt member who comes is counted (and votes).
    assert _mark(client, meeting_id, exempt, "present", "Đến dự").status_code == 200
    assert _mark(client, meeting_id, prob, "present", "Không có điện thoại").status_code == 200
    t = _totals(app, meeting_id)
    assert (t.base, t.official_present, t.present, t.needed, t.quorum) == (4, 1, 2, 3, False)


def test_probationary_member_cannot_vote_and_the_phone_says_why(
    app, client, world, schedule, client_for
):
    prob = _add(app, world, "52100020", "Hồ Thị Mai", MemberStatus.PROBATIONARY)
    meeting_id = schedule()
    _start(client, meeting_id)
    phone = client_for("member_a")
    with app.app_context():
        # Make member_a probationary (the world's only member with a phone besides sec_a).
        from blueprints.members.models import Member

        db.session.get(Member, world.members["mem_a"]).status = MemberStatus.PROBATIONARY
        db.session.commit()
    checked = post(phone, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    assert checked.status_code == 200
    post(client, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    _mark(client, meeting_id, world.members["new_a"], "present", "Không có điện thoại")
    _mark(client, meeting_id, prob, "present", "Không có điện thoại")
    data = {"text": "Thông qua nghị quyết", "majority": "all", "confirm_no_quorum": "1"}
    assert post(client, f"/meetings/{meeting_id}/motions", data).status_code == 200
    motion = _last_motion(app, meeting_id)
    refused = post(phone, f"/meetings/{meeting_id}/motions/{motion.id}/vote", {"choice": "yes"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "đảng viên dự bị" in body and "Điều 3" in body
    page = phone.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert "đảng viên dự bị" in page and 'name="choice"' not in page
    # Nor on their behalf.
    proxy = post(
        client,
        f"/meetings/{meeting_id}/motions/{motion.id}/proxy",
        {"member_id": prob, "choice": "yes", "reason": "Giơ tay"},
    )
    assert proxy.status_code == 409 and "chính thức" in proxy.get_data(as_text=True)
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/vote", {"choice": "yes"})
    post(
        client,
        f"/meetings/{meeting_id}/motions/{motion.id}/proxy",
        {"member_id": world.members["new_a"], "choice": "yes", "reason": "Giơ tay"},
    )
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/close")
    motion = _last_motion(app, meeting_id)
    # Base: sec_a and new_a (mem_a and Hồ Thị Mai are probationary); 2 of 2 approve.
    assert (motion.yes, motion.base, motion.present, motion.quorum_held) == (2, 2, 2, True)
    assert motion.passed


def test_vote_without_quorum_warns_first_and_never_passes(app, client, world, schedule):
    for n in range(4):
        _add(app, world, f"5210003{n}", f"Phan Văn Số {n}")
    meeting_id = schedule()  # 7 official members: the quorum is 5
    _start(client, meeting_id)
    post(client, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    data = {"text": "Thông qua nghị quyết", "majority": "all"}
    warned = post(client, f"/meetings/{meeting_id}/motions", data)
    body = warned.get_data(as_text=True)
    assert warned.status_code == 409 and "Chưa đủ số lượng" in body
    assert "1/7" in body and "cần ít nhất 5" in body and 'name="confirm_no_quorum"' in body
    assert _last_motion(app, meeting_id) is None  # nothing opened yet
    confirmed = post(client, f"/meetings/{meeting_id}/motions", data | {"confirm_no_quorum": "1"})
    assert confirmed.status_code == 200
    motion = _last_motion(app, meeting_id)
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/vote", {"choice": "yes"})
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/close")
    motion = _last_motion(app, meeting_id)
    assert (motion.quorum_held, motion.present, motion.base, motion.passed) == (False, 1, 7, False)
    console = client.get(f"/meetings/{meeting_id}/part/motions").get_data(as_text=True)
    assert "không đủ số lượng" in console


def test_only_one_open_vote_at_a_time(app, client, world, schedule):
    meeting_id = schedule()
    _start(client, meeting_id)
    data = {"text": "Biểu quyết thứ nhất", "majority": "all", "confirm_no_quorum": "1"}
    assert post(client, f"/meetings/{meeting_id}/motions", data).status_code == 200
    second = post(client, f"/meetings/{meeting_id}/motions", data | {"text": "Thứ hai"})
    body = second.get_data(as_text=True)
    assert second.status_code == 409 and "Biểu quyết thứ nhất" in body
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count()).select_from(Motion).where(Motion.meeting_id == meeting_id)
            )
            == 1
        )


def test_close_refuses_to_guess_and_lists_the_unmarked(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    post(client, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    refused = post(client, f"/meetings/{meeting_id}/close", htmx=False)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Còn 2 đồng chí chưa điểm danh" in body
    assert "Trần Thị Ánh" in body and "Lê Đức Anh" in body  # the clerk is listed too
    assert 'name="unmarked_as"' in body and "Quay lại điểm danh" in body
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).is_ongoing
    # An excused choice needs a reason; a preset one is enough.
    bad = post(client, f"/meetings/{meeting_id}/close", {"unmarked_as": "excused"}, htmx=False)
    assert bad.status_code == 400 and "cần ghi lý do" in bad.get_data(as_text=True)
    ok = post(
        client,
        f"/meetings/{meeting_id}/close",
        {"unmarked_as": "excused", "reason_preset": "cong_tac"},
        htmx=False,
    )
    assert ok.status_code == 302
    with app.app_context():
        body = db.session.scalar(select(Minutes.body).where(Minutes.meeting_id == meeting_id))
    assert "Đồng chí Trần Thị Ánh: vắng có lý do (Đi công tác)." in body
    assert "(không có lý do)" not in body


def test_unexcused_absence_is_written_without_a_reason(app, client, world, schedule):
    meeting_id = schedule()
    _start(client, meeting_id)
    post(client, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    _mark(client, meeting_id, world.members["mem_a"], "unexcused")
    post(client, f"/meetings/{meeting_id}/close", {"unmarked_as": "unexcused"}, htmx=False)
    with app.app_context():
        body = db.session.scalar(select(Minutes.body).where(Minutes.meeting_id == meeting_id))
    assert "Đồng chí Trần Thị Ánh: vắng không lý do." in body
    assert "không có lý do" not in body
    assert "có mặt 1/3 (33,3%)" in body and "không đủ số lượng" in body


def test_mark_rest_present_and_preset_reasons(app, client, world, schedule):
    meeting_id = schedule()
    _start(client, meeting_id)
    _mark(client, meeting_id, world.members["mem_a"], "excused", reason_preset="om")
    rest = post(client, f"/meetings/{meeting_id}/attendance/rest", {"status": "present"})
    assert rest.status_code == 200 and "Đã đánh dấu 2 đồng chí" in rest.get_data(as_text=True)
    with app.app_context():
        line = sv.attendance_of(meeting_id, world.members["mem_a"])
        assert (line.status, line.reason) == (Attend.EXCUSED, "Ốm")
        other = sv.attendance_of(meeting_id, world.members["new_a"])
        assert other.status == Attend.PRESENT and other.by_proxy  # may vote by proxy
    page = client.get(f"/meetings/{meeting_id}/console").get_data(as_text=True)
    assert "Đánh dấu những đồng chí còn lại là có mặt" not in page  # nobody left
    assert 'name="reason_preset"' in page and "Việc gia đình" in page


def test_namesakes_are_told_apart(app, client, world, schedule):
    _add(app, world, "52101234", "Nguyễn Thu Trinh", birth_date=date(1958, 3, 2))
    _add(app, world, "52105678", "Nguyễn Thu Trinh", birth_date=date(1971, 8, 9))
    _add(app, world, "52109999", "Lê Đức Anh")  # same name as new_a, no birth date
    meeting_id = schedule()
    _start(client, meeting_id)
    page = client.get(f"/meetings/{meeting_id}/part/attendance").get_data(as_text=True)
    assert "Nguyễn Thu Trinh (sinh năm 1958)" in page
    assert "Nguyễn Thu Trinh (sinh năm 1971)" in page
    assert "Lê Đức Anh (thẻ số …9999)" in page and "Lê Đức Anh (thẻ số …0003)" in page


def test_a_stale_attendance_change_is_refused_with_the_current_value(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    _start(client, meeting_id)
    member_id = world.members["new_a"]
    with app.app_context():
        seen = sv.attendance_of(meeting_id, member_id).version
    first = _mark(client, meeting_id, member_id, "excused", "Ốm", version=seen)
    assert first.status_code == 200
    # A second secretary's screen still showed the old line.
    deputy = client_for("secretary_a")
    stale = _mark(deputy, meeting_id, member_id, "unexcused", version=seen)
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Vắng có lý do — Ốm" in body
    assert stale.headers["HX-Trigger"] == "meeting:changed"
    with app.app_context():
        line = sv.attendance_of(meeting_id, member_id)
        assert (line.status, line.reason, line.version) == (Attend.EXCUSED, "Ốm", seen + 1)


def test_minutes_give_counts_percentages_and_quorum(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    phone = client_for("member_a")
    post(phone, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    post(client, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    _mark(client, meeting_id, world.members["new_a"], "present", reason_preset="khong_dien_thoai")
    data = {"text": "Thông qua nghị quyết", "majority": "all"}
    assert post(client, f"/meetings/{meeting_id}/motions", data).status_code == 200
    motion = _last_motion(app, meeting_id)
    post(phone, f"/meetings/{meeting_id}/motions/{motion.id}/vote", {"choice": "yes"})
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/vote", {"choice": "no"})
    post(
        client,
        f"/meetings/{meeting_id}/motions/{motion.id}/proxy",
        {"member_id": world.members["new_a"], "choice": "yes", "reason": "Đồng chí giơ tay"},
    )
    post(client, f"/meetings/{meeting_id}/motions/{motion.id}/close")
    assert post(client, f"/meetings/{meeting_id}/close", htmx=False).status_code == 302
    with app.app_context():
        body = db.session.scalar(select(Minutes.body).where(Minutes.meeting_id == meeting_id))
    assert "tán thành 2/3 (66,7%), không tán thành 1/3 (33,3%)" in body
    assert "trên 3 đảng viên chính thức được triệu tập" in body
    assert "Đảng viên chính thức được triệu tập: 3; có mặt 3/3 (100,0%); cần ít nhất 2" in body
    assert "đủ số lượng, buổi sinh hoạt hợp lệ" in body
    assert "Lê Đức Anh được điểm danh hộ (Không có điện thoại thông minh)" in body
    assert "do đồng chí Nguyễn Văn Bình ghi hộ lúc" in body and "(Đồng chí giơ tay)" in body
