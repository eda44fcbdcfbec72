"""The meeting's quality score out of 100 and the members' ratings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from core.extensions import db


@dataclass
class Quality:
    """The meeting's score out of 100 and its parts."""

    attendance: int
    duration: int
    speakers: int
    documents: int
    minutes: int

    @property
    def score(self) -> int:
        return self.attendance + self.duration + self.speakers + self.documents + self.minutes

    @property
    def label(self) -> str:
        return grade(self.score)


def grade(score: float) -> str:
    """Tốt (≥ 90), Khá (70–89), Trung bình (50–69), Kém (< 50)."""
    if score >= 90:
        return _("Tốt")
    if score >= 70:
        return _("Khá")
    if score >= 50:
        return _("Trung bình")
    return _("Kém")


MINUTES_POINTS = 15  # part of the quality score earned by approved minutes


def quality(meeting: Meeting) -> Quality:
    """Score: attendance 30, duration 20, members who spoke 20, documents in time 15, minutes 15.

    Full marks on attendance when every eligible member is present, on duration at 90 minutes
    (120 for thematic or combined meetings), on opinions when at least half of those present
    spoke or wrote, on documents when none came later than one day before, on minutes when
    they are approved.
    """
    t = totals(meeting)
    attendance = round(30 * t.rate)
    duration = round(20 * min(1.0, meeting.duration_minutes / meeting.required_minutes))
    spoke = db.session.scalar(
        select(func.count(func.distinct(Opinion.member_id))).where(Opinion.meeting_id == meeting.id)
    )
    speakers = round(20 * min(1.0, spoke / max(1, t.present) * 2)) if t.present else 0
    docs = list(db.session.scalars(select(Document).where(Document.meeting_id == meeting.id)))
    late = sum(1 for d in docs if d.late)
    documents = 15 if not docs else round(15 * (len(docs) - late) / len(docs))
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    minutes_points = MINUTES_POINTS if minutes is not None and minutes.locked else 0
    return Quality(attendance, duration, speakers, documents, minutes_points)


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
