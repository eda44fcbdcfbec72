"""Security findings of issue 12 about meetings: proxy votes (H3), changes after the close (M9),
check-in code guessing (M10), chair and clerk (L1), minutes size (L2)."""

from __future__ import annotations

import io

from sqlalchemy import select

from blueprints.meetings import services as sv
from blueprints.meetings.models import AgendaItem, Meeting, Minutes, Motion, Speaker, Task
from core.extensions import db
from tests.meetings.conftest import post


def _start(client, meeting_id):
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302


def _code(app, meeting_id):
    with app.app_context():
        return sv.checkin_code(db.session.get(Meeting, meeting_id))


def _checkin(app, c, meeting_id):
    response = post(c, f"/meetings/{meeting_id}/checkin", {"code": _code(app, meeting_id)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _motion(app, client, meeting_id, text="Kết nạp quần chúng Lê Văn Tám", secret=True):
    data = {"text": text, "majority": "present"} | ({"secret": "y"} if secret else {})
    assert post(client, f"/meetings/{meeting_id}/motions", data).status_code == 200
    with app.app_context():
        return db.session.scalar(
            select(Motion.id).where(Motion.meeting_id == meeting_id).order_by(Motion.id.desc())
        )


# ---- M9: nothing changes after the close but the minutes; after the lock, only an amendment --

MEETING_POSTS_AFTER_CLOSE = {"meetings.minutes", "meetings.approve_minutes", "meetings.rate"}
MEETING_POSTS_AFTER_LOCK = {"meetings.amend_minutes", "meetings.rate"}


def _meeting_post_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("meetings.")
        and "POST" in rule.methods
        and "meeting_id" in rule.arguments
    ]


def _ids(app, meeting_id, world) -> dict:
    with app.app_context():
        item = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
        return {
            "meeting_id": meeting_id,
            "member_id": world.members["new_a"],
            "item_id": item,
            "motion_id": db.session.scalar(
                select(Motion.id).where(Motion.meeting_id == meeting_id)
            ),
            "task_id": db.session.scalar(select(Task.id).where(Task.meeting_id == meeting_id)),
            "speaker_id": db.session.scalar(
                select(Speaker.id).where(Speaker.meeting_id == meeting_id)
            ),
        }


FORM = {
    "status": "present",
    "reason": "Không có điện thoại",
    "conclusion": "Sửa kết luận sau khi đã khóa",
    "item_id": "",
    "text": "Nội dung mới",
    "title": "Nội dung mới",
    "op": "rename",
    "choice": "yes",
    "description": "Nhiệm vụ thêm sau buổi họp",
    "done": "1",
    "majority": "present",
    "code": "000000",
    "body": "Biên bản sửa",
    "key": "k-sweep",
}


def _sweep(app, client, world, meeting_id, allowed: set[str], expected: str):
    ids = _ids(app, meeting_id, world)
    refused = []
    for rule in _meeting_post_rules(app):
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "allowed_stages", None), f"{rule.endpoint} has no stage guard"
        if rule.endpoint in allowed:
            continue
        url = rule.build({k: ids[k] or 1 for k in rule.arguments})[1]
        data = FORM | {"item_id": str(ids["item_id"])}
        if rule.endpoint == "meetings.upload_document":
            data = data | {"file": (io.BytesIO(b"%PDF-1.4 test"), "bo-sung.pdf")}
        response = post(client, url, data)
        body = response.get_data(as_text=True)
        assert response.status_code == 409, (rule.endpoint, response.status_code, body[:300])
        assert expected in body, (rule.endpoint, body[:300])
        assert 'id="flash-area"' not in body  # the fragment goes INTO the message area
        assert response.headers.get("HX-Retarget") == "#flash-area"
        refused.append(rule.endpoint)
    return refused


def _snapshot(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return (
            meeting.version,
            [(i.title, i.position, i.conclusion) for i in meeting.items],
            sorted(
                (a.member_id, a.status)
                for a in db.session.scalars(
                    select(sv.Attendance).where(sv.Attendance.meeting_id == meeting_id)
                )
            ),
            db.session.scalars(select(Task.description).where(Task.meeting_id == meeting_id)).all(),
        )


def test_m9_closed_and_locked_meetings_refuse_every_change(
    app, client, world, schedule, client_for
):
    meeting_id = schedule()
    _start(client, meeting_id)
    _checkin(app, client, meeting_id)
    post(client, f"/meetings/{meeting_id}/speak", {"key": "s1"})
    _motion(app, client, meeting_id)
    task = {"description": "Làm đường", "assignee_id": world.members["mem_a"], "due_on": ""}
    assert post(client, f"/meetings/{meeting_id}/tasks", task).status_code == 200
    assert post(client, f"/meetings/{meeting_id}/close", htmx=False).status_code == 302

    before = _snapshot(app, meeting_id)
    refused = _sweep(app, client, world, meeting_id, MEETING_POSTS_AFTER_CLOSE, "đã kết thúc")
    assert {"meetings.set_attendance", "meetings.conclude", "meetings.add_task"} <= set(refused)
    assert {"meetings.edit_item", "meetings.upload_document", "meetings.task_done"} <= set(refused)
    assert _snapshot(app, meeting_id) == before

    # Chair (the secretary) and clerk (member_a) approve: the minutes are locked.
    assert post(client, f"/meetings/{meeting_id}/minutes/approve", htmx=False).status_code == 302
    clerk = client_for("member_a")
    assert post(clerk, f"/meetings/{meeting_id}/minutes/approve", htmx=False).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id)).locked
    before = _snapshot(app, meeting_id)
    refused = _sweep(
        app, client, world, meeting_id, MEETING_POSTS_AFTER_LOCK, "đã được duyệt và khóa"
    )
    assert {"meetings.minutes", "meetings.approve_minutes", "meetings.conclude"} <= set(refused)
    assert _snapshot(app, meeting_id) == before
    # The one way to change locked minutes: an audited amendment with a reason.
    amend = post(client, f"/meetings/{meeting_id}/minutes/amend", {"reason": "Sai tên"}, htmx=False)
    assert amend.status_code == 302
