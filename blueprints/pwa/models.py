"""Install records: one row per account and platform that ran the app installed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import utcnow


class AppInstall(db.Model):
    """The app ran in standalone mode, or the browser's install event fired, for this account."""

    __tablename__ = "app_installs"
    __table_args__ = (UniqueConstraint("user_id", "platform", name="uq_app_install_user_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # "standalone" or "appinstalled"
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
