"""Models of a cell meeting.

Every change to a meeting's live state runs `services.live.live_change(meeting)` in the same
transaction, which increments `meetings.version`; clients poll that number and fetch fresh
partials when it moves.

Votes, secret-ballot receipts and tallies and the shared live fragments are in live_models.py.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import utcnow


class MeetingKind(LabelledEnum):
    """Regular monthly meeting or thematic meeting."""

    REGULAR = "regular", _l("Sinh hoạt định kỳ")
    THEMATIC = "thematic", _l("Sinh hoạt chuyên đề")


# A meeting can be started from this long before its scheduled time (or any time after it).
START_WINDOW = timedelta(hours=12)


class MeetingStatus(LabelledEnum):
    """Life cycle of a meeting."""

    SCHEDULED = "scheduled", _l("Sắp diễn ra")
    ONGOING = "ongoing", _l("Đang diễn ra")
    CLOSED = "closed", _l("Đã kết thúc")


class Attend(LabelledEnum):
    """Roll-call status of one member at one meeting."""

    PENDING = "pending", _l("Chưa điểm danh")
    PRESENT = "present", _l("Có mặt")
    EXCUSED = "excused", _l("Vắng có lý do")
    UNEXCUSED = "unexcused", _l("Vắng không lý do")
    EXEMPT = "exempt", _l("Miễn sinh hoạt")
    # Attached for a while to another Party organisation (sinh hoạt đảng tạm thời): not counted
    # in the base of the quorum or of a majority (see services/rules.py).
    AWAY = "away", _l("Sinh hoạt tạm thời nơi khác")


class Choice(LabelledEnum):
    """Options of a vote."""

    YES = "yes", _l("Tán thành")
    NO = "no", _l("Không tán thành")
    ABSTAIN = "abstain", _l("Không biểu quyết")


class Majority(LabelledEnum):
    """What a motion needs to pass; the base is always the official members convened.

    The Statute's rule (services/rules.py) is ALL; a cell may ask for more (TWO_THIRDS, as for
    admissions). PRESENT, a base of the members present, is weaker than the Statute and only
    labels motions closed before the Statute's rule was applied: it is no longer offered.
    """

    ALL = "all", _l("Quá một nửa số đảng viên chính thức được triệu tập (Điều lệ Đảng)")
    TWO_THIRDS = "two_thirds", _l("Ít nhất hai phần ba số đảng viên chính thức được triệu tập")
    PRESENT = "present", _l("Quá nửa số đảng viên có mặt (cách tính cũ)")


class SpeakerStatus(StrEnum):
    """Where a request to speak stands (never shown by itself: the queue shows it)."""

    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"


class MotionStatus(StrEnum):
    """Life of a motion: prepared, open for votes, counted."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Meeting(db.Model):
    """One cell meeting."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=MeetingKind.REGULAR)
    combined: Mapped[bool] = mapped_column(default=False)  # regular combined with thematic
    topic: Mapped[str] = mapped_column(String(255))
    place: Mapped[str] = mapped_column(String(255), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    guests: Mapped[str] = mapped_column(Text, default="")
    # The cell's own quorum, in % of the official members convened that must be present: at
    # most the Statute's two thirds (67 or less means exactly 2/3), a cell may ask for more.
    quorum_percent: Mapped[int] = mapped_column(default=67)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED, index=True)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # The item being discussed. No foreign key: agenda_items already points here, and a
    # cycle of foreign keys would complicate migrations; the value is checked in the views.
    current_item_id: Mapped[int | None]
    checkin_secret: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    version: Mapped[int] = mapped_column(default=1)
    # The quality score (0–100) as it stood when the meeting closed, and again when its minutes
    # were locked or reopened: upper committees' figures read it without re-scoring every
    # meeting of the month. None for a meeting not closed yet (or closed before it was kept).
    quality_score: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cell: Mapped[Unit] = relationship()
    chair: Mapped[Member | None] = relationship(foreign_keys=[chair_id])
    clerk: Mapped[Member | None] = relationship(foreign_keys=[clerk_id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def scope_unit(self) -> Unit:
        """Access is decided by the cell holding the meeting."""
        return self.cell

    @property
    def current_item(self) -> AgendaItem | None:
        """The agenda item under discussion."""
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def kind_label(self) -> str:
        """Translated kind."""
        return MeetingKind.label_for(self.kind)

    @property
    def status_label(self) -> str:
        """Translated status."""
        return MeetingStatus.label_for(self.status)

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_ongoing(self) -> bool:
        return self.status == MeetingStatus.ONGOING

    @property
    def too_early_to_start(self) -> bool:
        """More than START_WINDOW before its time: a start now is most likely a slip (the
        wrong meeting, the wrong day), and a started meeting cannot be un-started."""
        return self.starts_at - utcnow() > START_WINDOW

    @property
    def start_allowed_from(self) -> datetime:
        """The earliest moment the meeting can be started."""
        return self.starts_at - START_WINDOW

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    @property
    def required_minutes(self) -> int:
        """Minimum duration: 90 minutes, 120 for a thematic meeting or a combined one."""
        return 120 if (self.kind == MeetingKind.THEMATIC or self.combined) else 90

    @property
    def duration_minutes(self) -> int:
        """Minutes from start to end (or to now while the meeting runs)."""
        if not self.started_at:
            return 0
        end = self.ended_at or utcnow()
        return max(0, int((end - self.started_at).total_seconds() // 60))

    @property
    def documents_deadline(self) -> datetime:
        """Documents should reach members at least one day before the meeting."""
        return self.starts_at - timedelta(days=1)


class AgendaItem(db.Model):
    """One item of the agenda, in order."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(32), default="")  # template key (e.g. "review")
    done: Mapped[bool] = mapped_column(default=False)
    conclusion: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    documents: Mapped[list[Document]] = relationship(
        back_populates="item", order_by="Document.uploaded_at"
    )


