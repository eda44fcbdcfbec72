"""Meetings end to end through the views: scheduling, roll call, speakers, votes, minutes."""

from __future__ import annotations

import io
import time

from docx import Document as Docx
from pypdf import PdfReader
from sqlalchemy import inspect, select

from blueprints.meetings import services as sv
from blueprints.meetings.live_models import BallotReceipt, OpenVote, SecretTally
from blueprints.meetings.models import (
    AgendaItem,
    Meeting,
    Minutes,
    MinutesRevision,
    Motion,
    Opinion,
    Task,
)
from blueprints.members.models import MemberStatus
from core.extensions import db
from tests.conftest import make_member, vietnam_now
from tests.meetings.conftest import post


def _start(client, meeting_id):
    response = post(client, f"/meetings/{meeting_id}/start", htmx=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}/console")


def _code(app, meeting_id):
    with app.app_context():
        return sv.checkin_code(db.session.get(Meeting, meeting_id))


def test_schedule_uses_template_and_shows_on_home(app, client, world, schedule, client_for):
    meeting_id = schedule()
    with app.app_context():
        items = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
        ).all()
        assert [i.key for i in items][:4] == ["opening", "rollcall", "documents", "review"]
        assert len(items) == 8
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Kiểm điểm việc thực hiện nhiệm vụ tháng trước" in page
    member = client_for("member_a")
    home = member.get("/").get_data(as_text=True)
    assert "Sinh hoạt chi bộ tháng 12" in home
    # The agenda can be edited and reordered.
    first = items[0].id
    assert (
        post(client, f"/meetings/{meeting_id}/items/{first}", {"op": "down"}, False).status_code
        == 302
    )
    assert (
        post(
            client, f"/meetings/{meeting_id}/items", {"title": "Kết nạp đảng viên mới"}, False
        ).status_code
        == 302
    )
    with app.app_context():
        keys = db.session.scalars(
            select(AgendaItem.key)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).all()
        assert keys[:2] == ["rollcall", "opening"]
        assert len(keys) == 9


