"""The unit tree's materialised paths ("/1/5/23/"): the SQL and string helpers over them.

Every unit stores the ids from the root down to itself, so "everything under this committee"
is one indexed range scan instead of a recursive query per row. These helpers live in core
because the permission module scopes every list by them; the `Unit` model
(blueprints/units/models.py) builds on them.
"""

from __future__ import annotations

from sqlalchemy import and_


def subtree_clause(path_column, prefix: str):
    """SQL condition "path lies under `prefix`" as an index-friendly range.

    Every path under "/1/5/" sorts between "/1/5/" and "/1/50" ('/' is just below '0'), so a
    B-tree range scan finds the subtree without LIKE, which SQLite will not index.
    """
    return and_(path_column >= prefix, path_column < prefix[:-1] + "0")


def path_ids(path: str) -> list[int]:
    """Ids from the root down to the unit whose path this is."""
    return [int(p) for p in path.strip("/").split("/") if p]


def child_path(parent_path: str | None, unit_id: int) -> str:
    """The path of unit `unit_id` placed under the unit with `parent_path` (None: a root)."""
    return (parent_path or "/") + f"{unit_id}/"
