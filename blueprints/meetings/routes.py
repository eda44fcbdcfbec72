"""Meetings routes, one module per stage of a meeting; importing them registers their views
on the one blueprint (`bp`) that app.py registers."""

from blueprints.meetings import (  # noqa: F401  (imported for their routes)
    action_routes,
    live_routes,
    minutes_routes,
    schedule_routes,
)
from blueprints.meetings.blueprint import bp

__all__ = ["bp"]
