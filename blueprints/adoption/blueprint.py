"""The adoption blueprint (who installed and uses the app, by unit) and its permission."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from blueprints.audit.labels import register_values
from core.permissions import DEPUTY, SECRETARY, STAFF, register_action

bp = Blueprint("adoption", __name__, url_prefix="/adoption")

register_action("adoption.view", (STAFF, SECRETARY, DEPUTY))
# Declaring that a member has no smartphone (left out of the adjusted adoption rate).
register_action("adoption.declare_phone", (STAFF, SECRETARY, DEPUTY))
register_values("no_smartphone", {"1": _l("Có"), "0": _l("Không")})
