"""A roster import's plan, and applying it in one go.

`analyse_members` / `analyse_units` (modules of the same names) never write: they return a Plan
(what is new, changed, unchanged, rejected, and which members of the file's cells are missing
from it); `columns.py` holds the per-column checks they share. `apply_plan` writes a plan with
bulk statements inside the caller's transaction, so a commit applies all of it or nothing.
Re-importing the same file finds everything unchanged (upsert by card number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from blueprints.auth import services as auth_services
from blueprints.members.models import Member, MemberStatus
from blueprints.units.models import Unit
from core.extensions import db
from core.models import utcnow
from core.text import clean, fold, name_sort_key

Progress = Callable[[int, int], None]
MEMBER_FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "cell_id",
    "joined_on",
    "official_on",
    "status",
)
PROGRESS_EVERY = 2000
CHANGES_SHOWN = 200


@dataclass
class Plan:
    """What importing a file would do."""

    kind: str
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    unit_rows: list[dict] = field(default_factory=list)  # units: rows to create/update, in order
    changes: list[dict] = field(default_factory=list)  # first changed rows, old and new values

    @property
    def counts(self) -> dict[str, int]:
        """Figures shown in the preview."""
        return {
            "new": len(self.inserts),
            "changed": len(self.updates),
            "unchanged": self.unchanged,
            "rejected": len({r["row"] for r in self.rejected}),
            "missing": len(self.missing),
        }


def reject(plan: Plan, row: int, reasons: list, record: dict) -> None:
    """Add a refused row to the plan with its reasons (shown in the preview)."""
    plan.rejected.append(
        {
            "row": row,
            "reasons": reasons,
            "card": record.get("card") or record.get("code") or "",
            "name": record.get("name") or "",
        }
    )


def _apply_members(plan: Plan, transferred_ids: list[int], progress: Progress | None) -> None:
    now = utcnow()
    total = len(plan.inserts) + len(plan.updates)
    done = 0
    for start in range(0, len(plan.inserts), PROGRESS_EVERY):
        chunk = []
        for values in plan.inserts[start : start + PROGRESS_EVERY]:
            row = dict(values)
            row["name_search"] = fold(row["full_name"])
            row["name_sort"] = name_sort_key(row["full_name"])
            row["created_at"] = row["updated_at"] = now
            chunk.append(row)
        db.session.execute(insert(Member), chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    # Cell or status changes can take members out of their cell: their access ends with them.
    allowed = {m["id"] for m in plan.missing}
    ids = [i for i in transferred_ids if i in allowed]
    watched = [v["id"] for v in plan.updates if "cell_id" in v or "status" in v]
    before = auth_services.snapshot(watched + ids)
    for start in range(0, len(plan.updates), PROGRESS_EVERY):
        chunk = []
        for values in plan.updates[start : start + PROGRESS_EVERY]:
            row = {k: v for k, v in values.items() if k != "card"}
            if "full_name" in row:
                row["name_search"] = fold(row["full_name"])
                row["name_sort"] = name_sort_key(row["full_name"])
            row["updated_at"] = now
            chunk.append(row)
        # Rows with different sets of columns are grouped by SQLAlchemy into executemany batches.
        db.session.execute(update(Member), chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    if ids:
        db.session.execute(
            update(Member)
            .where(Member.id.in_(ids))
            .values(status=MemberStatus.TRANSFERRED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    auth_services.members_changed(before)


def _apply_units(plan: Plan) -> None:
    by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    update_ids = {u["id"] for u in plan.updates}
    for entry in plan.unit_rows:
        unit = by_code.get(entry["code"])
        parent = by_code.get(entry["parent"]) if entry["parent"] else None
        if unit is None:
            by_code[entry["code"]] = Unit.create(
                entry["code"], entry["name"], entry["kind"], parent
            )
        elif unit.id in update_ids:
            unit.name = clean(entry["name"])
            unit.name_search = fold(unit.name)
            unit.kind = str(entry["kind"])
            if parent is not None and unit.parent_id != parent.id:
                unit.move_under(parent)
                by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    db.session.flush()


def apply_plan(plan: Plan, *, transferred_ids=(), progress: Progress | None = None) -> None:
    """Write a plan in the current transaction (the caller commits or rolls back)."""
    if plan.kind == "members":
        _apply_members(plan, list(transferred_ids), progress)
    else:
        _apply_units(plan)
