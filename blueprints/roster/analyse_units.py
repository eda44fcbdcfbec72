"""Check a units file against the database (read-only) and say what importing it would do.

Steps: check each row's columns and find codes repeated in the file; resolve every parent
against the file and the database (level, scope, cycles); reject the units under a rejected
one; order parents before children; compare with the stored units. The result is a `Plan`.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from blueprints.roster.columns import (
    KIND_WORDS,
    LEVEL,
    code_format_reasons,
    unit_kind_reasons,
)
from blueprints.roster.importer import CHANGES_SHOWN, Plan, Progress, reject
from blueprints.roster.reading import Sheet, as_text
from blueprints.roster.reasons import name_reasons
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.text import clean, fold


def _code_dup_reasons(sheet: Sheet, code: str, number: int, codes: Counter, first: dict) -> list:
    """A code used twice in the file: each copy names another row that has it."""
    if codes[code] <= 1:
        return []
    if code in first:
        return [("code_dup_file", {"value": code, "other_row": first[code]})]
    first[code] = number
    other = next(n for n, r in sheet.rows if as_text(r.get("code")).upper() == code and n != number)
    return [("code_dup_file", {"value": code, "other_row": other})]


def _province_reasons(code: str, parent: str, kind_raw: str, root: Unit | None, scope) -> list:
    """A province has no parent, is the only root, and only a whole-tree importer sets it."""
    if parent:
        return [("parent_level", {"parent": parent, "kind": kind_raw})]
    if root is not None and root.code != code:
        return [("root_exists", {})]
    if scope.parent_id is not None:
        return [("unit_out_of_scope", {"value": code})]
    return []


def _row_entry(plan: Plan, sheet: Sheet, number: int, raw: dict, context) -> dict:
    """Check one row's own columns; the entry is marked rejected when any is refused."""
    existing, root, scope, codes, first = context
    code = as_text(raw.get("code")).upper()
    name = clean(as_text(raw.get("name")))
    parent = as_text(raw.get("parent")).upper()
    kind_raw = as_text(raw.get("kind"))
    kind = KIND_WORDS.get(fold(kind_raw).replace("đ", "d"))
    reasons = code_format_reasons(code)
    if not reasons:
        reasons.extend(_code_dup_reasons(sheet, code, number, codes, first))
    reasons.extend(name_reasons(name, "unit_name") if name else [("unit_name_missing", {})])
    reasons.extend(unit_kind_reasons(kind, kind_raw, parent))
    if kind == UnitKind.PROVINCE:
        reasons.extend(_province_reasons(code, parent, kind_raw, root, scope))
    old = existing.get(code)
    if old is not None and not old.path.startswith(scope.path):
        reasons.append(("unit_out_of_scope", {"value": code}))
    entry = {"row": number, "code": code, "name": name, "parent": parent, "kind": kind}
    if reasons:
        reject(plan, number, reasons, {"code": code, "name": name})
        entry["rejected"] = True
    return entry


def _makes_cycle(code: str, parent: str, parsed: dict, existing: dict) -> bool:
    """Walk up through the file and the database: meeting ourselves means a cycle."""
    seen, cursor = {code}, parent
    while cursor:
        if cursor in seen:
            return True
        seen.add(cursor)
        if cursor in parsed:
            cursor = parsed[cursor]["parent"]
            continue
        if cursor not in existing:
            return False
        up = existing[cursor].parent
        cursor = up.code if up is not None else ""
        if cursor not in parsed:
            return False
    return False


