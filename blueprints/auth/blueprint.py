"""The auth blueprint (login, logout, password, devices, account locks) and its permission."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.audit.labels import register_object, register_values
from blueprints.auth.models import Role, User
from core.extensions import db
from core.permissions import STAFF, register_action

bp = Blueprint("auth", __name__)

register_action("account.lock", (STAFF,))


def _audit_users(ids) -> dict:
    """Accounts named in the audit log, linked to their member record when they have one."""
    rows = db.session.scalars(
        select(User).where(User.id.in_(ids)).options(joinedload(User.member))
    ).all()
    return {
        u.id: (
            u.name,
            url_for("members.member_detail", member_id=u.member_id) if u.member_id else None,
        )
        for u in rows
    }


register_object("User", _l("Tài khoản"), _audit_users)
register_values("role", Role.labels())
