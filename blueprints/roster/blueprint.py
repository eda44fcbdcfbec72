"""The roster blueprint (imports, member lists, accounts and login slips), its permissions."""

from __future__ import annotations

from flask import Blueprint

from core.permissions import SECRETARY, STAFF, register_action

bp = Blueprint("roster", __name__, url_prefix="/roster")

register_action("roster.import", (STAFF,))
register_action("account.issue", (STAFF,))
register_action("account.reset", (SECRETARY, STAFF))
