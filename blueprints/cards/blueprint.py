"""The Party-card requests blueprint and its permission."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.audit.labels import register_object, register_values
from blueprints.cards.models import CardRequest, RequestKind
from core.extensions import db
from core.permissions import STAFF, register_action

bp = Blueprint("cards", __name__, url_prefix="/card-requests")

register_action("card_request.handle", (STAFF,))


def _audit_requests(ids) -> dict:
    """Card requests named in the audit log: number and member, linked to the request."""
    rows = db.session.scalars(
        select(CardRequest).where(CardRequest.id.in_(ids)).options(joinedload(CardRequest.member))
    ).all()
    return {
        r.id: (
            _("Số %(id)s — %(name)s", id=r.id, name=r.member.full_name),
            url_for("cards.detail", request_id=r.id),
        )
        for r in rows
    }


register_object("CardRequest", _l("Đề nghị cấp thẻ"), _audit_requests)
register_values("kind", RequestKind.labels())
