"""Handbook routes: importing the reading and editing modules registers their views on the one
blueprint (`bp`) that app.py registers."""

from blueprints.handbook import (  # noqa: F401  (their routes)
    attachment_routes,
    editor_routes,
    reading_routes,
)
from blueprints.handbook.blueprint import bp

__all__ = ["bp"]
