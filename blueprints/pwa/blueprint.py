"""The PWA blueprint: the install page, the install report and the offline lists."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pwa", __name__)
