"""The "Cài đặt ứng dụng" page, the install report the app script sends, and what to keep offline.

Every response names the logged-in account in `X-Sotay-User` (empty when nobody is): the
service worker keeps an account's pages in a cache of that account only, and deletes the
caches of other accounts as soon as the header changes (logout, another person logs in).
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.pwa.blueprint import bp
from blueprints.pwa.models import AppInstall
from core.extensions import db
from core.models import utcnow
from core.permissions import AUTHENTICATED, PUBLIC, permission
from core.rendering import render

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


def name_the_account(response):
    """After-request hook (installed by app.py): tell the service worker whose page this is
    (see the module docstring).

    Pages only: reading the login on a static file would add "Vary: Cookie" to it, and the
    service worker's copy (fetched without cookies) would then never reuse the browser's.
    """
    if response.mimetype != "text/html":
        return response
    authenticated = getattr(current_user, "is_authenticated", False)
    response.headers["X-Sotay-User"] = str(current_user.id) if authenticated else ""
    return response


def redirect_for_the_app_script(response):
    """After-request hook (installed by app.py): a form the app script sent itself
    (`X-Sotay-Submit`) gets its redirect as a header.

    The script then opens that page, where the flash message is shown: following the redirect
    inside fetch would use the message up on a page nobody sees. A form sent this way that
    gets no answer at all is queued in the outbox (see static/js/app.js).
    """
    if request.headers.get("X-Sotay-Submit") == "1" and response.status_code in (301, 302, 303):
        response.headers["X-Sotay-Location"] = response.headers.pop("Location")
        response.status_code = 200
        response.set_data(b"")
    return response


def _offline_list(urls: list[str], count: int):
    response = jsonify(urls=urls, count=count)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pwa/offline/handbook")
@permission(AUTHENTICATED)
def offline_handbook():
    """Pages to save for reading without the network: every chapter this account may read."""
    from sqlalchemy.orm import selectinload

    from blueprints.handbook.models import Article, Kind
    from blueprints.handbook.services import visible_articles

    chapters = db.session.scalars(
        visible_articles(current_user, Kind.CHAPTER)
        .options(selectinload(Article.attachments))
        .order_by(Article.position, Article.id)
    ).all()
    urls = [url_for("handbook.handbook_index")]
    for chapter in chapters:
        urls.append(url_for("handbook.chapter", slug=chapter.slug))
        urls += [
            url_for("handbook.attachment", attachment_id=a.id, filename=a.filename)
            for a in chapter.published_files
            if not a.is_pdf
        ]
    # The assistant's page and its published Q&A, answered on the phone (static/js/assistant.js).
    urls += [url_for("assistant.index"), url_for("assistant.offline_data")]
    return _offline_list(urls, len(chapters))


@bp.get("/pwa/offline/meetings")
@permission(AUTHENTICATED)
def offline_meetings():
    """Announced (not yet closed) meetings of the member's cell: their pages and documents."""
    from blueprints.meetings.models import Document, Meeting, MeetingStatus

    member = current_user.member
    if member is None:
        return _offline_list([], 0)
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.cell_id == member.cell_id, Meeting.status != MeetingStatus.CLOSED)
        .order_by(Meeting.starts_at)
        .limit(5)
    ).all()
    urls: list[str] = []
    docs = db.session.execute(
        select(Document.id, Document.meeting_id).where(
            Document.meeting_id.in_([m.id for m in meetings])
        )
    ).all()
    for meeting in meetings:
        urls.append(url_for("meetings.detail", meeting_id=meeting.id))
        urls += [
            url_for("meetings.document", meeting_id=meeting.id, doc_id=doc_id)
            for doc_id, meeting_id in docs
            if meeting_id == meeting.id
        ]
    return _offline_list(urls, len(meetings))
