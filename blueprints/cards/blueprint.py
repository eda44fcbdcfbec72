"""The Party-card requests blueprint and its permission."""

from __future__ import annotations

from flask import Blueprint

from core.permissions import STAFF, register_action

bp = Blueprint("cards", __name__, url_prefix="/card-requests")

register_action("card_request.handle", (STAFF,))
