"""Account pages: one's signed-in devices, and staff locking or unlocking a member's account.

Views on the auth blueprint (blueprints/auth/blueprint.py).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.audit.models import record
from blueprints.auth import services
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import AccountStateForm
from blueprints.auth.models import User, UserSession
from blueprints.auth.sessions import revoke_all_sessions
from blueprints.members.models import Member
from core.extensions import db
from core.forms import EmptyForm
from core.models import utcnow
from core.permissions import (
    AUTHENTICATED,
    account_refusal,
    get_authorized,
    permission,
)
from core.rendering import render
from core.session import valid_session_params, valid_session_sql


def device_label(user_agent: str | None) -> str:
    """A short name for a browser's user agent: "Chrome trên Android", "Safari trên iPhone"."""
    ua = user_agent or ""
    system = next(
        (
            name
            for key, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        None,
    )
    browser = next(
        (
            name
            for key, name in (
                ("Zalo", "Zalo"),
                ("Edg/", "Edge"),
                ("CocCoc", "Cốc Cốc"),
                ("Firefox", "Firefox"),
                ("Chrome", "Chrome"),
                ("Safari", "Safari"),
            )
            if key in ua
        ),
        None,
    )
    if browser and system:
        return _("%(browser)s trên %(system)s", browser=browser, system=system)
    return browser or system or _("Thiết bị không rõ")


def _live_sessions(user_id: int) -> list[UserSession]:
    """The user's login sessions that are valid now, most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.user_id == user_id, valid_session_sql())
            .order_by(UserSession.last_seen_at.desc()),
            valid_session_params(current_app.config, utcnow()),
        )
    )


@bp.get("/account")
@permission(AUTHENTICATED)
def account():
    """The account page: signed-in devices, this one marked, and "sign out the others"."""
    user = current_user._get_current_object()
    return render(
        "auth/account.html",
        sessions=_live_sessions(user.id),
        this_session=user.session_id,
        device_label=device_label,
        form=EmptyForm(),
    )


@bp.post("/account/sessions/others")
@permission(AUTHENTICATED)
def end_other_sessions():
    """End every login of this account except the one making the request."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    ended = revoke_all_sessions(user, keep_current=True)
    record("account.sessions_ended", user, ended=ended)
    db.session.commit()
    flash(_("Đã đăng xuất khỏi %(n)d thiết bị khác.", n=ended), "success")
    return redirect(url_for("auth.account"))


def _change_state(member_id: int, *, locking: bool):
    member = get_authorized(Member, member_id, "account.lock")
    back = redirect(url_for("members.member_detail", member_id=member.id))
    form = AccountStateForm(prefix="lock" if locking else "unlock")
    if not form.validate_on_submit():
        for error in form.reason.errors or [_("Phiên làm việc đã hết hạn. Đồng chí hãy thử lại.")]:
            flash(error, "error")
        return back
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    refusal = account_refusal(current_user, user, "account.lock")
    if refusal is None and not locking and member.departed:
        refusal = _(
            "Đồng chí %(name)s đã không còn sinh hoạt tại chi bộ (%(status)s), nên không mở khóa "
            "được. Khi đồng chí ấy sinh hoạt lại, cấp ủy nơi mới cập nhật danh sách trước.",
            name=member.full_name,
            status=member.status_label.lower(),
        )
    if refusal:
        flash(refusal, "error")
        return back
    if locking:
        services.lock(user, form.reason.data)
        message = _("Đã khóa tài khoản của đồng chí %(name)s.", name=member.full_name)
    else:
        services.unlock(user, form.reason.data)
        message = _("Đã mở khóa tài khoản của đồng chí %(name)s.", name=member.full_name)
    db.session.commit()
    flash(message, "success")
    return back


@bp.post("/members/<int:member_id>/account/lock")
@permission("account.lock")
def lock_account(member_id: int):
    """Lock a member's account (with a reason): no login, every session ended at once."""
    return _change_state(member_id, locking=True)


@bp.post("/members/<int:member_id>/account/unlock")
@permission("account.lock")
def unlock_account(member_id: int):
    """Unlock a member's account, also ending a soft lock from wrong passwords."""
    return _change_state(member_id, locking=False)
