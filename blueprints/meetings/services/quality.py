"""The meeting's quality score out of 100 and the members' ratings.

The scale is published in handbook chapter 13 ("Đánh giá chất lượng sinh hoạt chi bộ"), and
each criterion rests on a text in force:

- attendance: attending is a member's duty (Điều lệ Đảng, Điều 2) and the roll call opens
  every meeting (Hướng dẫn 42-HD/BTCTW ngày 28/10/2025);
- duration: at least 90 minutes, 120 for a thematic or combined meeting (Hướng dẫn
  42-HD/BTCTW; Meeting.required_minutes);
- speakers: members discuss and decide together (Điều lệ Đảng, Điều 3 khoản 1; Chỉ thị
  50-CT/TW ngày 23/7/2025 on raising the quality of cell meetings);
- documents: sent at least one day before (Hướng dẫn 42-HD/BTCTW; Meeting.documents_deadline);
- minutes: written, read back and approved by chair and clerk (Hướng dẫn 42-HD/BTCTW).

The grades are the four levels the provinces' monthly frameworks use (Tốt ≥ 90, Khá 70 to
under 90, Trung bình 50 to under 70, Kém below 50). How many points each criterion carries
is the province's choice: `MEETING_QUALITY_WEIGHTS` (core/config.py), checked when the app
starts (create_app). Some frameworks also give Tốt only with full marks on chosen criteria;
a province that wants this lists them in `MEETING_QUALITY_FULL_FOR_TOP` (empty by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from blueprints.meetings.models import (
    Document,
    Meeting,
    Minutes,
    Opinion,
    Rating,
)
from blueprints.meetings.services.attendance import totals
from core.config import (
    DEFAULT_MEETING_QUALITY_WEIGHTS,
    QUALITY_CRITERIA,
    check_quality_weights,
)
from core.extensions import db

CRITERIA = QUALITY_CRITERIA
DEFAULT_WEIGHTS = DEFAULT_MEETING_QUALITY_WEIGHTS
check_weights = check_quality_weights  # the start-up check (app.py) and the tests share it


def quality_weights() -> dict[str, int]:
    """Points of each criterion, as the province configured them (they add up to 100)."""
    return dict(current_app.config.get("MEETING_QUALITY_WEIGHTS") or DEFAULT_WEIGHTS)


def _full_for_top() -> tuple[str, ...]:
    return tuple(current_app.config.get("MEETING_QUALITY_FULL_FOR_TOP") or ())


@dataclass
class Quality:
    """The meeting's score out of 100, its parts and the most each part can earn."""

    attendance: int
    duration: int
    speakers: int
    documents: int
    minutes: int
    maxima: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    full_for_top: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        return sum(getattr(self, name) for name in CRITERIA)

    @property
    def label(self) -> str:
        """The grade; Tốt also needs full marks where the province asks for them."""
        short = [n for n in self.full_for_top if getattr(self, n) < self.maxima[n]]
        if self.score >= 90 and short:
            return _("Khá")
        return grade(self.score)

    def with_minutes_approved(self) -> Quality:
        """The score as it will be once the minutes are approved (shown in the draft)."""
        return replace(self, minutes=self.maxima["minutes"])


def grade(score: float) -> str:
    """Tốt (≥ 90), Khá (70 to under 90), Trung bình (50 to under 70), Kém (< 50)."""
    if score >= 90:
        return _("Tốt")
    if score >= 70:
        return _("Khá")
    if score >= 50:
        return _("Trung bình")
    return _("Kém")


def quality(meeting: Meeting) -> Quality:
    """Score each criterion against its weight (see the module docstring for the sources).

    Full marks on attendance when every eligible member is present, on duration at 90 minutes
    (120 for thematic or combined meetings), on speakers when at least half of those present
    spoke or wrote, on documents when none came later than one day before, on minutes when
    they are approved.
    """
    w = quality_weights()
    t = totals(meeting)
    attendance = round(w["attendance"] * t.rate)
    duration = round(w["duration"] * min(1.0, meeting.duration_minutes / meeting.required_minutes))
    spoke = db.session.scalar(
        select(func.count(func.distinct(Opinion.member_id))).where(Opinion.meeting_id == meeting.id)
    )
    speakers = round(w["speakers"] * min(1.0, spoke / max(1, t.present) * 2)) if t.present else 0
    docs = list(db.session.scalars(select(Document).where(Document.meeting_id == meeting.id)))
    late = sum(1 for d in docs if d.late)
    documents = (
        w["documents"] if not docs else round(w["documents"] * (len(docs) - late) / len(docs))
    )
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    minutes_points = w["minutes"] if minutes is not None and minutes.locked else 0
    return Quality(attendance, duration, speakers, documents, minutes_points, w, _full_for_top())


# Called with the meeting after each stored score, inside the same transaction: other features
# (the dashboards' monthly figures) register in app._install_hooks, so meetings need not know them.
_score_listeners: list[Callable[[Meeting], None]] = []


def on_score_stored(listener: Callable[[Meeting], None]) -> None:
    """Call `listener(meeting)` whenever a meeting's score is stored (once per listener)."""
    if listener not in _score_listeners:
        _score_listeners.append(listener)


def store_quality(meeting: Meeting) -> None:
    """Keep the meeting's current score on the meeting (see Meeting.quality_score)."""
    db.session.flush()  # the score reads attendance, opinions and minutes from the database
    meeting.quality_score = quality(meeting).score
    for listener in _score_listeners:
        listener(meeting)


def ratings_summary(meeting_id: int) -> dict:
    """Average member ratings (1–5) and how many rated."""
    row = db.session.execute(
        select(
            func.count(),
            func.avg(Rating.preparation),
            func.avg(Rating.proceedings),
            func.avg(Rating.follow_through),
        ).where(Rating.meeting_id == meeting_id)
    ).one()
    return {"count": row[0], "preparation": row[1], "proceedings": row[2], "follow": row[3]}
