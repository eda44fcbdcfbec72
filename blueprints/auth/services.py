"""The auth feature's services to the others: which account an identifier names, whether an
account may be used (staff lock and unlock, departures, expired login slips), and what a member
page shows staff about the member's account.

One place decides access for the login form (`login_refusal`) and one place changes it (`lock`,
`unlock`, `members_changed`); the server-side session check (core/session.py) refuses inactive
accounts, so ending access here ends every open session as well.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, func, select

from blueprints.audit.models import record
from blueprints.auth.forms import AccountStateForm
from blueprints.auth.models import RoleAssignment, User, UserSession
from blueprints.auth.sessions import revoke_all_sessions
from blueprints.members.models import DEPARTED_STATUSES, Member
from core import throttle
from core.extensions import db
from core.models import utcnow
from core.permissions import CELL_LEADERS, account_refusal, can
from core.session import valid_session_params, valid_session_sql
from core.text import clean, normalise_card_number, normalise_phone


def slip_expired(user: User) -> bool:
    """True when the account still has its initial (slip) password and that has expired."""
    days = current_app.config["INITIAL_PASSWORD_VALID_DAYS"]
    if not user.must_change_password or not days or user.password_changed_at is None:
        return False
    return utcnow() - user.password_changed_at > timedelta(days=days)


def login_refusal(user: User) -> str | None:
    """Why `user`, who gave the right password, may not log in; None when they may.

    Said only after the right password, so the message tells nothing to someone guessing.
    """
    if user.member is not None and user.member.departed:
        return _(
            "Đồng chí không còn sinh hoạt tại chi bộ trong hệ thống (%(status)s), nên tài khoản "
            "đã ngừng. Nếu có nhầm lẫn, đồng chí hãy liên hệ Ban Tổ chức cấp ủy nơi đồng "
            "chí đang sinh hoạt.",
            status=user.member.status_label.lower(),
        )
    if not user.active:
        return _(
            "Tài khoản của đồng chí đang bị khóa. Đồng chí hãy liên hệ bí thư chi bộ hoặc "
            "Ban Tổ chức cấp ủy để được mở khóa."
        )
    if slip_expired(user):
        return _(
            "Mật khẩu trên phiếu đăng nhập đã hết hạn (phiếu chỉ dùng được %(days)d ngày). "
            "Đồng chí hãy đề nghị bí thư chi bộ hoặc Ban Tổ chức cấp phiếu mới.",
            days=current_app.config["INITIAL_PASSWORD_VALID_DAYS"],
        )
    return None


def _subject(user: User):
    """What the audit entry is about: the member record (so its unit is kept) or the user."""
    return user.member if user.member is not None else user


def lock(user: User, reason: str) -> None:
    """Lock `user` now: no login, every session ended. Audited with the reason."""
    user.active = False
    user.locked_at = utcnow()
    user.locked_reason = reason[:200]
    revoke_all_sessions(user)
    record("account.locked", _subject(user), reason=reason[:200], user_id=user.id)


def unlock(user: User, reason: str) -> None:
    """Unlock `user` and end a soft lock from wrong passwords. Audited with the reason."""
    user.active = True
    user.locked_at = None
    user.locked_reason = None
    throttle.clear(throttle.account_key(user, ""))
    record("account.unlocked", _subject(user), reason=reason[:200], user_id=user.id)


def snapshot(member_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Cell and status of members before a change, for `members_changed`."""
    result: dict[int, tuple[int, str]] = {}
    for start in range(0, len(member_ids), 900):
        rows = db.session.execute(
            select(Member.id, Member.cell_id, Member.status).where(
                Member.id.in_(member_ids[start : start + 900])
            )
        )
        result.update((r.id, (r.cell_id, r.status)) for r in rows)
    return result


