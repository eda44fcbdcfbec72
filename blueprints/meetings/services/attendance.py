"""Roll call: the check-in code on the console, guarding it against guesses, checking in,
and the attendance figures with the quorum."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from blueprints.meetings.models import (
    Attend,
    Attendance,
    Meeting,
)
from blueprints.meetings.services import rules
from blueprints.meetings.services.live import live_change
from blueprints.members.models import Member
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
    """Attendance figures of a meeting, with the Statute's base and quorum (services/rules.py).

    `official` are the official members in the base (exempt members who came included);
    `exempt` the exempt members not present, `away` those attached elsewhere for a while;
    `present` everyone present (probationary members too), `official_present` the voters.
    """

    total: int = 0
    official: int = 0
    probationary: int = 0
    exempt: int = 0
    away: int = 0
    present: int = 0
    official_present: int = 0
    excused: int = 0
    unexcused: int = 0
    pending: int = 0
    quorum_percent: int = rules.STATUTE_QUORUM_PERCENT

    @property
    def base(self) -> int:
        """Official members convened: the base of the quorum and of every majority."""
        return self.official

    @property
    def eligible(self) -> int:
        """Members expected in the room (rates): everyone but the exempt and those away."""
        return self.total - self.exempt - self.away

    @property
    def needed(self) -> int:
        """Fewest official members present for a valid meeting."""
        return rules.quorum_needed(self.base, self.quorum_percent)

    @property
    def quorum(self) -> bool:
        return self.base > 0 and self.official_present >= self.needed

    @property
    def rate(self) -> float:
        return self.present / self.eligible if self.eligible else 0.0

    @property
    def official_rate(self) -> float:
        """Official members present, as a share of the base."""
        return self.official_present / self.base if self.base else 0.0


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
        _count(t, attend, member_status, n)
    return t


def _count(t: Totals, attend: str, member_status: str, n: int) -> None:
    t.total += n
    if attend == Attend.AWAY:
        t.away += n
        return
    if rules.left_out_of_base(member_status, attend):
        t.exempt += n
        return
    voter = rules.may_vote(member_status)
    if voter:
        t.official += n
    else:
        t.probationary += n
    if attend == Attend.PRESENT:
        t.present += n
        t.official_present += n if voter else 0
    elif attend == Attend.EXCUSED:
        t.excused += n
    elif attend == Attend.UNEXCUSED:
        t.unexcused += n
    else:
        t.pending += n


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
    line.version = (line.version or 0) + 1
    live_change(meeting.id)
    return True


class StaleAttendanceError(Exception):
    """The roll-call line changed since the secretary saw it (another secretary, a check-in)."""

    def __init__(self, line: Attendance):
        super().__init__(line.member_id)
        self.line = line


def mark(line: Attendance, status: str, *, reason: str = "", by=None, seen: int | None = None):
    """Give a line an absence or exemption status, refusing a change made on an old view.

    `seen` is the line's version the secretary's screen showed. The write is one conditional
    UPDATE (`version = seen`), so of two secretaries marking the same member at the same
    moment exactly one wins on both databases; the other gets StaleAttendanceError with the
    line as it now is.
    """
    from sqlalchemy import update

    expected = line.version if seen is None else seen
    result = db.session.execute(
        update(Attendance)
        .where(Attendance.id == line.id, Attendance.version == expected)
        .values(
            status=status,
            reason=reason,
            by_proxy=False,
            proxy_reason="",
            checked_in_at=None,
            recorded_by_id=getattr(by, "id", None),
            version=Attendance.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise StaleAttendanceError(db.session.get(Attendance, line.id, populate_existing=True))
    db.session.refresh(line)
    live_change(line.meeting_id)


def is_stale(line: Attendance, seen: int | None) -> bool:
    """Whether the screen that sent a change showed an older version of the line."""
    return seen is not None and seen != line.version


def roll_names(members) -> dict[int, str]:
    """Each member's name as the roll call shows it; namesakes told apart by birth year, or
    by the last digits of the Party card when the roster has no birth date."""
    from collections import Counter

    from flask_babel import gettext as _

    members = list(members)
    same_name = Counter(m.full_name for m in members)
    same_year = Counter((m.full_name, m.birth_date.year if m.birth_date else None) for m in members)
    names = {}
    for m in members:
        year = m.birth_date.year if m.birth_date else None
        if same_name[m.full_name] < 2:
            names[m.id] = m.full_name
        elif year and same_year[(m.full_name, year)] < 2:
            names[m.id] = _("%(name)s (sinh năm %(year)s)", name=m.full_name, year=year)
        else:
            digits = m.card_number[-4:]
            names[m.id] = _("%(name)s (thẻ số …%(digits)s)", name=m.full_name, digits=digits)
    return names


# Reasons a secretary picks in one tap on the roll call (a few typed words may follow).
REASON_PRESETS = {
    "om": _l("Ốm"),
    "cong_tac": _l("Đi công tác"),
    "gia_dinh": _l("Việc gia đình"),
    "khong_dien_thoai": _l("Không có điện thoại thông minh"),
}
