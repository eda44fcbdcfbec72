"""Party-card requests: member files, staff of the right committee handle, all audited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.cards.models import CardRequest
from blueprints.members.models import Member
from core.extensions import db
from tests.conftest import csrf_token, login


def _file(client, kind="lost", details="Tôi làm mất thẻ khi đi làm rẫy."):
    token = csrf_token(client, "/card-requests/new")
    response = client.post(
        "/card-requests/new", data={"csrf_token": token, "kind": kind, "details": details}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/card-requests/(\d+)", response.headers["Location"]).group(1))


def _post(client, request_id, action, **data):
    token = csrf_token(client, f"/card-requests/{request_id}")
    return client.post(f"/card-requests/{request_id}/{action}", data={"csrf_token": token, **data})


def test_full_flow_ask_reply_approve_and_login_by_new_number(app, client, world, as_role):
    as_role("member_a")
    request_id = _file(client)
    html = client.get(f"/card-requests/{request_id}").get_data(as_text=True)
    assert "Mất thẻ" in html and "Đang chờ xử lý" in html and "làm rẫy" in html
    assert "Đã gửi đề nghị" in html or "Gửi đề nghị" in html

    staff = app.test_client()
    login(staff, "tochuc.d1")
    queue = staff.get("/card-requests/queue").get_data(as_text=True)
    assert "Trần Thị Ánh" in queue
    response = _post(
        staff, request_id, "ask", **{"ask-note": "Xin gửi ảnh giấy xác nhận của công an xã."}
    )
    assert response.status_code == 302

    html = client.get(f"/card-requests/{request_id}").get_data(as_text=True)
    assert "Cần bổ sung thông tin" in html and "công an xã" in html
    assert (
        _post(
            client, request_id, "reply", **{"reply-note": "Đã nộp bản chụp tại văn phòng."}
        ).status_code
        == 302
    )

    taken = _post(staff, request_id, "approve", **{"approve-new_card_number": "52100005"})
    assert taken.status_code == 422 and "không còn trống" in taken.get_data(as_text=True)
    ok = _post(staff, request_id, "approve", **{"approve-new_card_number": "52.999.001"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(Member, world.members["mem_a"]).card_number == "52999001"
        req = db.session.get(CardRequest, request_id)
        assert req.status == "approved" and req.old_card_number == "52100002"
        assert [e.action for e in req.events] == [
            "submitted",
            "info_requested",
            "info_added",
            "approved",
        ]
        actions = set(
            db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("card_request.%"))
            )
        )
        assert actions == {
            "card_request.submitted",
            "card_request.info_requested",
            "card_request.info_added",
            "card_request.number_taken",
            "card_request.approved",
        }
    mine = client.get("/card-requests").get_data(as_text=True)
    assert "Đã duyệt" in mine
    assert login(app.test_client(), "52999001").status_code == 302
    assert login(app.test_client(), "0905000002").status_code == 302  # the phone number too
    # The old number still logs in for a while, and the member is told the new one.
    old = app.test_client()
    assert login(old, "52100002").status_code == 302
    assert "đã đổi thành 52999001" in old.get("/").get_data(as_text=True)
    with app.app_context():
        req = db.session.get(CardRequest, request_id)
        req.updated_at -= timedelta(days=app.config["OLD_CARD_LOGIN_DAYS"] + 1)
        db.session.commit()
    assert login(app.test_client(), "52100002").status_code == 401


def test_reject_needs_a_reason_and_member_sees_it(app, client, world, as_role):
    as_role("member_b")
    request_id = _file(client, kind="wrong_details", details="Sai năm sinh.")
    staff = app.test_client()
    login(staff, "tochuc.d1")
    assert _post(staff, request_id, "reject", **{"reject-note": ""}).status_code == 422
    assert (
        _post(
            staff, request_id, "reject", **{"reject-note": "Đã đối chiếu hồ sơ, thông tin đúng."}
        ).status_code
        == 302
    )
    html = client.get(f"/card-requests/{request_id}").get_data(as_text=True)
    assert "Không được duyệt" in html and "thông tin đúng" in html


def test_scope_member_sees_own_staff_sees_subtree(app, client, world, as_role):
    as_role("member_a")
    request_id = _file(client)
    other_member = app.test_client()
    login(other_member, "52100004")
    assert other_member.get(f"/card-requests/{request_id}").status_code == 404
    assert other_member.get("/card-requests/queue").status_code == 403
    other_staff = app.test_client()
    login(other_staff, "tochuc.d2")
    assert other_staff.get(f"/card-requests/{request_id}").status_code == 404
    assert "Trần Thị Ánh" not in other_staff.get("/card-requests/queue").get_data(as_text=True)
    assert (
        _post(
            other_staff, request_id, "approve", **{"approve-new_card_number": "52999002"}
        ).status_code
        == 404
    )
    secretary = app.test_client()
    login(secretary, "52100001")
    assert secretary.get("/card-requests/queue").status_code == 403


def test_a_second_open_request_of_the_same_kind_is_not_duplicated(client, world, as_role):
    as_role("member_a")
    first = _file(client)
    assert _file(client) == first
