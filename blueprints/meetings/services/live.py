"""The meeting's live state: one version counter that every phone and console polls.

Every change that phones should see goes through `live_change(meeting)` in the transaction of
the change. Retried client actions count once through `core.idempotency.first_time`.
"""

from __future__ import annotations

from sqlalchemy import update

from blueprints.meetings import push
from blueprints.meetings.models import Meeting
from core.extensions import db


def live_change(meeting: Meeting | int) -> None:
    """Mark the meeting's live state as changed; call it inside the transaction of the change.

    Clients poll `meetings.version` and fetch fresh fragments when it moves (stored fragments
    are filed under the version they show, so nothing else needs clearing). The increment is a
    plain UPDATE in the caller's transaction: the change and the new number commit together, so
    a poll never sees one without the other. An id is accepted where only the id is at hand
    (a vote knows its motion's meeting id; loading the meeting would cost a query per vote).
    """
    meeting_id = meeting if isinstance(meeting, int) else meeting.id
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(version=Meeting.version + 1)
        .execution_options(synchronize_session=False)
    )
    # With a push gateway configured: published once after the commit (push.py).
    push.mark(meeting_id)
