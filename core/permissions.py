"""The one place that decides who may do what, scoped by the unit tree.

Every view declares its action with `@permission("action")`; a test walks `app.url_map` and
fails for any view without one. Object-level checks call `get_authorized(Model, id, action)`
(or `authorize(action, obj)`) inside the view, which answer 404 for an object out of scope,
the same as for a missing one; list queries filter with `scope_clause`. A role held on a
unit covers that unit's whole subtree; an administrator's role is held on the province and so
covers everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import false, or_

from core.tree import subtree_clause

PUBLIC = "public"
AUTHENTICATED = "authenticated"

SECRETARY, DEPUTY, STAFF, EDITOR, ADMIN = "secretary", "deputy", "staff", "editor", "admin"
CELL_LEADERS = (SECRETARY, DEPUTY)


@dataclass(frozen=True)
class Rule:
    """Who may perform an action.

    roles: roles that grant it on objects inside the role's unit subtree (admin always does).
    own_cell: a member may also perform it on their own cell (and objects scoped to it).
    own_record: a member may also perform it on their own member record.
    """

    roles: frozenset[str]
    own_cell: bool = False
    own_record: bool = False


ACTIONS: dict[str, Rule] = {}


def register_action(
    name: str, roles: tuple[str, ...] = (), *, own_cell: bool = False, own_record: bool = False
) -> str:
    """Declare an action; features call this at import time next to their routes."""
    ACTIONS[name] = Rule(frozenset(roles) | {ADMIN}, own_cell=own_cell, own_record=own_record)
    return name


# Actions of the foundation; features register theirs in their own modules.
register_action("unit.view", (SECRETARY, DEPUTY, STAFF), own_cell=True)
register_action("member.view", (SECRETARY, DEPUTY, STAFF), own_record=True)
# Full roster details (birth date, phone…) of a unit, beyond the names a cell's members see.
register_action("roster.view", (SECRETARY, DEPUTY, STAFF))
register_action("member.manage", (STAFF,))
register_action("audit.view", ())
register_action("role.manage", ())


def role_scopes(user) -> list[tuple[str, str, int]]:
    """(role, unit path, unit id) for each role the user holds, cached for the request."""
    cache = g.setdefault("_permission_scopes", {})
    if user.id not in cache:
        cache[user.id] = [(ra.role, ra.unit.path, ra.unit_id) for ra in user.roles]
    return cache[user.id]


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of `roles` on some unit."""
    return user.is_authenticated and any(role in roles for role, _, _ in role_scopes(user))


def _scope_unit(obj):
    """The unit that decides access to `obj`: a unit itself, or the object's `scope_unit`."""
    if obj is None:
        return None
    if hasattr(obj, "path") and hasattr(obj, "kind"):
        return obj
    return getattr(obj, "scope_unit", None)


def can(user, action: str, obj=None) -> bool:
    """May `user` perform `action` (on `obj`, when given)?

    Without an object the answer is "could this user perform it somewhere", which is what a
    view checks before it has loaded the object; the object check must follow in the view.
    """
    if action == PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if action == AUTHENTICATED:
        return True
    rule = ACTIONS[action]
    member = user.member
    if member is not None and member.departed:
        member = None  # a member who left their cell keeps nothing of it (their roles decide)
    if obj is None:
        return (
            rule.own_cell
            or rule.own_record
            or any(role in rule.roles for role, _, _ in role_scopes(user))
        )
    if rule.own_record and member is not None and getattr(obj, "id", None) == member.id:
        if type(obj).__name__ == "Member":
            return True
    unit = _scope_unit(obj)
    if unit is None:
        return False
    if rule.own_cell and member is not None and member.cell_id == unit.id:
        return True
    return any(
        role in rule.roles and unit.path.startswith(path) for role, path, _ in role_scopes(user)
    )


def account_refusal(actor, target, action: str) -> str | None:
    """Why `actor` may not reset, issue, lock or unlock `target` (a User); None if they may.

    The one rule for every change of another person's password or account state (reset,
    issuance, lock, unlock): the actor needs `action` over the account's member record, and
    must hold every role of the account themselves, or be administrator, on the role's unit
    or an ancestor. So a secretary cannot take over a deputy who is also district staff, and
    district staff cannot re-issue an administrator whose member record sits in their cell:
    a role holder's password goes to someone above them. Messages say whom to ask.
    """
    from flask_babel import gettext as _

    if target is None or actor is None or not actor.is_authenticated:
        return _("Không tìm thấy tài khoản.")
    if target.id == actor.id:
        return _("Đồng chí không thể tự thay đổi tài khoản của mình ở đây; hãy dùng Đổi mật khẩu.")
    member = target.member
    if member is not None:
        if not can(actor, action, member):
            return _("Tài khoản này nằm ngoài đơn vị đồng chí phụ trách.")
    elif not has_role(actor, ADMIN):
        # An account with no member record is a staff login: only an administrator manages it.
        return _(
            "Tài khoản này do quản trị hệ thống quản lý. Đồng chí hãy liên hệ quản trị hệ thống."
        )
    held = role_scopes(actor)
    for role, path, _unit_id in role_scopes(target):
        covered = any(
            (mine == role or mine == ADMIN) and path.startswith(my_path)
            for mine, my_path, _ in held
        )
        if not covered:
            return _(
                "Tài khoản này giữ một vai trò (bí thư, phó bí thư, cán bộ Ban Tổ chức, biên "
                "tập, quản trị…) mà đồng chí không giữ ở cấp trên, nên chỉ cấp trên của người "
                "đó (quản trị hệ thống, hoặc người giữ cùng vai trò ở cấp trên) mới được đặt "
                "lại mật khẩu, khóa hoặc mở khóa. Đồng chí hãy đề nghị quản trị hệ thống."
            )
    return None


def can_manage_account(actor, target, action: str) -> bool:
    """True when `account_refusal` finds nothing against it."""
    return account_refusal(actor, target, action) is None


def authorize(action: str, obj=None) -> None:
    """Abort unless the current user may perform `action` on `obj`.

    On an object the answer is 404, exactly what an id that does not exist gets, so nobody can
    probe which ids exist outside their units (403 would tell). Without an object it is 403.
    """
    if not can(current_user, action, obj):
        abort(404 if obj is not None else 403)


def get_authorized(model, object_id, action: str):
    """Load `model` by id for `action`: 404 alike when it does not exist or is out of scope."""
    from core.extensions import db

    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    authorize(action, obj)
    return obj


def scope_clause(user, action: str, path_column):
    """SQL condition restricting `path_column` (a unit path) to what `user` may reach."""
    rule = ACTIONS[action]
    paths = sorted({path for role, path, _ in role_scopes(user) if role in rule.roles})
    # Drop paths already covered by a shorter one, so the OR stays small.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    if not kept:
        return false()
    return or_(*(subtree_clause(path_column, p) for p in kept))


def permission(action: str, *, before_password_change: bool = False):
    """Declare and enforce the permission of a view.

    `before_password_change` marks the few views a user who must still change the initial
    password may reach (the change form itself, logout, preferences).
    """
    if action not in (PUBLIC, AUTHENTICATED) and action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: register it with register_action first")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if action != PUBLIC:
                if not current_user.is_authenticated:
                    from core.extensions import login_manager

                    return login_manager.unauthorized()
                if not can(current_user, action):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.permission = action
        wrapper.before_password_change = before_password_change
        return wrapper

    return decorate
