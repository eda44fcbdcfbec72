"""Check a members file against the database (read-only) and say what importing it would do.

Three steps per file: load what the database knows (units in scope, members by card number),
find card numbers repeated in the file, then check each row's columns (`columns.py`) and compare
the accepted rows with the stored members. The result is a `Plan` for `importer.apply_plan`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from blueprints.roster.columns import (
    check_choices,
    check_dates,
    formula_reasons,
    name_checks,
)
from blueprints.roster.importer import (
    CHANGES_SHOWN,
    MEMBER_FIELDS,
    PROGRESS_EVERY,
    Plan,
    Progress,
    reject,
)
from blueprints.roster.reading import Sheet, as_text
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.i18n import fmt_date
from core.text import clean, fold, normalise_card_number

# An empty cell in these columns keeps what the roster already has.
_KEPT_WHEN_EMPTY = ("birth_date", "joined_on", "official_on", "gender", "phone")


@dataclass
class _Known:
    """What the database knows that a members file is checked against."""

    scope_path: str
    units: dict  # code -> (id, kind, path, name)
    unit_names: dict[int, str]
    scope_cells: set[int]
    existing: dict  # card number -> member row

    @classmethod
    def load(cls, scope: Unit) -> _Known:
        """Read the units and the members' comparable columns once per file."""
        units = {
            code: (uid, kind, path, name)
            for uid, code, kind, path, name in db.session.execute(
                select(Unit.id, Unit.code, Unit.kind, Unit.path, Unit.name)
            )
        }
        existing = {
            row.card_number: row
            for row in db.session.execute(
                select(
                    Member.id,
                    Member.card_number,
                    Member.full_name,
                    *(getattr(Member, f) for f in MEMBER_FIELDS if f != "full_name"),
                )
            )
        }
        return cls(
            scope_path=scope.path,
            units=units,
            unit_names={uid: name for uid, _k, _p, name in units.values()},
            scope_cells={
                uid
                for uid, kind, path, _n in units.values()
                if kind == UnitKind.CELL and path.startswith(scope.path)
            },
            existing=existing,
        )


def _card_duplicates(sheet: Sheet) -> tuple[Counter, dict[str, list[tuple[int, str]]]]:
    """How often each card number occurs in the file, and the rows of the repeated ones."""
    cards: Counter = Counter()
    for _number, raw in sheet.rows:
        card = normalise_card_number(as_text(raw.get("card")))
        if card:
            cards[card] += 1
    rows_by_card: dict[str, list[tuple[int, str]]] = {}
    for number, raw in sheet.rows:
        card = normalise_card_number(as_text(raw.get("card")))
        if card and cards[card] > 1:
            rows_by_card.setdefault(card, []).append((number, as_text(raw.get("name"))))
    return cards, rows_by_card


def _card_reasons(raw_card: str, card: str, number: int, duplicates) -> list:
    """A card number: present, 6 to 20 characters, once in the file."""
    cards, rows_by_card = duplicates
    if not raw_card:
        return [("card_missing", {})]
    if not 6 <= len(card) <= 20:
        return [("card_invalid", {"value": raw_card})]
    if cards[card] <= 1:
        return []
    return [
        ("card_dup_file", {"card": card, "other_row": other_row, "other": other_name})
        for other_row, other_name in rows_by_card[card]
        if other_row != number
    ]


def _check_cell(code: str, known: _Known, reasons: list) -> int | None:
    """The id of the row's cell if it is a known cell in scope, else None (with a reason)."""
    if not code:
        reasons.append(("cell_missing", {}))
        return None
    if code not in known.units:
        reasons.append(("cell_unknown", {"value": code}))
        return None
    uid, kind, unit_path, unit_name = known.units[code]
    if not unit_path.startswith(known.scope_path):
        reasons.append(("cell_out_of_scope", {"value": code}))
    elif kind != UnitKind.CELL:
        reasons.append(("cell_not_cell", {"value": code, "name": unit_name}))
    elif uid not in known.scope_cells:
        reasons.append(("cell_out_of_scope", {"value": code}))
    else:
        return uid
    return None