def _parent_reasons(code: str, entry: dict, parsed: dict, existing: dict, scope: Unit) -> list:
    """The parent exists (in the file or the database), in scope, one level up, no cycle."""
    reasons = []
    parent = entry["parent"]
    parent_kind = None
    if parent in parsed:
        if parsed[parent].get("rejected"):
            reasons.append(("parent_rejected", {"value": parent}))
        parent_kind = parsed[parent]["kind"] or ""
    elif parent in existing:
        parent_kind = existing[parent].kind
        if not existing[parent].path.startswith(scope.path):
            reasons.append(("unit_out_of_scope", {"value": parent}))
    else:
        reasons.append(("parent_unknown", {"value": parent}))
    if parent_kind and entry["kind"]:
        upper, lower = UnitKind(parent_kind), UnitKind(entry["kind"])
        if upper == UnitKind.CELL or LEVEL[upper] > LEVEL[lower] or lower == UnitKind.PROVINCE:
            reasons.append(("parent_level", {"parent": parent, "kind": entry["kind"]}))
    if not reasons and _makes_cycle(code, parent, parsed, existing):
        reasons.append(("parent_cycle", {}))
    return reasons


def _check_parents(plan: Plan, parsed: dict, existing: dict, scope: Unit) -> None:
    """Resolve parents level by level; a unit under a rejected one is rejected too."""
    for code, entry in parsed.items():
        if entry.get("rejected") or entry["kind"] == UnitKind.PROVINCE:
            continue
        reasons = _parent_reasons(code, entry, parsed, existing, scope)
        if reasons:
            reject(plan, entry["row"], reasons, {"code": code, "name": entry["name"]})
            entry["rejected"] = True
    # Repeat until nothing changes: rejection runs down the file's tree.
    changed = True
    while changed:
        changed = False
        for entry in parsed.values():
            parent = entry["parent"]
            if not entry.get("rejected") and parent in parsed and parsed[parent].get("rejected"):
                entry["rejected"] = True
                reject(plan, entry["row"], [("parent_rejected", {"value": parent})], entry)
                changed = True


def _parents_first(parsed: dict) -> list[dict]:
    """The accepted entries, each after its parent when the parent is in the file."""
    ordered: list[dict] = []
    placed: set[str] = set()
    pending = [e for e in parsed.values() if not e.get("rejected")]
    while pending:
        rest = []
        for entry in pending:
            if not entry["parent"] or entry["parent"] not in parsed or entry["parent"] in placed:
                ordered.append(entry)
                placed.add(entry["code"])
            else:
                rest.append(entry)
        if len(rest) == len(pending):
            break
        pending = rest
    return ordered


def _compare(plan: Plan, ordered: list[dict], existing: dict) -> None:
    """Sort the ordered entries into new, changed (with what) and unchanged units."""
    for entry in ordered:
        old = existing.get(entry["code"])
        if old is None:
            plan.inserts.append(entry)
            continue
        before = {
            "unit_name": old.name,
            "kind": old.kind,
            "parent": old.parent.code if old.parent else "",
        }
        after = {"unit_name": entry["name"], "kind": entry["kind"], "parent": entry["parent"]}
        fields = [[f, before[f], after[f]] for f in before if before[f] != after[f]]
        if not fields:
            plan.unchanged += 1
            continue
        plan.updates.append({**entry, "id": old.id})
        if len(plan.changes) < CHANGES_SHOWN:
            plan.changes.append(
                {"row": entry["row"], "card": entry["code"], "name": old.name, "fields": fields}
            )


def analyse_units(sheet: Sheet, scope: Unit, progress: Progress | None = None) -> Plan:
    """Check a units file: codes, names, kinds, parents in scope, no cycles (read-only)."""
    plan = Plan(kind="units")
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    root = next((u for u in existing.values() if u.parent_id is None), None)
    codes = Counter(as_text(raw.get("code")).upper() for _n, raw in sheet.rows)
    context = (existing, root, scope, codes, {})
    parsed: dict[str, dict] = {}
    for number, raw in sheet.rows:
        entry = _row_entry(plan, sheet, number, raw, context)
        parsed.setdefault(entry["code"], entry)
    _check_parents(plan, parsed, existing, scope)
    ordered = _parents_first(parsed)
    _compare(plan, ordered, existing)
    plan.unit_rows = ordered
    plan.rejected.sort(key=lambda r: r["row"])
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    return plan
