"""Login, logout and password change."""

from __future__ import annotations

import functools
import secrets
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

from blueprints.audit.models import record
from blueprints.auth import services
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import ChangePasswordForm, LoginForm
from blueprints.auth.sessions import end_session, revoke_all_sessions, start_session
from core import throttle
from core.extensions import db
from core.layout import adopt_device_prefs
from core.passwords import password_problems
from core.permissions import AUTHENTICATED, PUBLIC, permission
from core.rendering import render
from core.security import safe_next_url
from core.text import clean, fold

# Session key: when the login-slip password was checked at login (forced change follows).
SLIP_CHECKED = "slip_checked_at"
SLIP_CHECK_SECONDS = 15 * 60


@functools.cache
def _dummy_hash(method: str) -> str:
    """Compared against when the account does not exist, so a miss costs as much as a wrong
    password: made with the configured method, whatever its cost parameters are."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _minutes(seconds: int) -> int:
    return max((seconds + 59) // 60, 1)


@bp.route("/login", methods=["GET", "POST"])
@permission(PUBLIC)
def login():
    """Show the login form and log the user in.

    Each attempt is counted before the password is checked (core.throttle), per account and
    per client address; the right password on a locked, departed or expired-slip account is
    told so, and only then, so a guesser learns nothing about the account.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("card"):
        form.login.data = clean(request.args["card"])[:64]  # card number from a login-slip QR
    status = 200
    if form.validate_on_submit():
        status = _attempt(form)
        if not isinstance(status, int):
            return status
    logged_out = session.pop("logged_out", False)
    return render(
        "auth/login.html", "auth/_login_form.html", status=status, form=form, logged_out=logged_out
    )


def _attempt(form: LoginForm):
    """Try the submitted credentials: a redirect on success, else the status to answer with."""
    user = services.find_user(form.login.data)
    ip = throttle.ip_key(request.remote_addr)
    by_ip = throttle.hit(ip, "LOGIN_LIMIT_PER_IP")
    by_account = throttle.hit(
        throttle.account_key(user, form.login.data), "LOGIN_LIMIT_PER_ACCOUNT"
    )
    blocked = by_account if by_account.blocked else by_ip if by_ip.blocked else None
    if blocked is not None:
        form.password.errors.append(
            _(
                "Đồng chí đã nhập sai quá nhiều lần, nên việc đăng nhập tạm khóa trong "
                "%(minutes)d phút nữa. Sau thời gian đó đồng chí thử lại, hoặc đề nghị bí thư "
                "chi bộ hoặc Ban Tổ chức mở khóa tài khoản.",
                minutes=_minutes(blocked.seconds_left()),
            )
        )
        return 429
    if user is None or not user.password_hash:
        check_password_hash(
            _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), form.password.data
        )
    if user is not None and user.check_password(form.password.data):
        refusal = services.login_refusal(user)
        if refusal is None:
            start_session(user, remember=form.remember.data)
            adopt_device_prefs(user)
            record("auth.login", user, actor=user)
            db.session.commit()
            throttle.clear(by_account.key)
            throttle.give_back(ip, "LOGIN_LIMIT_PER_IP")
            notice = services.old_card_notice(form.login.data, user)
            if notice:
                flash(notice, "info")
            if user.must_change_password:
                # The slip password was typed a moment ago: the change form will not ask again.
                session[SLIP_CHECKED] = int(time.time())
                flash(
                    _("Đây là lần đăng nhập đầu tiên. Đồng chí hãy đổi mật khẩu để tiếp tục."),
                    "info",
                )
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next_url(request.args.get("next")))
        record("auth.login_refused", user, actor=None, user_id=user.id)
        db.session.commit()
        form.password.errors.append(refusal)
        return 401
    # Nobody is logged in: the entry has no actor; the account tried is its object.
    record(
        "auth.login_failed",
        user,
        actor=None,
        login=fold(form.login.data)[:64],
        user_id=getattr(user, "id", None),
    )
    db.session.commit()
    form.password.errors.append(
        _("Số thẻ / số điện thoại hoặc mật khẩu không đúng. Đồng chí hãy kiểm tra lại.")
    )
    if 0 < by_account.remaining <= 2:
        form.password.errors.append(
            _(
                "Đồng chí còn %(n)d lần thử. Sau đó việc đăng nhập sẽ tạm khóa %(minutes)d phút.",
                n=by_account.remaining,
                minutes=_minutes(by_account.seconds_left()),
            )
        )
    return 401


@bp.post("/logout")
@permission(AUTHENTICATED, before_password_change=True)
def logout():
    """End the session on the server, then in the browser."""
    record("auth.logout", current_user._get_current_object())
    end_session()
    db.session.commit()
    flash(_("Đồng chí đã đăng xuất."), "success")
    session["logged_out"] = True  # the next page tells the app script to drop personal caches
    response = redirect(url_for("auth.login"))
    # Drop pages of this account from the browser's HTTP cache.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def _save_new_password(user, form: ChangePasswordForm) -> None:
    """Check the new password against the policy and save it, or add the reasons to the form."""
    identifiers = (
        user.username or "",
        user.member.card_number if user.member else "",
        (user.member.phone or "") if user.member else "",
    )
    problems = password_problems(form.new.data, identifiers=identifiers)
    if user.check_password(form.new.data):
        problems.append(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    if problems:
        form.new.errors.extend(problems)
        return
    user.set_password(form.new.data, must_change=False)
    revoke_all_sessions(user, keep_current=True)
    record("auth.password_changed", user)
    db.session.commit()


@bp.route("/account/password", methods=["GET", "POST"])
@permission(AUTHENTICATED, before_password_change=True)
def change_password():
    """Change one's own password (forced after logging in with an initial password).

    Right after logging in with the login slip, the slip password is not asked for again
    (it was checked a moment ago, SLIP_CHECK_SECONDS at most); otherwise the current password
    is always asked for.
    """
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    fresh_slip = user.must_change_password and (
        time.time() - session.get(SLIP_CHECKED, 0) < SLIP_CHECK_SECONDS
    )
    if fresh_slip:
        del form.current
    if form.validate_on_submit():
        if not fresh_slip and not user.check_password(form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            _save_new_password(user, form)
            if not form.new.errors:
                session.pop(SLIP_CHECKED, None)
                flash(_("Đã đổi mật khẩu."), "success")
                return redirect(url_for("main.home"))
    return render(
        "auth/change_password.html",
        "auth/_change_password_form.html",
        form=form,
        forced=user.must_change_password,
    )