def _stored_card_reasons(old, card: str, name: str, values: dict, known: _Known) -> list:
    """A card number already in the roster must be in scope and look like the same person."""
    if old.cell_id not in known.scope_cells:
        # Say only that the number is taken outside the importer's units: the owner's
        # name and cell are none of their business (the roster is sensitive data).
        return [("card_out_of_scope", {"card": card})]
    if (
        fold(old.full_name) != fold(name)
        and old.birth_date
        and values["birth_date"]
        and old.birth_date != values["birth_date"]
    ):
        # Same card, another name and another birth date: another person.
        other = {
            "card": card,
            "other": old.full_name,
            "unit": known.unit_names.get(old.cell_id, ""),
        }
        return [("card_dup_db", other)]
    return []


def _shown(column: str, value, unit_names: dict) -> str:
    """A stored value as the preview shows it (dates dd/mm/yyyy, cell names, codes)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return fmt_date(value)
    if column == "cell_id":
        return unit_names.get(value, str(value))
    return str(value)


def _compare(plan: Plan, old, card: str, number: int, values: dict, unit_names: dict) -> None:
    """Count an accepted row of a stored member as changed (with what) or unchanged."""
    changes = {}
    for f in MEMBER_FIELDS:
        new = values[f]
        if f in _KEPT_WHEN_EMPTY and new is None:
            continue
        if getattr(old, f) != new:
            changes[f] = new
    if not changes:
        plan.unchanged += 1
        return
    plan.updates.append({"id": old.id, "card": card, **changes})
    if len(plan.changes) < CHANGES_SHOWN:
        plan.changes.append(
            {
                "row": number,
                "card": card,
                "name": old.full_name,
                "fields": [
                    [f, _shown(f, getattr(old, f), unit_names), _shown(f, v, unit_names)]
                    for f, v in changes.items()
                ],
            }
        )


@dataclass
class _Seen:
    """What the rows checked so far have shown: the cells and card numbers in the file."""

    cells: set[int]
    cards: set[str]


def _check_row(plan: Plan, sheet: Sheet, number: int, raw: dict, known: _Known, dups, seen):
    """Check one row and add it to the plan as rejected, new, changed or unchanged."""
    reasons = formula_reasons(sheet, number)
    raw_card = as_text(raw.get("card"))
    card = normalise_card_number(raw_card)
    name = clean(as_text(raw.get("name")))
    if card:
        seen.cards.add(card)
    reasons.extend(_card_reasons(raw_card, card, number, dups))
    reasons.extend(name_checks(name))
    cell_id = _check_cell(as_text(raw.get("cell")).upper(), known, reasons)
    if cell_id is not None:
        seen.cells.add(cell_id)
    values: dict = {"full_name": name, "cell_id": cell_id}
    check_dates(values, raw, reasons)
    status = check_choices(values, raw, reasons)
    old = known.existing.get(card) if card else None
    if old is not None and not reasons:
        reasons.extend(_stored_card_reasons(old, card, name, values, known))
    if reasons:
        reject(plan, number, reasons, {"card": card or raw_card, "name": name})
        return
    values["status"] = str(status or (old.status if old else MemberStatus.OFFICIAL))
    if old is None:
        plan.inserts.append({"card_number": card, **values})
    else:
        _compare(plan, old, card, number, values, known.unit_names)


def _missing(seen: _Seen, unit_names: dict) -> list[dict]:
    """Current members of the file's cells whose card number the file does not have."""
    if not seen.cells:
        return []
    rows = db.session.execute(
        select(Member.id, Member.card_number, Member.full_name, Member.cell_id)
        .where(Member.cell_id.in_(seen.cells), Member.status.not_in(DEPARTED_STATUSES))
        .order_by(Member.cell_id, Member.name_sort)
    )
    return [
        {"id": r.id, "card": r.card_number, "name": r.full_name, "cell": unit_names[r.cell_id]}
        for r in rows
        if r.card_number not in seen.cards
    ]


def analyse_members(sheet: Sheet, scope: Unit, progress: Progress | None = None) -> Plan:
    """Check every row of a members file against the database (read-only)."""
    plan = Plan(kind="members")
    total = len(sheet.rows)
    known = _Known.load(scope)
    dups = _card_duplicates(sheet)
    seen = _Seen(cells=set(), cards=set())
    for index, (number, raw) in enumerate(sheet.rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, total)
        _check_row(plan, sheet, number, raw, known, dups, seen)
    plan.rejected.sort(key=lambda r: r["row"])
    plan.missing = _missing(seen, known.unit_names)
    if progress:
        progress(total, total)
    return plan
