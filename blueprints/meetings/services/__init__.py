"""Meeting logic kept out of the views, one module per stage of a meeting.

`scheduling` (agenda template, roll-call lines, tasks to review), `attendance` (check-in code,
roll call, quorum), `votes`, `live` (the live-state version, `live_change`), `quality` and
`minutes` (closing, drafting, revisions). Route modules import from those modules; this package
names the meetings services other features, the demo data, tests and benchmarks may use.
"""

from blueprints.meetings.services.attendance import (
    CHECKIN_LIMIT,
    CODE_WINDOW_SECONDS,
    Totals,
    attendance_of,
    check_in,
    checkin_attempt,
    checkin_code,
    code_is_valid,
    totals,
)
from blueprints.meetings.services.live import live_change
from blueprints.meetings.services.minutes import (
    MinutesTooLongError,
    close_meeting,
    content_hash,
    draft_minutes,
    save_minutes,
)
from blueprints.meetings.services.quality import (
    CRITERIA,
    Quality,
    check_weights,
    grade,
    on_score_stored,
    quality,
    quality_weights,
    ratings_summary,
    store_quality,
)
from blueprints.meetings.services.scheduling import (
    AGENDA_TEMPLATES,
    apply_template,
    cell_members,
    previous_meeting,
    sync_attendance,
    tasks_to_review,
)
from blueprints.meetings.services.votes import (
    VoteError,
    cast_vote,
    close_motion,
    on_behalf_message,
    recorded_on_behalf,
    vote_counts,
    voters_count,
)

__all__ = [
    "AGENDA_TEMPLATES",
    "CHECKIN_LIMIT",
    "CODE_WINDOW_SECONDS",
    "CRITERIA",
    "MinutesTooLongError",
    "Quality",
    "Totals",
    "VoteError",
    "apply_template",
    "attendance_of",
    "cast_vote",
    "cell_members",
    "check_in",
    "check_weights",
    "checkin_attempt",
    "checkin_code",
    "close_meeting",
    "close_motion",
    "code_is_valid",
    "content_hash",
    "draft_minutes",
    "grade",
    "live_change",
    "on_behalf_message",
    "on_score_stored",
    "previous_meeting",
    "quality",
    "quality_weights",
    "ratings_summary",
    "recorded_on_behalf",
    "save_minutes",
    "store_quality",
    "sync_attendance",
    "tasks_to_review",
    "totals",
    "vote_counts",
    "voters_count",
]
