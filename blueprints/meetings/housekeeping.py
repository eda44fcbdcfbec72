"""Housekeeping of live meetings: the shared fragments of meetings that ended."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from blueprints.meetings.live_models import LiveFragment
from blueprints.meetings.models import Meeting, MeetingStatus
from core.extensions import db
from core.housekeeping import sweeper
from core.models import utcnow

# Phones of a closed meeting may still poll for a while (the closing notice); after a day
# nobody needs the pre-rendered regions, and a reopened meeting renders them again.
FRAGMENTS_AFTER_CLOSE = timedelta(days=1)


@sweeper("meeting_live_fragments")
def fragments_of_finished_meetings() -> int:
    """Delete the live fragments of meetings closed more than a day ago."""
    finished = select(Meeting.id).where(
        Meeting.status == MeetingStatus.CLOSED, Meeting.ended_at < utcnow() - FRAGMENTS_AFTER_CLOSE
    )
    return db.session.execute(
        delete(LiveFragment).where(LiveFragment.meeting_id.in_(finished))
    ).rowcount
