"""Which stage of its life a meeting is in, and the one guard every mutating meeting route uses.

The rule, in one place: before and during the meeting its record (roll call, agenda, documents,
conclusions, tasks, votes) can change; once the meeting is closed only the minutes workflow may
change anything (edit, approve); once the minutes are locked nothing changes except an audited
new revision (`minutes/amend`). A member's own rating of the meeting is not part of its record
and stays open after the close.

Each route states the stages it works in with `@allowed_in(...)`, placed under `@permission`;
a request in any other stage is refused with 409 and a Vietnamese message that says what to do
instead (shown in the page's message area for htmx, as a flash message otherwise).
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.meetings.models import Meeting, MeetingStatus, Minutes
from core.extensions import db
from core.permissions import can


class Stage(StrEnum):
    """Life stage of a meeting as far as changes are concerned."""

    SCHEDULED = "scheduled"
    ONGOING = "ongoing"
    CLOSED = "closed"  # ended, minutes not locked yet
    LOCKED = "locked"  # ended, minutes approved by chair and clerk and locked


BEFORE_CLOSE = (Stage.SCHEDULED, Stage.ONGOING)


def stage_of(meeting: Meeting) -> Stage:
    """The meeting's stage (one extra query only for a closed meeting)."""
    if meeting.status == MeetingStatus.SCHEDULED:
        return Stage.SCHEDULED
    if meeting.status == MeetingStatus.ONGOING:
        return Stage.ONGOING
    locked_at = db.session.scalar(select(Minutes.locked_at).where(Minutes.meeting_id == meeting.id))
    return Stage.LOCKED if locked_at is not None else Stage.CLOSED


def stage_message(stage: Stage, allowed: frozenset[Stage] = frozenset()) -> str:
    """Why an action allowed only in `allowed` is refused in `stage`, and what to do instead."""
    if stage == Stage.SCHEDULED:
        return _(
            "Buổi sinh hoạt chưa bắt đầu: việc này chỉ làm được khi đang họp. "
            "Đồng chí hãy chờ bí thư bắt đầu buổi sinh hoạt."
        )
    if stage == Stage.ONGOING and Stage.SCHEDULED in allowed:
        return _(
            "Chỉ sửa được buổi sinh hoạt chưa bắt đầu: buổi này đã bắt đầu. "
            "Những gì thay đổi trong buổi sinh hoạt, đồng chí hãy ghi vào biên bản."
        )
    if stage == Stage.ONGOING:
        return _(
            "Buổi sinh hoạt đang diễn ra: việc này chỉ làm được sau khi kết thúc buổi sinh hoạt."
        )
    if stage == Stage.CLOSED:
        return _(
            "Buổi sinh hoạt đã kết thúc: điểm danh, chương trình, tài liệu, kết luận và nhiệm vụ "
            "không sửa được nữa. Nếu cần bổ sung, đồng chí hãy ghi vào biên bản."
        )
    return _(
        "Biên bản đã được duyệt và khóa: buổi sinh hoạt không sửa được nữa. Nếu thật sự cần "
        "sửa, đồng chí thư ký hoặc bí thư hãy mở lại biên bản (ghi rõ lý do) trên trang biên bản."
    )


def allowed_in(*stages: Stage):
    """Refuse the view's POST unless the meeting (from the `meeting_id` argument) is in one of
    `stages`. GET requests pass (they change nothing); a missing meeting or a user who may not
    even see it is left to the view, which answers 404/403 as before."""

    allowed = frozenset(stages)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method == "POST":
                meeting = db.session.get(Meeting, kwargs.get("meeting_id") or 0)
                if meeting is not None and can(current_user, "meeting.view", meeting):
                    stage = stage_of(meeting)
                    if stage not in allowed:
                        from blueprints.meetings.blueprint import refuse

                        return refuse(meeting, stage_message(stage, allowed), 409)
            return view(*args, **kwargs)

        wrapped.allowed_stages = allowed
        return wrapped

    return decorator
