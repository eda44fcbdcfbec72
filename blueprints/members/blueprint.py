"""The members blueprint (own card, member records, units); its actions are core's."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.audit.labels import register_object
from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db

bp = Blueprint("members", __name__)


def _audit_members(ids) -> dict:
    """Members named in the audit log: name and card number, linked to their record."""
    rows = db.session.scalars(select(Member).where(Member.id.in_(ids))).all()
    return {
        m.id: (
            f"{m.full_name} ({m.card_number})",
            url_for("members.member_detail", member_id=m.id),
        )
        for m in rows
    }


def _audit_units(ids) -> dict:
    """Units named in the audit log (their page is this feature's)."""
    rows = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all()
    return {u.id: (u.name, url_for("members.unit_detail", unit_id=u.id)) for u in rows}


register_object("Member", _l("Đảng viên"), _audit_members)
register_object("Unit", _l("Đơn vị"), _audit_units)
