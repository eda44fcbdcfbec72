"""Roll call: the check-in code on the console, guarding it against guesses, checking in,
and the attendance figures with the quorum."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from blueprints.meetings.models import (
    Attend,
    Attendance,
    Meeting,
)
from blueprints.meetings.services.live import live_change
from blueprints.members.models import Member, MemberStatus
from core.extensions import db
from core.models import utcnow

CODE_WINDOW_SECONDS = 60


def checkin_code(meeting: Meeting, at: float | None = None) -> str:
    """The 6-digit code shown on the console; it changes every minute.

    Derived from the app secret, the meeting's own secret and the minute, so every worker and
    host computes the same code without sharing any state.
    """
    window = int((at or time.time()) // CODE_WINDOW_SECONDS)
    key = (current_app.config["SECRET_KEY"] + meeting.checkin_secret).encode()
    digest = hmac.new(key, f"{meeting.id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def code_is_valid(meeting: Meeting, code: str) -> bool:
    """True for the current code or the previous one (a member may be slow to type)."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = time.time()
    return any(
        hmac.compare_digest(code, checkin_code(meeting, now - back))
        for back in (0, CODE_WINDOW_SECONDS)
    )


# Guessing the code. An absent member could script guesses at ~125 a second (74% chance to
# "check in" over a 90-minute meeting). Now every check-in attempt of one account at one
# meeting counts (atomically, in the shared rate-limit store: the database or Redis, so all
# workers and hosts share it), and past 5 attempts in a 10-minute window the next ones are
# refused until the window ends. Odds for a guesser: 2 codes are valid at any moment (this
# minute's and the last), so each guess wins with p = 2/1.000.000; a 90-minute meeting touches
# at most 10 windows, i.e. at most 50 guesses: P = 1 - (1 - 2e-6)^50 ≈ 0,01% (1 in 10.000).
# Six digits stay easy to type for older members.
CHECKIN_LIMIT = "5 per 10 minutes"


def checkin_attempt(meeting: Meeting, user_id: int) -> int:
    """Count one check-in attempt; 0 when it may go ahead, else the minutes left to wait.

    The attempt is counted BEFORE the code is checked, in one atomic increment, so parallel
    guesses cannot slip in between a check and a count.
    """
    from limits import parse

    from core.extensions import limiter

    item = parse(current_app.config.get("MEETING_CHECKIN_LIMIT", CHECKIN_LIMIT))
    ids = ("meeting-checkin", str(meeting.id), str(user_id))
    if limiter.limiter.hit(item, *ids):
        return 0
    reset_at, _remaining = limiter.limiter.get_window_stats(item, *ids)
    return max(1, int((reset_at - time.time()) // 60) + 1)


@dataclass
class Totals:
    """Attendance figures of a meeting."""

    total: int = 0
    official: int = 0
    probationary: int = 0
    exempt: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0
    pending: int = 0
    quorum_percent: int = 50

    @property
    def eligible(self) -> int:
        """Members counted for quorum and rates: everyone but the exempt."""
        return self.total - self.exempt

    @property
    def needed(self) -> int:
        """Smallest number present that is MORE than quorum_percent of the eligible."""
        return self.eligible * self.quorum_percent // 100 + 1 if self.eligible else 0

    @property
    def quorum(self) -> bool:
        return self.eligible > 0 and self.present >= self.needed

    @property
    def rate(self) -> float:
        return self.present / self.eligible if self.eligible else 0.0


def totals(meeting: Meeting) -> Totals:
    """Count the roll call in one query."""
    rows = db.session.execute(
        select(Attendance.status, Member.status, func.count())
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.meeting_id == meeting.id)
        .group_by(Attendance.status, Member.status)
    ).all()
    t = Totals(quorum_percent=meeting.quorum_percent)
    for attend, member_status, n in rows:
        t.total += n
        if member_status == MemberStatus.EXEMPT or attend == Attend.EXEMPT:
            t.exempt += n
            continue
        if member_status == MemberStatus.PROBATIONARY:
            t.probationary += n
        else:
            t.official += n
        if attend == Attend.PRESENT:
            t.present += n
        elif attend == Attend.EXCUSED:
            t.excused += n
        elif attend == Attend.UNEXCUSED:
            t.unexcused += n
        else:
            t.pending += n
    return t


def attendance_of(meeting_id: int, member_id: int) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
        )
    )


def check_in(meeting: Meeting, member_id: int, *, by=None, proxy_reason: str = "") -> bool:
    """Mark a member present; False when they already were (a repeated check-in does nothing)."""
    line = attendance_of(meeting.id, member_id)
    if line is None:
        line = Attendance(meeting_id=meeting.id, member_id=member_id)
        db.session.add(line)
    if line.status == Attend.PRESENT:
        return False
    line.status = Attend.PRESENT
    line.reason = ""
    line.checked_in_at = utcnow()
    line.by_proxy = bool(proxy_reason)
    line.proxy_reason = proxy_reason
    line.recorded_by_id = getattr(by, "id", None)
    live_change(meeting.id)
    return True
