"""Party-card requests (thẻ mất, thẻ hỏng, thẻ trùng, sai thông tin) and their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow


class RequestKind(StrEnum):
    """Why a member needs a new card."""

    LOST = "lost"
    DAMAGED = "damaged"
    DUPLICATE = "duplicate"
    WRONG_DETAILS = "wrong_details"


REQUEST_KIND_LABELS = {
    RequestKind.LOST: _l("Mất thẻ"),
    RequestKind.DAMAGED: _l("Thẻ bị hỏng"),
    RequestKind.DUPLICATE: _l("Số thẻ bị trùng"),
    RequestKind.WRONG_DETAILS: _l("Thông tin trên thẻ bị sai"),
}


class RequestStatus(StrEnum):
    """Where a request stands."""

    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"


REQUEST_STATUS_LABELS = {
    RequestStatus.SUBMITTED: _l("Đang chờ xử lý"),
    RequestStatus.NEEDS_INFO: _l("Cần bổ sung thông tin"),
    RequestStatus.APPROVED: _l("Đã duyệt"),
    RequestStatus.REJECTED: _l("Không được duyệt"),
}

OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.NEEDS_INFO)

EVENT_LABELS = {
    "submitted": _l("Gửi đề nghị"),
    "info_requested": _l("Đề nghị bổ sung thông tin"),
    "info_added": _l("Bổ sung thông tin"),
    "approved": _l("Duyệt, cấp số thẻ mới"),
    "rejected": _l("Không duyệt"),
}


class CardRequest(db.Model):
    """A member's request for a new or corrected Party card."""

    __tablename__ = "card_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.SUBMITTED, index=True)
    old_card_number: Mapped[str] = mapped_column(String(20))
    new_card_number: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()
    events: Mapped[list[CardRequestEvent]] = relationship(
        back_populates="request", order_by="CardRequestEvent.id", cascade="all, delete-orphan"
    )

    @property
    def scope_unit(self) -> Unit:
        """The member's cell: staff above it handle the request."""
        return self.member.cell

    @property
    def kind_label(self) -> str:
        """Translated kind."""
        return str(REQUEST_KIND_LABELS.get(RequestKind(self.kind), self.kind))

    @property
    def status_label(self) -> str:
        """Translated status."""
        return str(REQUEST_STATUS_LABELS.get(RequestStatus(self.status), self.status))

    @property
    def is_open(self) -> bool:
        """Still waiting for staff or for the member."""
        return self.status in OPEN_STATUSES


class CardRequestEvent(db.Model):
    """One step of a request's history, shown to the member and to staff."""

    __tablename__ = "card_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("card_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[CardRequest] = relationship(back_populates="events")
    actor = relationship("User")

    @property
    def action_label(self) -> str:
        """Translated step name."""
        return str(EVENT_LABELS.get(self.action, self.action))
