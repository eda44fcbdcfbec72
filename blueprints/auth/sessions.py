"""Login sessions as rows of `user_sessions`: started at login, loaded on every request, ended
at logout, password change or reset.

Whether a session is still valid is decided by one rule in core/session.py
(`valid_session_sql`), which the live-meeting fast path shares; app.py installs `load_user`
as Flask-Login's user loader.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from blueprints.auth.models import User, UserSession
from core.extensions import db
from core.models import utcnow
from core.session import LAST_SEEN_EVERY, valid_session_params, valid_session_sql


def load_user(token: str):
    """The user of a valid session `token` (refreshing last-seen now and then), or None."""
    now = utcnow()
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == UserSession.hash_token(token))
        .where(valid_session_sql()),
        valid_session_params(current_app.config, now),
    ).first()
    if row is None:
        return None
    user_session, user = row
    if now - user_session.last_seen_at > LAST_SEEN_EVERY:
        db.session.execute(
            update(UserSession).where(UserSession.id == user_session.id).values(last_seen_at=now)
        )
        db.session.execute(update(User).where(User.id == user.id).values(last_seen_at=now))
        db.session.commit()
    user.session_token = token
    user.session_id = user_session.id
    return user


def start_session(user, *, remember: bool) -> None:
    """Log `user` in on a fresh session: old cookie contents dropped, new token issued."""
    session.clear()  # rotate: nothing from the anonymous session survives, CSRF token included
    token = UserSession.new_token()
    lifetime = (
        current_app.config["PERMANENT_SESSION_LIFETIME"]
        if remember
        else current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    )
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=UserSession.hash_token(token),
            user_id=user.id,
            expires_at=now + lifetime,
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:200],
            remember=remember,
        )
    )
    user.last_login_at = now
    user.last_seen_at = now
    user.session_token = token
    session.permanent = remember  # without "remember me" the cookie dies with the browser
    login_user(user, remember=False)


def end_session() -> None:
    """Revoke the current login session on the server and clear the cookie."""
    token = getattr(current_user, "session_token", None)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == UserSession.hash_token(token))
            .values(revoked_at=utcnow())
        )
    logout_user()
    session.clear()


def revoke_sessions(user_ids: list[int], *, keep_token: str | None = None) -> int:
    """End every open login of these users (all but the one of `keep_token`); how many ended.

    The one place sessions are revoked in bulk (password change or reset, "sign out the other
    devices", accounts issued again); in chunks, so thousands of ids fit any database.
    """
    ended, now = 0, utcnow()
    for start in range(0, len(user_ids), 900):
        stmt = update(UserSession).where(
            UserSession.user_id.in_(user_ids[start : start + 900]),
            UserSession.revoked_at.is_(None),
        )
        if keep_token:
            stmt = stmt.where(UserSession.token_hash != UserSession.hash_token(keep_token))
        ended += db.session.execute(stmt.values(revoked_at=now)).rowcount
    return ended


def revoke_all_sessions(user, *, keep_current: bool = False) -> int:
    """End every login of `user` (after a password change or reset); how many ended."""
    keep = getattr(user, "session_token", None) if keep_current else None
    return revoke_sessions([user.id], keep_token=keep)
