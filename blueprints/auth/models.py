"""User accounts, server-side login sessions and unit-scoped role assignments."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import utcnow


class Role(LabelledEnum):
    """Roles a user can hold on a unit; every role covers the unit's whole subtree."""

    SECRETARY = "secretary", _l("Bí thư chi bộ")
    DEPUTY = "deputy", _l("Phó bí thư chi bộ")
    STAFF = "staff", _l("Cán bộ Ban Tổ chức")  # of a committee
    EDITOR = "editor", _l("Biên tập viên")  # Ban Biên tập
    ADMIN = "admin", _l("Quản trị hệ thống")


class User(UserMixin, db.Model):
    """A login. Members log in by card number or phone; staff who are not members by username."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Why and since when a locked account (active False) is locked; staff write the reason.
    locked_at: Mapped[datetime | None]
    locked_reason: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    large_text: Mapped[bool] = mapped_column(default=False)
    high_contrast: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member | None] = relationship()
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleAssignment.user_id"
    )

    # Set by the user loader: the token of the login session this request belongs to.
    session_token = None  # plain attribute, not a column
    session_id = None  # id of that UserSession row ("this device" in the device list)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username or self.member_id}>"

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    def get_id(self) -> str | None:
        """Flask-Login stores the login-session token, not the user id, so logout can revoke it."""
        return self.session_token

    @property
    def name(self) -> str:
        """Name to greet the user with."""
        return self.member.full_name if self.member else self.display_name or self.username or ""

    def set_password(self, password: str, *, must_change: bool = False) -> None:
        """Hash and store a new password."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.must_change_password = must_change
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        """True when `password` matches; always False for an account with no password yet."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class UserSession(db.Model):
    """One login on one device. Only a hash of the token is stored, so a leaked table is useless."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # "Remember me" sessions get the longer idle timeout (core.session.valid_session_sql).
    remember: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_token(token: str) -> str:
        """SHA-256 of a session token, as stored."""
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        """A fresh unguessable session token."""
        return secrets.token_urlsafe(32)


class RoleAssignment(db.Model):
    """`user` holds `role` on `unit` and everything beneath it."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()

    @property
    def role_label(self) -> str:
        """Translated role name."""
        return Role.label_for(self.role)
