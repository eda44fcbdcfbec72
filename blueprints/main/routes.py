"""Home page, health check, display and language preferences, and the PWA files at the site root."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from blueprints.main.blueprint import bp
from core.assets import manifest_response, service_worker_response
from core.backup import last_backup_age
from core.extensions import db
from core.i18n import LOCALE_COOKIE
from core.jobs import consumer_age
from core.layout import CONTRAST_COOKIE, LARGE_TEXT_COOKIE
from core.permissions import PUBLIC, permission
from core.rendering import render
from core.security import safe_next_url

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@permission(PUBLIC)
def home():
    """Landing page for visitors, the member's home screen once logged in."""
    if not current_user.is_authenticated:
        return render("main/welcome.html")
    return render("main/home.html", user=current_user, member=current_user.member)


@bp.get("/healthz")
@permission(PUBLIC, before_password_change=True)
def healthz():
    """200 when the app and its database answer, 503 otherwise (for load balancers).

    The body also says whether the job consumer is alive (it writes a heartbeat every
    minute) and how old the newest backup is, for monitoring; neither changes the status,
    because a web host without them still serves members.
    """
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    beat = consumer_age()
    backup = last_backup_age()
    return {
        "status": "ok",
        "database": "ok",
        "jobs": "never-seen" if beat is None else ("ok" if beat < 180 else "stale"),
        "jobs_heartbeat_seconds": None if beat is None else round(beat),
        "backup": "none" if backup is None else ("ok" if backup < 26 * 3600 else "old"),
        "backup_age_hours": None if backup is None else round(backup / 3600, 1),
    }


@bp.get("/manifest.json")
@permission(PUBLIC, before_password_change=True)
def manifest():
    """Web app manifest, served from the root so the app's scope is the whole site."""
    return manifest_response()


@bp.get("/service-worker.js")
@permission(PUBLIC, before_password_change=True)
def service_worker():
    """Service worker with scope `/`, its cache version derived from the static files."""
    return service_worker_response()


@bp.get("/offline")
@permission(PUBLIC, before_password_change=True)
def offline():
    """Page the service worker shows when a page is needed and there is no network."""
    return render("main/offline.html")


def _back():
    """Redirect to the page the preference was changed on (same site only)."""
    target = request.form.get("next")
    if not target and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            target = parts.path + ("?" + parts.query if parts.query else "")
    return redirect(safe_next_url(target))


@bp.post("/preferences/display")
@permission(PUBLIC, before_password_change=True)
def display_preferences():
    """Toggle large text or high contrast: on the account and in a cookie (login page)."""
    setting = request.form.get("setting")
    cookie = {"large_text": LARGE_TEXT_COOKIE, "high_contrast": CONTRAST_COOKIE}.get(setting)
    if cookie is None:
        return redirect(url_for("main.home"))
    on = request.form.get("value") == "1"
    if current_user.is_authenticated:
        setattr(current_user, setting, on)
        db.session.commit()
    response = _back()
    response.set_cookie(
        cookie,
        "1" if on else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response


@bp.post("/preferences/language")
@permission(PUBLIC, before_password_change=True)
def language_preference():
    """Switch between Vietnamese (default) and English."""
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        lang = "vi"
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    response = _back()
    response.set_cookie(
        LOCALE_COOKIE,
        lang,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response
