"""A member's request to correct what the app holds about them, queued for staff."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.auth.models import User
from blueprints.members.models import Member
from core.enums import LabelledEnum
from core.extensions import db
from core.models import utcnow


class CorrectionStatus(LabelledEnum):
    """A correction request is open until staff say what they did."""

    OPEN = "open", _l("Đang chờ xử lý")
    DONE = "done", _l("Đã xử lý")


class CorrectionRequest(db.Model):
    """ "Please correct …": written by the member, answered by staff of their units."""

    __tablename__ = "data_correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CorrectionStatus.OPEN, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    member: Mapped[Member | None] = relationship()
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def scope_unit(self):
        """Staff of the member's cell and above handle it."""
        return self.member.cell if self.member else None

    @property
    def status_label(self) -> str:
        """Translated status."""
        return CorrectionStatus.label_for(self.status)