def members_changed(before: dict[int, tuple[int, str]]) -> int:
    """End access that a change of cell or status took away; return how many accounts changed.

    A member who departed (moved away, left the Party, died) loses the account: locked, every
    session ended. A member moved to another cell loses their cell-leader roles on the old
    cell and their sessions (they log in again and see the new cell). Called in the same
    transaction as the change, by every place that changes a member's cell or status.
    """
    if not before:
        return 0
    changed = 0
    after = snapshot(list(before))
    users = {
        u.member_id: u
        for start in range(0, len(before), 900)
        for u in db.session.scalars(
            select(User).where(User.member_id.in_(list(before)[start : start + 900]))
        )
    }
    for member_id, (old_cell, old_status) in before.items():
        user = users.get(member_id)
        new_cell, new_status = after.get(member_id, (old_cell, old_status))
        if user is None:
            continue
        departed = new_status in DEPARTED_STATUSES and old_status not in DEPARTED_STATUSES
        moved = new_cell != old_cell
        if departed and user.active:
            user.active = False
            user.locked_at = utcnow()
            revoke_all_sessions(user)
            record("account.access_ended", user.member, status=new_status, user_id=user.id)
            changed += 1
        elif moved:
            db.session.execute(
                delete(RoleAssignment).where(
                    RoleAssignment.user_id == user.id,
                    RoleAssignment.unit_id == old_cell,
                    RoleAssignment.role.in_(CELL_LEADERS),
                )
            )
            revoke_all_sessions(user)
            record("account.access_ended", user.member, moved_from=old_cell, user_id=user.id)
            changed += 1
    return changed


def find_user(identifier: str) -> User | None:
    """The account for a card number, phone number or staff username, or None.

    A phone number shared by several members logs nobody in: they must use their card number.
    """
    ident = clean(identifier)
    user = db.session.scalar(select(User).where(func.lower(User.username) == ident.lower()))
    if user:
        return user
    card = normalise_card_number(ident)
    if card:
        user = db.session.scalar(
            select(User).join(Member, User.member_id == Member.id).where(Member.card_number == card)
        )
        if user:
            return user
    phone = normalise_phone(ident)
    if phone:
        users = db.session.scalars(
            select(User).join(Member, User.member_id == Member.id).where(Member.phone == phone)
        ).all()
        if len(users) == 1:
            return users[0]
    if card:
        member = replaced_card_owner(card)
        if member is not None:
            return db.session.scalar(select(User).where(User.member_id == member.id))
    return None


def replaced_card_owner(card: str) -> Member | None:
    """The member whose card `card` was replaced by an approved request less than
    OLD_CARD_LOGIN_DAYS ago, so that approving a new card never locks anyone out."""
    from blueprints.cards.models import CardRequest, RequestStatus  # cards builds on auth

    since = utcnow() - timedelta(days=current_app.config["OLD_CARD_LOGIN_DAYS"])
    req = db.session.scalar(
        select(CardRequest)
        .where(
            CardRequest.old_card_number == card,
            CardRequest.status == RequestStatus.APPROVED,
            CardRequest.new_card_number.is_not(None),
            CardRequest.updated_at >= since,
        )
        .order_by(CardRequest.updated_at.desc())
    )
    if req is None or req.member.card_number == card:
        return None
    return req.member


def old_card_notice(identifier: str, user: User) -> str | None:
    """Said after logging in with a replaced card number: the new number to use from now on."""
    card = normalise_card_number(clean(identifier))
    member = user.member
    if not card or member is None or member.card_number == card:
        return None
    if replaced_card_owner(card) is None:
        return None
    return _(
        "Số thẻ đảng viên của đồng chí đã đổi thành %(card)s. Từ nay đồng chí đăng nhập bằng "
        "số thẻ mới này hoặc bằng số điện thoại; số thẻ cũ chỉ dùng được thêm một thời gian.",
        card=member.card_number,
    )


def account_panel(member: Member) -> dict | None:
    """What the member page shows staff about the member's account, or None to show nothing."""
    if not current_user.is_authenticated:
        return None
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    if user is None or not can(current_user, "account.lock", member):
        return None
    sessions = db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.user_id == user.id, valid_session_sql()),
        valid_session_params(current_app.config, utcnow()),
    )
    return {
        "user": user,
        "refusal": account_refusal(current_user, user, "account.lock"),
        # Two forms can be on the page (active but soft-locked): prefixes keep their ids apart.
        "lock_form": AccountStateForm(prefix="lock"),
        "unlock_form": AccountStateForm(prefix="unlock"),
        "sessions": sessions,
        "soft_lock_minutes": (throttle.lock_seconds_left(user) + 59) // 60,
    }
