"""The admin blueprint (role assignments and the audit log); its actions are core's."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
