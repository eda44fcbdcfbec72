"""The members blueprint (own card, member records, units); its actions are core's."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("members", __name__)