def test_other_cells_cannot_open_the_meeting(client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    for name in ("member_b", "member_c", "staff_d2"):
        other = client_for(name)
        for path in ("", "/live", "/live/version?v=0", "/part/member", "/console", "/minutes"):
            status = other.get(f"/meetings/{meeting_id}{path}").status_code
            assert status in (403, 404), (name, path, status)
        assert post(other, f"/meetings/{meeting_id}/speak").status_code == 404
    # A member of the cell sees the member view but not the console.
    member = client_for("member_a")
    assert member.get(f"/meetings/{meeting_id}/live").status_code == 200
    assert member.get(f"/meetings/{meeting_id}/console").status_code == 403
    assert member.get(f"/meetings/{meeting_id}/part/attendance").status_code == 404
    # Staff above the cell may run it.
    assert client_for("staff_d1").get(f"/meetings/{meeting_id}/console").status_code == 200


def test_version_poll_is_204_until_something_changes(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    member = client_for("member_a")
    first = member.get(f"/meetings/{meeting_id}/live/version?v=0")
    assert first.status_code == 200
    version = first.headers["X-Meeting-Version"]
    same = member.get(f"/meetings/{meeting_id}/live/version?v={version}")
    assert same.status_code == 204 and same.data == b""
    assert (
        member.get(
            f"/meetings/{meeting_id}/live/version", headers={"X-Meeting-Version": version}
        ).status_code
        == 204
    )
    post(member, f"/meetings/{meeting_id}/speak")
    changed = member.get(f"/meetings/{meeting_id}/live/version?v={version}")
    assert changed.status_code == 200 and int(changed.data) > int(version)


def test_roll_call_code_proxy_and_quorum(app, client, world, schedule, client_for):
    with app.app_context():
        from blueprints.units.models import Unit

        cell = db.session.get(Unit, world.units["A"])
        make_member("52100009", "Đỗ Văn Cao", cell, status=MemberStatus.EXEMPT)
        db.session.commit()
    meeting_id = schedule()
    _start(client, meeting_id)
    member = client_for("member_a")
    bad = post(member, f"/meetings/{meeting_id}/checkin", {"code": "000000x"})
    assert bad.status_code == 400 and "Mã điểm danh không đúng" in bad.get_data(as_text=True)
    ok = post(member, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    assert ok.status_code == 200 and "Đã điểm danh" in ok.get_data(as_text=True)
    assert ok.headers["HX-Trigger"] == "meeting:changed"
    # Proxy check-in needs a reason, which is kept.
    url = f"/meetings/{meeting_id}/attendance/{world.members['new_a']}"
    unchosen = post(client, url, {"status": ""})  # the "— Chọn trạng thái —" placeholder
    assert unchosen.status_code == 400
    assert "Hãy chọn trạng thái điểm danh" in unchosen.get_data(as_text=True)
    assert post(client, url, {"status": "present"}).status_code == 400
    assert (
        post(client, url, {"status": "present", "reason": "Không có điện thoại"}).status_code == 200
    )
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        t = sv.totals(meeting)
        # 3 eligible (the exempt member excluded), 2 present: more than half.
        assert (t.total, t.exempt, t.eligible, t.present, t.needed) == (4, 1, 3, 2, 2)
        assert t.quorum
        line = sv.attendance_of(meeting_id, world.members["new_a"])
        assert line.by_proxy and line.proxy_reason == "Không có điện thoại"
    page = client.get(f"/meetings/{meeting_id}/console").get_data(as_text=True)
    assert "Đủ số lượng" in page
    # Marking someone absent drops below quorum and the banner says so.
    post(client, url, {"status": "excused", "reason": "Đi công tác"})
    page = client.get(f"/meetings/{meeting_id}/part/head").get_data(as_text=True)
    assert "Chưa đủ số lượng" in page


def test_code_rotates_and_old_code_expires(app, world, schedule):
    meeting_id = schedule()
    with app.test_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        now = time.time()
        assert sv.checkin_code(meeting, now) != sv.checkin_code(meeting, now - 600)
        assert not sv.code_is_valid(meeting, sv.checkin_code(meeting, now - 600))
        assert sv.code_is_valid(meeting, sv.checkin_code(meeting, now))


def _present(app, client, client_for, world, meeting_id, *names):
    clients = {}
    for name in names:
        c = client_for(name)
        assert (
            post(c, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)}).status_code
            == 200
        )
        clients[name] = c
    return clients


def test_speakers_queue_and_opinions_by_name(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    member = _present(app, client, client_for, world, meeting_id, "member_a")["member_a"]
    post(member, f"/meetings/{meeting_id}/speak", {"key": "k1"})
    post(member, f"/meetings/{meeting_id}/speak", {"key": "k2"})  # already queued: once
    assert "thứ tự số 1" in member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    response = post(client, f"/meetings/{meeting_id}/speakers/next")
    assert "Trần Thị Ánh" in response.get_data(as_text=True)
    with app.app_context():
        from blueprints.meetings.models import Speaker

        speaker = db.session.scalar(select(Speaker).where(Speaker.meeting_id == meeting_id))
        assert speaker.status == "speaking"
        sid = speaker.id
    post(
        client,
        f"/meetings/{meeting_id}/speakers/{sid}/done",
        {"text": "Đề nghị làm đường bê tông."},
    )
    # A written opinion, sent twice with the same key, is stored once.
    for _ in range(2):
        r = post(
            member, f"/meetings/{meeting_id}/opinions", {"text": "Cần họp đúng giờ.", "key": "op-1"}
        )
        assert r.status_code == 200 and "Đã gửi ✓" in r.get_data(as_text=True)
    with app.app_context():
        opinions = db.session.scalars(select(Opinion).where(Opinion.meeting_id == meeting_id)).all()
        assert sorted((o.spoken, o.text) for o in opinions) == [
            (False, "Cần họp đúng giờ."),
            (True, "Đề nghị làm đường bê tông."),
        ]
    console = client.get(f"/meetings/{meeting_id}/part/opinions").get_data(as_text=True)
    assert "Trần Thị Ánh" in console and "Cần họp đúng giờ." in console


def _motion(app, client, meeting_id, text, secret=False, majority="all"):
    data = {"text": text, "majority": majority, "confirm_no_quorum": "1"}
    if secret:
        data["secret"] = "y"
    assert post(client, f"/meetings/{meeting_id}/motions", data).status_code == 200
    with app.app_context():
        return db.session.scalar(
            select(Motion.id).where(Motion.meeting_id == meeting_id).order_by(Motion.id.desc())
        )


def test_open_vote_counts_once_and_proxy_vote(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    clients = _present(app, client, client_for, world, meeting_id, "member_a", "secretary_a")
    post(
        client,
        f"/meetings/{meeting_id}/attendance/{world.members['new_a']}",
        {"status": "present", "reason": "Không có điện thoại"},
    )
    motion_id = _motion(app, client, meeting_id, "Thông qua nghị quyết tháng 12")
    member = clients["member_a"]
    first = post(member, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "yes"})
    assert "Đã gửi biểu quyết" in first.get_data(as_text=True)
    again = post(member, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "no"})
    assert "đã biểu quyết rồi" in again.get_data(as_text=True)
    url = f"/meetings/{meeting_id}/motions/{motion_id}/proxy"
    assert (
        post(client, url, {"member_id": world.members["new_a"], "choice": "yes"}).status_code == 400
    )
    assert (
        post(
            client,
            url,
            {"member_id": world.members["new_a"], "choice": "yes", "reason": "Đồng chí giơ tay"},
        ).status_code
        == 200
    )
    post(client, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "abstain"})
    post(client, f"/meetings/{meeting_id}/motions/{motion_id}/close")
    with app.app_context():
        votes = db.session.scalars(select(OpenVote).where(OpenVote.motion_id == motion_id)).all()
        assert len(votes) == 3
        assert {v.member_id: v.choice for v in votes}[world.members["mem_a"]] == "yes"
        proxy = next(v for v in votes if v.by_proxy)
        assert proxy.proxy_reason == "Đồng chí giơ tay"
        motion = db.session.get(Motion, motion_id)
        assert (motion.yes, motion.no, motion.abstain, motion.base, motion.passed) == (
            2,
            0,
            1,
            3,
            True,
        )
    # Voting after the close is refused.
    late = post(member, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "no"})
    assert late.status_code == 409


