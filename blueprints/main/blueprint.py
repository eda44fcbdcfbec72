"""The main blueprint: home page, health check, preferences and the PWA files at the root."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)
