"""The Party member (đảng viên) as held in the roster."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import BinaryString, utcnow
from core.text import clean, fold, name_sort_key


class MemberStatus(LabelledEnum):
    """Membership status; exempt members are left out of attendance rates and quorum."""

    OFFICIAL = "official", _l("Chính thức")
    PROBATIONARY = "probationary", _l("Dự bị")
    EXEMPT = "exempt", _l("Miễn sinh hoạt")
    TRANSFERRED = "transferred", _l("Đã chuyển đi")
    LEFT = "left", _l("Đã ra khỏi Đảng")  # xin ra, xóa tên, khai trừ
    DECEASED = "deceased", _l("Đã từ trần")


# Statuses that take a member out of their cell: no account access, not counted, not issued.
DEPARTED_STATUSES = frozenset({MemberStatus.TRANSFERRED, MemberStatus.LEFT, MemberStatus.DECEASED})


class Gender(LabelledEnum):
    """Gender as the roster records it (one letter)."""

    MALE = "M", _l("Nam")
    FEMALE = "F", _l("Nữ")


class Member(db.Model):
    """One Party member, belonging to exactly one cell."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    name_sort: Mapped[str] = mapped_column(BinaryString(255), index=True, default="")
    name_search: Mapped[str] = mapped_column(String(120), index=True, default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    phone: Mapped[str | None] = mapped_column(String(15), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    joined_on: Mapped[date | None] = mapped_column(Date)
    official_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.OFFICIAL, index=True)
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    hometown: Mapped[str | None] = mapped_column(String(160))
    occupation: Mapped[str | None] = mapped_column(String(120))
    # Declared by the cell: the member has no smartphone, so adoption rates leave them out of
    # the adjusted denominator (stated on the dashboard) and the secretary checks them in.
    no_smartphone: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cell: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Member {self.card_number}>"

    def set_name(self, full_name: str) -> None:
        """Store the name in NFC together with its search and Vietnamese sort keys."""
        self.full_name = clean(full_name)
        self.name_search = fold(self.full_name)
        self.name_sort = name_sort_key(self.full_name)

    @property
    def status_label(self) -> str:
        """Translated membership status."""
        return MemberStatus.label_for(self.status)

    @property
    def gender_label(self) -> str:
        """Translated gender, empty when unknown."""
        return Gender.label_for(self.gender, "")

    @property
    def departed(self) -> bool:
        """True when the member no longer belongs to their cell (moved away, left, died)."""
        return self.status in DEPARTED_STATUSES

    @property
    def scope_unit(self) -> Unit:
        """The unit whose subtree decides who may see this member: their cell."""
        return self.cell