def test_secret_ballot_has_no_voter_link_and_counts_once(app, client, world, schedule, client_for):
    meeting_id = schedule()
    _start(client, meeting_id)
    clients = _present(app, client, client_for, world, meeting_id, "member_a", "secretary_a")
    motion_id = _motion(
        app, client, meeting_id, "Đề nghị kết nạp quần chúng Lê Văn Tám", secret=True
    )
    for _ in range(3):  # double tap and a retry
        post(
            clients["member_a"],
            f"/meetings/{meeting_id}/motions/{motion_id}/vote",
            {"choice": "no"},
        )
    post(client, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "yes"})
    with app.app_context():
        assert "ballots" not in inspect(db.engine).get_table_names()  # no row per ballot
        columns = {c["name"] for c in inspect(db.engine).get_columns("secret_tallies")}
        assert columns == {"motion_id", "choice", "count"}
        receipt_columns = {c["name"] for c in inspect(db.engine).get_columns("ballot_receipts")}
        assert "choice" not in receipt_columns
        tallies = db.session.scalars(
            select(SecretTally).where(SecretTally.motion_id == motion_id)
        ).all()
        receipts = db.session.scalars(
            select(BallotReceipt).where(BallotReceipt.motion_id == motion_id)
        ).all()
        assert len(receipts) == 2
        assert sorted((t.choice, t.count) for t in tallies) == [("no", 1), ("yes", 1)]
        assert not db.session.scalars(select(OpenVote).where(OpenVote.motion_id == motion_id)).all()
    # The live count shows how many voted; the member sees that they voted, not a choice.
    console = client.get(f"/meetings/{meeting_id}/part/motions").get_data(as_text=True)
    assert "Đã biểu quyết: 2/2" in console
    mine = clients["member_a"].get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert "Đã gửi biểu quyết của đồng chí" in mine and "Không tán thành</p>" not in mine


