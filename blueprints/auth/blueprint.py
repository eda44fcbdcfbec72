"""The auth blueprint (login, logout, password, devices, account locks) and its permission."""

from __future__ import annotations

from flask import Blueprint

from core.permissions import STAFF, register_action

bp = Blueprint("auth", __name__)

register_action("account.lock", (STAFF,))
