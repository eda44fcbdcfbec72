"""The "Dữ liệu của tôi" blueprint: what the app holds about the member, and correction
requests (Law 91/2025/QH15 on personal data: the data subject's right to know and to have it
corrected)."""

from __future__ import annotations

from flask import Blueprint

from core.permissions import STAFF, register_action

bp = Blueprint("mydata", __name__)

# Staff handle the correction requests of members in their units (the roster is theirs).
HANDLE_CORRECTIONS = register_action("mydata.corrections", (STAFF,))