def test_majority_rules(app, world, schedule):
    meeting_id = schedule()
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        sv.sync_attendance(meeting)
        for member_id in (world.members["sec_a"], world.members["mem_a"]):
            sv.check_in(meeting, member_id)
        db.session.commit()
        results = {}
        for rule in ("present", "all", "two_thirds"):
            motion = Motion(meeting_id=meeting_id, text=rule, majority=rule, status="open")
            db.session.add(motion)
            db.session.commit()
            sv.cast_vote(motion, world.members["sec_a"], "yes")
            sv.cast_vote(motion, world.members["mem_a"], "no")
            sv.close_motion(motion, meeting)
            results[rule] = (motion.base, motion.passed)
        # 2 present of 3 official members (quorum: 2); 1 yes: not more than half of the 2
        # present (old rule), nor of the 3 convened, nor 2/3 of them.
        assert results == {"present": (2, False), "all": (3, False), "two_thirds": (3, False)}
        motion = Motion(meeting_id=meeting_id, text="x", majority="two_thirds", status="open")
        db.session.add(motion)
        db.session.commit()
        sv.cast_vote(motion, world.members["sec_a"], "yes")
        sv.cast_vote(motion, world.members["mem_a"], "yes")
        sv.close_motion(motion, meeting)
        assert motion.passed


