"""The unit tree: materialised paths, subtree queries, moving a branch."""

from sqlalchemy import select

from blueprints.units.models import Unit, UnitKind, cells_under, subtree_clause
from core.extensions import db


def _codes(stmt):
    return sorted(db.session.scalars(stmt))


def test_paths_and_subtree(ctx, world):
    d1 = db.session.get(Unit, world.units["D1"])
    assert d1.path == f"/{world.units['P']}/{d1.id}/"
    codes = _codes(select(Unit.code).where(subtree_clause(Unit.path, d1.path)))
    assert codes == ["A", "B", "D1", "G1"]
    cell_ids = set(db.session.scalars(cells_under(d1)))
    assert cell_ids == {world.units["A"], world.units["B"]}


def test_subtree_does_not_leak_to_siblings_with_longer_ids(ctx):
    root = Unit.create("R", "Gốc", UnitKind.PROVINCE, None)
    # Force ids 5 and 50 side by side: "/…/5/" must not match "/…/50/".
    five = Unit(id=5, code="X5", name="Năm", kind="committee", parent=root)
    fifty = Unit(id=50, code="X50", name="Năm mươi", kind="committee", parent=root)
    db.session.add_all([five, fifty])
    db.session.flush()
    five.path, fifty.path = f"{root.path}5/", f"{root.path}50/"
    child = Unit.create("X5C", "Chi bộ con", UnitKind.CELL, five)
    db.session.commit()
    codes = _codes(select(Unit.code).where(subtree_clause(Unit.path, five.path)))
    assert codes == ["X5", "X5C"]
    assert child.is_within(five) and not child.is_within(fifty)


def test_move_under_rewrites_the_branch(ctx, world):
    g1 = db.session.get(Unit, world.units["G1"])
    d2 = db.session.get(Unit, world.units["D2"])
    g1.move_under(d2)
    db.session.commit()
    a = db.session.get(Unit, world.units["A"])
    assert a.path == f"/{world.units['P']}/{world.units['D2']}/{world.units['G1']}/{a.id}/"
    assert a.depth == 3
    codes = _codes(select(Unit.code).where(subtree_clause(Unit.path, d2.path)))
    assert codes == ["A", "B", "C", "D2", "G1"]


def test_cannot_move_under_own_subtree(ctx, world):
    d1 = db.session.get(Unit, world.units["D1"])
    a = db.session.get(Unit, world.units["A"])
    try:
        d1.move_under(a)
    except ValueError:
        pass
    else:
        raise AssertionError("moving a unit under its own cell must fail")
