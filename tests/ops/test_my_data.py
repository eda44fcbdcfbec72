""" "Dữ liệu của tôi": everything the app holds about the member, never another member's data
nor a secret ballot's content; correction requests reach the right staff; reads are shown."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader

from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import Attendance, Meeting, Motion, Opinion
from blueprints.mydata.models import CorrectionRequest
from core.extensions import db
from core.models import utcnow
from tests.conftest import csrf_token


def _meeting_with_traces(world) -> None:
    """A closed meeting of cell A in which mem_a and sec_a took part, and one of cell B."""
    now = utcnow()
    a = Meeting(cell_id=world.units["A"], kind="regular", topic="Sinh hoạt chi bộ tháng 11/2026",
                starts_at=now - timedelta(days=20), status="closed")  # fmt: skip
    b = Meeting(cell_id=world.units["B"], kind="regular", topic="Buổi của chi bộ Phước Lộc",
                starts_at=now - timedelta(days=20), status="closed")  # fmt: skip
    db.session.add_all([a, b])
    db.session.flush()
    open_motion = Motion(meeting_id=a.id, text="Thông qua nghị quyết tháng", status="closed")
    secret_motion = Motion(meeting_id=a.id, text="Giới thiệu nhân sự", secret=True, status="closed")
    db.session.add_all([open_motion, secret_motion])
    db.session.flush()
    mem_a, mem_b = world.members["mem_a"], world.members["mem_b"]
    db.session.add_all(
        [
            Attendance(meeting_id=a.id, member_id=mem_a, status="excused", reason="Đi công tác"),
            Attendance(meeting_id=b.id, member_id=mem_b, status="present"),
            OpenVote(motion_id=open_motion.id, member_id=mem_a, choice="yes"),
            BallotReceipt(motion_id=secret_motion.id, member_id=mem_a),
            Opinion(meeting_id=a.id, member_id=mem_a, text="Đề nghị sửa đường liên thôn"),
            Opinion(meeting_id=b.id, member_id=mem_b, text="Ý kiến riêng của đồng chí Đào"),
        ]
    )
    db.session.commit()


def test_my_data_holds_everything_listed_and_nothing_of_another_member(app, client, world, as_role):
    with app.app_context():
        _meeting_with_traces(world)
    as_role("member_a")
    page = client.get("/my-data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = (
        "Trần Thị Ánh",
        "52100002",
        "Đi công tác",
        "Thông qua nghị quyết tháng",
        "Đã bỏ phiếu",
        "Đề nghị sửa đường liên thôn",
        "Lần đăng nhập và thiết bị",
    )
    for text in expected:
        assert text in html, text
    assert "Ý kiến riêng của đồng chí Đào" not in html and "Phạm Thị Đào" not in html

    data = client.get("/my-data.json")
    assert data.status_code == 200 and "attachment" in data.headers["Content-Disposition"]
    payload = json.loads(data.get_data(as_text=True))
    assert {"record", "account", "roles", "sessions", "attendance", "open_votes",
            "secret_ballots", "opinions", "recommendations", "ratings", "card_requests",
            "reads", "corrections"} <= set(payload)  # fmt: skip
    assert payload["record"]["rows"][0]["Nội dung"] == "Trần Thị Ánh"
    (vote,) = payload["open_votes"]["rows"]
    assert vote["Lựa chọn"] and vote["Nội dung biểu quyết"] == "Thông qua nghị quyết tháng"
    (ballot,) = payload["secret_ballots"]["rows"]
    assert set(ballot) == {"Buổi sinh hoạt", "Ngày", "Nội dung biểu quyết", "Tham gia"}
    text = json.dumps(payload, ensure_ascii=False)
    assert "password" not in text.lower() and "token" not in text.lower()
    assert "Đào" not in text

    pdf = client.get("/my-data.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Trần Thị Ánh" in words and "Đi công tác" in words


def test_a_member_sees_who_opened_their_record(app, client_for, world):
    staff = client_for("staff_d1")
    assert staff.get(f"/members/{world.members['mem_a']}").status_code == 200
    member = client_for("member_a")
    html = member.get("/my-data").get_data(as_text=True)
    reads = html.split("Ai đã xem thông tin của đồng chí")[1].split("</section>")[0]
    assert "tochuc.d1" in reads and "Hồ sơ của đồng chí" in reads


def test_a_correction_reaches_the_staff_of_the_members_units_only(app, client_for, world):
    member = client_for("member_a")
    token = csrf_token(member, "/my-data")
    sent = member.post(
        "/my-data/corrections",
        data={"csrf_token": token, "text": "Ngày sinh của tôi là 12/05/1971"},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200 and "Đã gửi" in sent.get_data(as_text=True)
    empty = member.post(
        "/my-data/corrections",
        data={"csrf_token": token, "text": "  "},
        headers={"HX-Request": "true"},
    )
    assert empty.status_code == 400 and "ghi rõ thông tin cần sửa" in empty.get_data(as_text=True)
    with app.app_context():
        (entry,) = db.session.query(CorrectionRequest).all()
        entry_id = entry.id

    other = client_for("staff_d2")
    assert "12/05/1971" not in other.get("/my-data/requests").get_data(as_text=True)
    token_other = csrf_token(other, "/my-data/requests")
    refused = other.post(
        f"/my-data/requests/{entry_id}", data={"csrf_token": token_other, "answer": "x"}
    )
    assert refused.status_code == 404
    assert client_for("member_b").get("/my-data/requests").status_code == 403

    staff = client_for("staff_d1")
    queue = staff.get("/my-data/requests").get_data(as_text=True)
    assert "12/05/1971" in queue and "Trần Thị Ánh" in queue
    done = staff.post(
        f"/my-data/requests/{entry_id}",
        data={"csrf_token": csrf_token(staff, "/my-data/requests"), "answer": "Đã sửa ngày sinh"},
    )
    assert done.status_code == 302
    assert "12/05/1971" not in staff.get("/my-data/requests").get_data(as_text=True)
    page = member.get("/my-data").get_data(as_text=True)
    assert "Đã sửa ngày sinh" in page and "Đã xử lý" in page
