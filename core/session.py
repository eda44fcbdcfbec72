"""Server-side login sessions on top of Flask-Login.

The signed session cookie carries only a random token; the `user_sessions` table says whether
that token is still valid. So logout (or a password reset) really ends a session on every
worker and host, "remember me" is bounded by a server-side expiry (≤ 30 days), and the cookie
is rotated at each login.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import DateTime, bindparam, select, text, update

from core.extensions import db
from core.models import utcnow

# Writing last_seen on every request would turn reads into writes; once every few minutes is enough.
# The idle timeouts are therefore measured with up to this much slack.
LAST_SEEN_EVERY = timedelta(minutes=5)


# Typed, so SQLite and PostgreSQL both compare datetimes, not strings of another format.
SESSION_BINDS = (
    bindparam("vs_now", type_=DateTime()),
    bindparam("vs_remember_cutoff", type_=DateTime()),
    bindparam("vs_idle_cutoff", type_=DateTime()),
)


def valid_session_condition(sessions: str = "user_sessions", users: str = "users") -> str:
    """The one SQL condition for "this login session is valid now", given the table aliases.

    Not revoked, within its absolute lifetime (expires_at, fixed at login), not idle longer
    than its idle timeout (longer for "remember me"), on an active account. The user loader
    and the live-meeting fast path (blueprints/meetings/fastpath.py) both use it, with
    SESSION_BINDS bound to the values of `valid_session_params`.
    """
    return (
        f"{sessions}.revoked_at IS NULL AND {sessions}.expires_at > :vs_now AND {users}.active "
        f"AND {sessions}.last_seen_at > CASE WHEN {sessions}.remember "
        "THEN :vs_remember_cutoff ELSE :vs_idle_cutoff END"
    )


def valid_session_sql(sessions: str = "user_sessions", users: str = "users"):
    """`valid_session_condition` as a SQLAlchemy clause with its typed parameters."""
    return text(valid_session_condition(sessions, users)).bindparams(*SESSION_BINDS)


def valid_session_params(config, now: datetime) -> dict:
    """Bound values for `valid_session_sql` at time `now` (naive UTC)."""
    return {
        "vs_now": now,
        "vs_remember_cutoff": now - config["SESSION_REMEMBER_IDLE_TIMEOUT"],
        "vs_idle_cutoff": now - config["SESSION_IDLE_TIMEOUT"],
    }


def _load_user(token: str):
    from blueprints.auth.models import User, UserSession

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
    from blueprints.auth.models import UserSession

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
    from blueprints.auth.models import UserSession

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
    from blueprints.auth.models import UserSession

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


def _enforce_password_change():
    """Send a user who still has an initial password to the change form, whatever they open."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "before_password_change", False):
        return None
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url_for("auth.change_password")
        return response
    return redirect(url_for("auth.change_password"))


def init_login(app: Flask, login_manager: LoginManager) -> None:
    """Configure Flask-Login for token sessions and install the password-change guard."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side token already binds the session

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.headers.get("HX-Request") == "true":
            response = current_app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.before_request(_enforce_password_change)
