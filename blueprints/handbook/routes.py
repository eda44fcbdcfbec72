"""Handbook routes: importing the reading and editing modules registers their views on the one
blueprint (`bp`) that app.py registers."""

from blueprints.handbook import editor_routes, reading_routes  # noqa: F401  (their routes)
from blueprints.handbook.blueprint import bp

__all__ = ["bp"]
