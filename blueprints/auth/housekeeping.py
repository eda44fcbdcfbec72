"""Housekeeping of logins: sessions that ended (logout, expiry, revocation) long ago."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_

from blueprints.auth.models import UserSession
from core.extensions import db
from core.housekeeping import sweeper
from core.models import utcnow


@sweeper("user_sessions")
def ended_sessions() -> int:
    """Delete sessions that ended more than SESSIONS_KEEP_DAYS ago (the devices page and the
    audit log keep what a member needs to see; a dead session row only holds an IP)."""
    cutoff = utcnow() - timedelta(days=current_app.config["SESSIONS_KEEP_DAYS"])
    return db.session.execute(
        delete(UserSession).where(
            or_(UserSession.revoked_at < cutoff, UserSession.expires_at < cutoff)
        )
    ).rowcount