def _run_and_close(app, client, client_for, world, meeting_id):
    _start(client, meeting_id)
    clients = _present(app, client, client_for, world, meeting_id, "member_a", "secretary_a")
    post(
        client,
        f"/meetings/{meeting_id}/attendance/{world.members['new_a']}",
        {"status": "excused", "reason": "Ốm nằm viện"},
    )
    motion_id = _motion(app, client, meeting_id, "Thông qua nghị quyết")
    post(clients["member_a"], f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "yes"})
    post(client, f"/meetings/{meeting_id}/motions/{motion_id}/vote", {"choice": "yes"})
    post(
        client,
        f"/meetings/{meeting_id}/tasks",
        {"description": "Vận động đóng góp làm đường", "assignee_id": world.members["mem_a"]},
    )
    response = post(client, f"/meetings/{meeting_id}/close", htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/minutes")
    return clients


def test_minutes_drafted_approved_locked_and_exported(app, client, world, schedule, client_for):
    meeting_id = schedule()
    clients = _run_and_close(app, client, client_for, world, meeting_id)
    clerk = clients["member_a"]
    page = clerk.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Có mặt: 2/3" in page and "Lê Đức Anh" in page and "Ốm nằm viện" in page
    # The clerk edits: a new revision, the old one kept.
    with app.app_context():
        body = db.session.scalar(select(Minutes.body).where(Minutes.meeting_id == meeting_id))
    new_body = body + "\nKết luận: chi bộ thống nhất cao."
    r = post(clerk, f"/meetings/{meeting_id}/minutes", {"body": new_body, "note": "bổ sung"}, False)
    assert r.status_code == 302
    # Only chair and clerk approve (staff above may read and edit, not sign).
    assert (
        post(client_for("staff_d1"), f"/meetings/{meeting_id}/minutes/approve").status_code == 403
    )
    # Both approve: locked with a hash.
    assert post(client, f"/meetings/{meeting_id}/minutes/approve", htmx=False).status_code == 302
    assert post(clerk, f"/meetings/{meeting_id}/minutes/approve", htmx=False).status_code == 302
    with app.app_context():
        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
        assert minutes.locked and minutes.content_hash == sv.content_hash(new_body)
        # The score written in the minutes is the one shown beside them once approved.
        q = sv.quality(db.session.get(Meeting, meeting_id))
        assert q.minutes == q.maxima["minutes"]
        assert f"{q.score} điểm — {q.label}" in minutes.body
        assert (
            db.session.scalar(
                select(db.func.count())
                .select_from(MinutesRevision)
                .where(MinutesRevision.minutes_id == minutes.id)
            )
            == 2
        )
    # Locked minutes cannot be edited.
    refused = post(clerk, f"/meetings/{meeting_id}/minutes", {"body": "xóa hết"}, False)
    assert refused.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(Minutes.body).where(Minutes.meeting_id == meeting_id))
            == new_body
        )
    refused = post(clerk, f"/meetings/{meeting_id}/minutes", {"body": "xóa hết"})
    assert refused.status_code == 409

    docx_bytes = clerk.get(f"/meetings/{meeting_id}/minutes.docx")
    assert docx_bytes.status_code == 200
    doc = Docx(io.BytesIO(docx_bytes.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "BIÊN BẢN SINH HOẠT CHI BỘ" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in cells
    assert "Có mặt: 2/3" in text and "Lê Đức Anh" in text and "tán thành 2" in text
    pdf = clerk.get(f"/meetings/{meeting_id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "BIÊN BẢN SINH HOẠT CHI BỘ" in pdf_text
    assert "Có mặt: 2/3" in pdf_text and "Trần Thị Ánh" in pdf_text

    # Re-opening locked minutes needs a reason and is audited.
    assert post(client, f"/meetings/{meeting_id}/minutes/amend", {"reason": ""}).status_code == 400
    post(client, f"/meetings/{meeting_id}/minutes/amend", {"reason": "Sai tên khách mời"}, False)
    with app.app_context():
        from blueprints.audit.models import AuditEntry

        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
        assert not minutes.locked
        assert (
            db.session.scalar(
                select(AuditEntry).where(AuditEntry.action == "meeting.minutes_reopen")
            ).details["reason"]
            == "Sai tên khách mời"
        )


def test_tasks_carried_to_next_meeting_and_rating(app, client, world, schedule, client_for):
    from datetime import timedelta

    first = schedule(starts=vietnam_now() + timedelta(hours=1))
    clients = _run_and_close(app, client, client_for, world, first)
    second = schedule(starts=vietnam_now() + timedelta(hours=3), topic="Tháng 1")
    page = client.get(f"/meetings/{second}").get_data(as_text=True)
    assert "Vận động đóng góp làm đường" in page and "chưa hoàn thành" in page
    with app.app_context():
        task_id = db.session.scalar(select(Task.id).where(Task.meeting_id == first))
    _start(client, second)
    post(client, f"/meetings/{second}/tasks/{task_id}/done", {"done": "1"})
    assert "đã hoàn thành" in client.get(f"/meetings/{second}/part/agenda").get_data(as_text=True)
    # Member rating 1–5 after the first meeting, once.
    member = clients["member_a"]
    data = {"preparation": "5", "proceedings": "4", "follow_through": "3"}
    assert post(member, f"/meetings/{first}/rating", data, False).status_code == 302
    assert post(member, f"/meetings/{first}/rating", data, False).status_code == 302
    page = client.get(f"/meetings/{first}/minutes").get_data(as_text=True)
    assert "(1 người)" in page and "Chất lượng:" in page


def test_late_document_is_flagged(app, client, world, schedule):
    from datetime import timedelta

    soon = schedule(starts=vietnam_now() + timedelta(hours=5))
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == soon))
    r = post(
        client,
        f"/meetings/{soon}/documents",
        {"item_id": item_id, "file": (io.BytesIO(b"%PDF-1.4 test"), "chi-thi-35.pdf")},
        False,
    )
    assert r.status_code == 302
    page = client.get(f"/meetings/{soon}").get_data(as_text=True)
    assert "chi-thi-35.pdf" in page and "Gửi muộn" in page
    later = schedule(starts=vietnam_now() + timedelta(days=5))
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == later))
    post(
        client,
        f"/meetings/{later}/documents",
        {"item_id": item_id, "file": (io.BytesIO(b"%PDF-1.4 abc"), "huong-dan.pdf")},
        False,
    )
    page = client.get(f"/meetings/{later}").get_data(as_text=True)
    assert "huong-dan.pdf" in page and "Gửi muộn" not in page


def test_fast_path_never_answers_for_outsiders_or_ended_sessions(
    app, client, world, schedule, client_for
):
    from blueprints.meetings.fastpath import LiveVersionFastPath

    assert isinstance(app.wsgi_app, LiveVersionFastPath)
    meeting_id = schedule()
    _start(client, meeting_id)
    with app.app_context():
        version = db.session.get(Meeting, meeting_id).version
    url = f"/meetings/{meeting_id}/live/version?v={version}"
    member = client_for("member_a")
    assert member.get(url).status_code == 204
    # Outsiders with the right version number still get the full check: refused.
    assert client_for("member_b").get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # not logged in: to the login page
    # Staff above the cell take the slow path and are allowed.
    assert client_for("staff_d1").get(url).status_code == 204
    # After logout the old cookie, replayed, no longer gets a 204.
    old_cookie = member.get_cookie("sotay_session").value
    post(member, "/logout", htmx=False)
    member.set_cookie("sotay_session", old_cookie)
    assert member.get(url).status_code == 302


