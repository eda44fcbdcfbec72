"""The adoption blueprint (who installed and uses the app, by unit) and its permission."""

from __future__ import annotations

from flask import Blueprint

from core.permissions import DEPUTY, SECRETARY, STAFF, register_action

bp = Blueprint("adoption", __name__, url_prefix="/adoption")

register_action("adoption.view", (STAFF, SECRETARY, DEPUTY))
