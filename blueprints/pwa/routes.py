"""The "Cài đặt ứng dụng" page and the install report the app script sends."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.pwa.models import AppInstall
from core.extensions import db
from core.models import utcnow
from core.permissions import AUTHENTICATED, PUBLIC, permission
from core.rendering import render

bp = Blueprint("pwa", __name__)

PLATFORMS = ("android", "ios", "windows", "mac", "linux", "other")


@bp.get("/install")
@permission(PUBLIC)
def install_help():
    """How to add the app to the home screen on the phones members actually use."""
    agent = (request.user_agent.string or "").lower()
    if "zalo" in agent:
        detected = "zalo"
    elif "iphone" in agent or "ipad" in agent:
        detected = "ios"
    elif "samsungbrowser" in agent:
        detected = "samsung"
    else:
        detected = "android"
    return render("pwa/install.html", detected=detected)


@bp.post("/pwa/installed")
@permission(AUTHENTICATED, before_password_change=True)
def installed():
    """Record that this account runs the app installed (feeds the adoption figures)."""
    platform = request.form.get("platform", "other")
    platform = platform if platform in PLATFORMS else "other"
    source = "appinstalled" if request.form.get("source") == "appinstalled" else "standalone"
    row = db.session.scalar(
        select(AppInstall).where(
            AppInstall.user_id == current_user.id, AppInstall.platform == platform
        )
    )
    if row:
        row.last_seen_at = utcnow()
    else:
        db.session.add(AppInstall(user_id=current_user.id, platform=platform, source=source))
    try:
        db.session.commit()
    except IntegrityError:  # two workers recorded the same first install at once
        db.session.rollback()
    return "", 204