class Document(db.Model):
    """A document attached to an agenda item (kept in the database; at most 20 MB)."""

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    item: Mapped[AgendaItem] = relationship(back_populates="documents")
    meeting: Mapped[Meeting] = relationship()

    @property
    def scope_unit(self) -> Unit:
        return self.meeting.cell

    @property
    def late(self) -> bool:
        """Attached less than one day before the meeting."""
        return self.uploaded_at > self.meeting.documents_deadline


class Recommendation(db.Model):
    """A member's recommendation (kiến nghị) sent before the meeting."""

    __tablename__ = "meeting_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class Attendance(db.Model):
    """Roll-call line of one member at one meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_attendance_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(16), default=Attend.PENDING)
    reason: Mapped[str] = mapped_column(String(255), default="")
    checked_in_at: Mapped[datetime | None]
    by_proxy: Mapped[bool] = mapped_column(default=False)
    proxy_reason: Mapped[str] = mapped_column(String(255), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Bumped by every change of this line: two secretaries marking the same member at once
    # send the version they saw, and the later one is refused with the current value shown.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    member: Mapped[Member] = relationship()

    @property
    def status_label(self) -> str:
        return Attend.label_for(self.status)


class Speaker(db.Model):
    """A request to speak (xin phát biểu) and, once called, the speaker's recorded opinion."""

    __tablename__ = "meeting_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(16), default=SpeakerStatus.WAITING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()


class Opinion(db.Model):
    """An opinion by name: spoken (recorded by the secretary/clerk) or written by the member."""

    __tablename__ = "meeting_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    spoken: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()
    item: Mapped[AgendaItem | None] = relationship()


class Motion(db.Model):
    """A question put to the vote on an agenda item."""

    __tablename__ = "meeting_motions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    text: Mapped[str] = mapped_column(Text)
    secret: Mapped[bool] = mapped_column(default=False)
    majority: Mapped[str] = mapped_column(String(16), default=Majority.PRESENT)
    status: Mapped[str] = mapped_column(String(16), default=MotionStatus.DRAFT)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    yes: Mapped[int] = mapped_column(default=0)
    no: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)
    base: Mapped[int] = mapped_column(default=0)  # members the majority is counted on
    passed: Mapped[bool | None]
    # At the close: official members present (who may vote) and whether the quorum held, so
    # the result and the minutes say it (None for motions closed before this was kept).
    present: Mapped[int | None]
    quorum_held: Mapped[bool | None]

    item: Mapped[AgendaItem | None] = relationship()

    @property
    def majority_label(self) -> str:
        return Majority.label_for(self.majority)


class Task(db.Model):
    """A task assigned at a meeting, reviewed at the next one."""

    __tablename__ = "meeting_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignee: Mapped[Member | None] = relationship()
    meeting: Mapped[Meeting] = relationship()


# Longest minutes text accepted (characters): about 25 A4 pages, several times a long monthly
# meeting's minutes. Its PDF export takes about 2 s on the reference machine (a 4,4 MB body
# used to take 38 s and hold a worker).
MINUTES_MAX_CHARS = 60_000


class Minutes(db.Model):
    """The minutes of a meeting: current text, approvals, lock and content hash."""

    __tablename__ = "meeting_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    chair_approved_at: Mapped[datetime | None]
    clerk_approved_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes", order_by="MinutesRevision.number.desc()"
    )

    @property
    def scope_unit(self) -> Unit:
        return self.meeting.cell

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class MinutesRevision(db.Model):
    """Every version of the minutes text, never changed once written."""

    __tablename__ = "meeting_minutes_revisions"
    __table_args__ = (UniqueConstraint("minutes_id", "number", name="uq_minutes_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("meeting_minutes.id"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")
    created_by = relationship("User")


class Rating(db.Model):
    """A member's 1–5 rating of preparation, proceedings and follow-through."""

    __tablename__ = "meeting_ratings"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_rating_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    preparation: Mapped[int]
    proceedings: Mapped[int]
    follow_through: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
