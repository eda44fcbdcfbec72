"""Party-card requests (thẻ mất, thẻ hỏng, thẻ trùng, sai thông tin) and their history."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import utcnow


class RequestKind(LabelledEnum):
    """Why a member needs a new card."""

    LOST = "lost", _l("Mất thẻ")
    DAMAGED = "damaged", _l("Thẻ bị hỏng")
    DUPLICATE = "duplicate", _l("Số thẻ bị trùng")
    WRONG_DETAILS = "wrong_details", _l("Thông tin trên thẻ bị sai")


class RequestStatus(LabelledEnum):
    """Where a request stands."""

    SUBMITTED = "submitted", _l("Đang chờ xử lý")
    NEEDS_INFO = "needs_info", _l("Cần bổ sung thông tin")
    APPROVED = "approved", _l("Đã duyệt")
    REJECTED = "rejected", _l("Không được duyệt")


OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.NEEDS_INFO)


class RequestEvent(LabelledEnum):
    """One step of a request's history (`CardRequestEvent.action`)."""

    SUBMITTED = "submitted", _l("Gửi đề nghị")
    INFO_REQUESTED = "info_requested", _l("Đề nghị bổ sung thông tin")
    INFO_ADDED = "info_added", _l("Bổ sung thông tin")
    APPROVED = "approved", _l("Duyệt, cấp số thẻ mới")
    REJECTED = "rejected", _l("Không duyệt")


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
        return RequestKind.label_for(self.kind)

    @property
    def status_label(self) -> str:
        """Translated status."""
        return RequestStatus.label_for(self.status)

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
        return RequestEvent.label_for(self.action)
