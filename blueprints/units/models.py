"""The unit tree: Tỉnh ủy → đảng bộ xã / phường / đặc khu and bodies directly under the Tỉnh ủy
→ đảng bộ cơ sở → chi bộ (Quy định 294-QĐ/TW, 26/5/2025, in force 1/7/2025: no district level).

The tree takes any depth and any of these kinds at any level below the province, so an old roster
that still has a huyện ủy or đảng ủy khối between the province and the communes imports as it is
(kind "committee", kept under its stored value for backward compatibility).

Each unit stores a materialised path of ids ("/1/5/23/"), so "everything under this committee"
is one indexed range scan (`subtree_clause`) instead of a recursive query per row. The path
helpers themselves are in core/tree.py, which the permission module uses too.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.enums import LabelledEnum
from core.extensions import db
from core.models import BinaryString
from core.text import clean, fold
from core.tree import child_path, path_ids, subtree_clause


class UnitKind(LabelledEnum):
    """Level of a unit in the Party organisation."""

    PROVINCE = "province", _l("Tỉnh ủy")
    # Since 1/7/2025: the commune-level committees, directly under the Tỉnh ủy.
    COMMUNE = "commune", _l("Đảng bộ xã, phường, đặc khu")
    # Đảng bộ các cơ quan Đảng tỉnh, Đảng bộ UBND tỉnh, Quân sự, Công an tỉnh…
    DIRECT = "direct", _l("Đảng bộ trực thuộc Tỉnh ủy")
    # Huyện ủy, thị ủy, thành ủy, đảng ủy khối: abolished 1/7/2025, kept for old rosters.
    COMMITTEE = "committee", _l("Cấp huyện, đảng ủy khối (trước 1/7/2025)")
    GRASSROOTS = "grassroots", _l("Đảng bộ cơ sở")
    CELL = "cell", _l("Chi bộ")


# Kinds that sit directly under the province and lead other committees and cells.
UPPER_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.DIRECT, UnitKind.COMMITTEE})


class Unit(db.Model):
    """One node of the organisation tree."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_search: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(BinaryString(255), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.kind}>"

    @property
    def kind_label(self) -> str:
        """Translated name of the unit's level."""
        return UnitKind.label_for(self.kind)

    @property
    def is_cell(self) -> bool:
        """True for a Party cell (chi bộ)."""
        return self.kind == UnitKind.CELL

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, read from the path."""
        return path_ids(self.path)

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or lies in its subtree."""
        return self.path.startswith(other.path)

    @classmethod
    def create(cls, code: str, name: str, kind: UnitKind | str, parent: Unit | None) -> Unit:
        """Add a unit under `parent` and compute its path (needs one flush to learn the id)."""
        unit = cls(code=clean(code).upper(), name=clean(name), kind=str(kind), parent=parent)
        unit.name_search = fold(unit.name)
        db.session.add(unit)
        db.session.flush()
        unit.path = child_path(parent.path if parent else None, unit.id)
        unit.depth = parent.depth + 1 if parent else 0
        return unit

    def move_under(self, new_parent: Unit) -> None:
        """Re-parent this unit and rewrite the paths of its whole subtree in one statement."""
        if new_parent.is_within(self):
            raise ValueError("a unit cannot be moved under its own subtree")
        old_prefix, new_prefix = self.path, child_path(new_parent.path, self.id)
        depth_shift = new_parent.depth + 1 - self.depth
        db.session.execute(
            update(Unit)
            .where(subtree_clause(Unit.path, old_prefix))
            .values(
                path=new_prefix + db.func.substr(Unit.path, len(old_prefix) + 1),
                depth=Unit.depth + depth_shift,
            )
            .execution_options(synchronize_session=False)
        )
        self.parent = new_parent
        db.session.flush()
        db.session.expire_all()


def cells_under(unit: Unit):
    """Select statement for the ids of all cells in `unit`'s subtree (the unit itself included)."""
    return select(Unit.id).where(subtree_clause(Unit.path, unit.path), Unit.kind == UnitKind.CELL)