def test_late_arrival_gets_catch_up_card(app, client, world, schedule, client_for):
    from datetime import timedelta

    meeting_id = schedule()
    _start(client, meeting_id)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.started_at -= timedelta(minutes=30)  # the meeting began half an hour ago
        items = [i.id for i in meeting.items]
        db.session.commit()
    post(
        client,
        f"/meetings/{meeting_id}/items/{items[0]}/conclusion",
        {"conclusion": "Cử đồng chí Ánh làm thư ký."},
    )
    post(client, f"/meetings/{meeting_id}/current", {"item_id": items[3]})
    motion_id = _motion(app, client, meeting_id, "Thông qua chương trình")
    post(client, f"/meetings/{meeting_id}/motions/{motion_id}/close")
    member = _present(app, client, client_for, world, meeting_id, "member_a")["member_a"]
    page = member.get(f"/meetings/{meeting_id}/part/member").get_data(as_text=True)
    assert "Đồng chí đến muộn" in page and '<section class="card catch-up"' in page
    assert "Cử đồng chí Ánh làm thư ký." in page and "Thông qua chương trình" in page


def test_next_field_only_redirects_within_the_site(client, world, schedule):
    """A forged `next` on a meeting form never sends the secretary to another site."""
    meeting_id = schedule()
    for target in ("https://example.org/x", "//example.org/x", "/\\example.org"):
        response = post(client, f"/meetings/{meeting_id}/start", {"next": target}, htmx=False)
        assert response.status_code == 302
        assert "example.org" not in response.headers["Location"]
    # Starting again is refused, and the refusal goes back to the page named in `next`.
    again = post(client, f"/meetings/{meeting_id}/start", {"next": "/meetings/"}, htmx=False)
    assert again.status_code == 302 and again.headers["Location"] == "/meetings/"


def test_quality_score_kept_at_close_lock_and_reopen(app, client, world, schedule, client_for):
    """The stored score follows the minutes: without their points until approved, with them
    once locked, without them again when reopened."""
    meeting_id = schedule()
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).quality_score is None
    clerk = _run_and_close(app, client, client_for, world, meeting_id)["member_a"]

    def stored_and_live():
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            return meeting.quality_score, sv.quality(meeting).score

    closed, live = stored_and_live()
    assert closed == live and closed is not None
    post(client, f"/meetings/{meeting_id}/minutes/approve", htmx=False)
    post(clerk, f"/meetings/{meeting_id}/minutes/approve", htmx=False)
    locked, live = stored_and_live()
    assert locked == live == closed + 15  # default weight of approved minutes
    post(client, f"/meetings/{meeting_id}/minutes/amend", {"reason": "Sai ngày"}, False)
    assert stored_and_live() == (closed, closed)


def test_a_meeting_days_ahead_cannot_be_started_by_mistake(app, client, world, schedule):
    """Starting is possible from 12 hours before the meeting's time; earlier, the page says
    when, and the server refuses (a started meeting cannot be un-started)."""
    from datetime import timedelta

    ahead = schedule(starts=vietnam_now() + timedelta(days=6), topic="Tháng sau")
    page = client.get(f"/meetings/{ahead}").get_data(as_text=True)
    assert "Có thể bắt đầu từ" in page and f"/meetings/{ahead}/start" not in page
    refused = post(client, f"/meetings/{ahead}/start")
    assert refused.status_code == 409
    assert "Chỉ bắt đầu được trong vòng 12 giờ trước giờ sinh hoạt" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Meeting, ahead).status == "scheduled"
    soon = schedule(starts=vietnam_now() + timedelta(hours=11))
    assert f"/meetings/{soon}/start" in client.get(f"/meetings/{soon}").get_data(as_text=True)
    _start(client, soon)
