"""Server-side login sessions on top of Flask-Login: the validity rule and the login guards.

The signed session cookie carries only a random token; the `user_sessions` table says whether
that token is still valid. So logout (or a password reset) really ends a session on every
worker and host, "remember me" is bounded by a server-side expiry (≤ 30 days), and the cookie
is rotated at each login. This module holds the rule "a session is valid now", shared by the
user loader and the live-meeting fast path; the session rows themselves (starting, ending,
loading) are the auth feature's (blueprints/auth/sessions.py), which app.py hands to
`init_login` as the user loader, so core imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy import DateTime, bindparam, text

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


def init_login(app: Flask, login_manager: LoginManager, load_user: Callable) -> None:
    """Configure Flask-Login for token sessions and install the password-change guard.

    `load_user(token)` returns the user of a valid session token, or None (the auth feature's).
    """
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Đồng chí hãy đăng nhập để tiếp tục.")
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
