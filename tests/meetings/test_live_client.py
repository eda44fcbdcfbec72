"""What the live views' script relies on from the server (issue 13, client side): refusals as a
short fragment in their own words (no generic title), actions that never inherit the region's
request sync, a wrong code on the QR page answered beside the field, a vote without a choice
refused with what to do, and the phone's rating answered as a receipt."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import vietnam_now
from tests.meetings.conftest import post
from tests.meetings.test_meetings import _code, _present, _run_and_close, _start


def test_refusal_fragment_is_the_reason_alone(app, client, world, schedule, client_for):
    meeting_id = schedule(starts=vietnam_now() + timedelta(minutes=30))
    _start(client, meeting_id)
    member = client_for("member_a")
    response = post(member, f"/meetings/{meeting_id}/checkin", {"code": "000000"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mã điểm danh không đúng" in body and "Hãy nhập mã đang hiện trên màn hình" in body
    assert "Yêu cầu không hợp lệ" not in body  # the reason says it all
    assert 'role="alert"' in body


def test_live_actions_have_their_own_sync_and_no_swap(app, client, world, schedule, client_for):
    meeting_id = schedule(starts=vietnam_now() + timedelta(minutes=30))
    _start(client, meeting_id)
    page = client.get(f"/meetings/{meeting_id}/console").get_data(as_text=True)
    # A form inside a region would inherit hx-sync="this:replace" and be cancelled by the
    # region's refresh: every action states its own.
    forms = page.count('hx-post="/meetings/')
    assert forms and page.count('hx-sync="this:drop"') == forms - page.count("data-offline-queue")
    assert 'hx-target="#receipt"' not in page
    assert "data-autosave" in page  # the conclusion is saved before "Chuyển sang"
    phone = client_for("member_a").get(f"/meetings/{meeting_id}/live").get_data(as_text=True)
    assert 'class="compact-nav"' in phone and 'data-receipt="checkin"' in phone


def test_wrong_code_on_the_qr_page_stays_on_the_field(app, client, world, schedule, client_for):
    meeting_id = schedule(starts=vietnam_now() + timedelta(minutes=30))
    _start(client, meeting_id)
    member = client_for("member_a")
    response = post(member, f"/meetings/{meeting_id}/checkin", {"code": "000000"}, False)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-describedby="code-error"' in body and "Mã điểm danh không đúng" in body
    ok = post(member, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)}, False)
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/live")


def test_vote_without_a_choice_says_what_to_do(app, client, world, schedule, client_for):
    meeting_id = schedule(starts=vietnam_now() + timedelta(minutes=30))
    _start(client, meeting_id)
    member = _present(app, client, client_for, world, meeting_id, "member_a")["member_a"]
    post(
        client,
        f"/meetings/{meeting_id}/motions",
        {"text": "Thông qua", "majority": "all", "confirm_no_quorum": "1"},
    )
    page = member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert 'type="radio" name="choice"' in page and "Gửi phiếu" in page
    motion_id = page.split(f"/meetings/{meeting_id}/motions/")[1].split("/")[0]
    response = post(member, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"key": "k1"})
    assert response.status_code == 400
    assert "Gửi phiếu" in response.get_data(as_text=True)


def test_rating_from_the_phone_is_a_receipt(app, client, world, schedule, client_for):
    meeting_id = schedule(starts=vietnam_now() + timedelta(hours=1))
    clients = _run_and_close(app, client, client_for, world, meeting_id)
    member = clients["member_a"]
    page = member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert 'name="preparation"' in page and "Gửi đánh giá" in page
    data = {"preparation": "5", "proceedings": "4", "follow_through": "3"}
    response = post(member, f"/meetings/{meeting_id}/rating", data)
    assert response.status_code == 200 and "Cảm ơn đồng chí" in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "meeting:changed"
    page = member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert "Đồng chí đã đánh giá buổi sinh hoạt" in page
