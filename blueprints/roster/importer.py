"""Check a roster file against the database, preview the result, and apply it in one go.

`analyse_members` / `analyse_units` never write: they return a Plan (what is new, changed,
unchanged, rejected, and which members of the file's cells are missing from it). `apply_plan`
writes a plan with bulk statements inside the caller's transaction, so a commit applies all of
it or nothing. Re-importing the same file finds everything unchanged (upsert by card number).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update

from blueprints.auth import services as auth_services
from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from blueprints.roster.reading import Sheet, as_text, parse_date
from blueprints.roster.reasons import name_reasons
from blueprints.units.models import Unit, UnitKind, subtree_clause
from core.extensions import db
from core.models import utcnow
from core.text import clean, fold, name_sort_key, normalise_card_number, normalise_phone

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
_STATUS_WORDS = {
    "chinh thuc": MemberStatus.OFFICIAL,
    "dang vien chinh thuc": MemberStatus.OFFICIAL,
    "du bi": MemberStatus.PROBATIONARY,
    "dang vien du bi": MemberStatus.PROBATIONARY,
    "mien sinh hoat": MemberStatus.EXEMPT,
    "mien": MemberStatus.EXEMPT,
    "chuyen di": MemberStatus.TRANSFERRED,
    "da chuyen di": MemberStatus.TRANSFERRED,
    "official": MemberStatus.OFFICIAL,
    "probationary": MemberStatus.PROBATIONARY,
    "exempt": MemberStatus.EXEMPT,
    "transferred": MemberStatus.TRANSFERRED,
    "ra khoi dang": MemberStatus.LEFT,
    "da ra khoi dang": MemberStatus.LEFT,
    "left": MemberStatus.LEFT,
    "tu tran": MemberStatus.DECEASED,
    "da tu tran": MemberStatus.DECEASED,
    "deceased": MemberStatus.DECEASED,
}
_GENDER_WORDS = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}
_KIND_WORDS = {
    "tinh": UnitKind.PROVINCE,
    "tinh uy": UnitKind.PROVINCE,
    "huyen": UnitKind.COMMITTEE,
    "huyen uy": UnitKind.COMMITTEE,
    "thi uy": UnitKind.COMMITTEE,
    "thanh uy": UnitKind.COMMITTEE,
    "dang uy khoi": UnitKind.COMMITTEE,
    "khoi": UnitKind.COMMITTEE,
    "cap huyen": UnitKind.COMMITTEE,
    "co so": UnitKind.GRASSROOTS,
    "dang bo co so": UnitKind.GRASSROOTS,
    "dang uy co so": UnitKind.GRASSROOTS,
    "chi bo": UnitKind.CELL,
    "chi bo co so": UnitKind.CELL,
}
_LEVEL = {UnitKind.PROVINCE: 0, UnitKind.COMMITTEE: 1, UnitKind.GRASSROOTS: 2, UnitKind.CELL: 3}
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
PROGRESS_EVERY = 2000
CHANGES_SHOWN = 200


def _shown(column: str, value, unit_names: dict) -> str:
    """A stored value as the preview shows it (dates dd/mm/yyyy, cell names, codes)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return _fmt(value)
    if column == "cell_id":
        return unit_names.get(value, str(value))
    return str(value)


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


def _reject(plan: Plan, row: int, reasons: list, record: dict) -> None:
    plan.rejected.append(
        {
            "row": row,
            "reasons": reasons,
            "card": record.get("card") or record.get("code") or "",
            "name": record.get("name") or "",
        }
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_dates(values: dict, raw: dict, reasons: list) -> None:
    today = date.today()
    for name in ("birth_date", "joined_on", "official_on"):
        try:
            values[name] = parse_date(raw.get(name))
        except (ValueError, OverflowError):
            values[name] = None
            reasons.append(("date_bad", {"column": name, "value": as_text(raw.get(name))}))
            continue
        if values[name] and values[name] > today:
            reasons.append(("date_future", {"column": name, "value": _fmt(values[name])}))
    birth, joined, official = values["birth_date"], values["joined_on"], values["official_on"]
    if birth and joined:
        if birth > joined:
            reasons.append(("born_after_joining", {"birth": _fmt(birth), "joined": _fmt(joined)}))
        elif _age_on(birth, joined) < 18:
            reasons.append(("joined_too_young", {"birth": _fmt(birth), "joined": _fmt(joined)}))
    if joined and official and official < joined:
        reasons.append(
            ("official_before_joining", {"official": _fmt(official), "joined": _fmt(joined)})
        )


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def analyse_members(sheet: Sheet, scope: Unit, progress: Progress | None = None) -> Plan:
    """Check every row of a members file against the database (read-only)."""
    plan = Plan(kind="members")
    total = len(sheet.rows)
    units = {
        code: (uid, kind, path, name)
        for uid, code, kind, path, name in db.session.execute(
            select(Unit.id, Unit.code, Unit.kind, Unit.path, Unit.name)
        )
    }
    unit_names = {uid: name for uid, _k, _p, name in units.values()}
    scope_cells = {
        uid
        for uid, kind, path, _n in units.values()
        if kind == UnitKind.CELL and path.startswith(scope.path)
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
    cards = Counter()
    first_row: dict[str, tuple[int, str]] = {}
    for number, raw in sheet.rows:
        card = normalise_card_number(as_text(raw.get("card")))
        if card:
            cards[card] += 1
            first_row.setdefault(card, (number, as_text(raw.get("name"))))
    rows_by_card: dict[str, list[tuple[int, str]]] = {}
    for number, raw in sheet.rows:
        card = normalise_card_number(as_text(raw.get("card")))
        if card and cards[card] > 1:
            rows_by_card.setdefault(card, []).append((number, as_text(raw.get("name"))))

    file_cells: set[int] = set()
    seen_cards: set[str] = set()
    for index, (number, raw) in enumerate(sheet.rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, total)
        reasons: list = []
        for row_no, column in sheet.uncomputed:
            if row_no == number:
                reasons.append(("formula_empty", {"column": column}))
        raw_card = as_text(raw.get("card"))
        card = normalise_card_number(raw_card)
        name = clean(as_text(raw.get("name")))
        record = {"card": card or raw_card, "name": name}
        if card:
            seen_cards.add(card)
        if not raw_card:
            reasons.append(("card_missing", {}))
        elif not 6 <= len(card) <= 20:
            reasons.append(("card_invalid", {"value": raw_card}))
        elif cards[card] > 1:
            for other_row, other_name in rows_by_card[card]:
                if other_row != number:
                    reasons.append(
                        (
                            "card_dup_file",
                            {"card": card, "other_row": other_row, "other": other_name},
                        )
                    )
        if not name:
            reasons.append(("name_missing", {}))
        elif len(name) > 120:
            reasons.append(("name_long", {}))
        else:
            reasons.extend(name_reasons(name, "name"))
        code = as_text(raw.get("cell")).upper()
        cell_id = None
        if not code:
            reasons.append(("cell_missing", {}))
        elif code not in units:
            reasons.append(("cell_unknown", {"value": code}))
        else:
            uid, kind, unit_path, unit_name = units[code]
            if not unit_path.startswith(scope.path):
                reasons.append(("cell_out_of_scope", {"value": code}))
            elif kind != UnitKind.CELL:
                reasons.append(("cell_not_cell", {"value": code, "name": unit_name}))
            elif uid not in scope_cells:
                reasons.append(("cell_out_of_scope", {"value": code}))
            else:
                cell_id = uid
                file_cells.add(uid)
        values: dict = {"full_name": name, "cell_id": cell_id}
        _check_dates(values, raw, reasons)
        gender_raw = as_text(raw.get("gender"))
        values["gender"] = _GENDER_WORDS.get(fold(gender_raw)) if gender_raw else None
        if gender_raw and values["gender"] is None:
            reasons.append(("gender_bad", {"value": gender_raw}))
        phone_raw = as_text(raw.get("phone"))
        values["phone"] = normalise_phone(phone_raw) if phone_raw else None
        if phone_raw and values["phone"] is None:
            reasons.append(("phone_bad", {"value": phone_raw}))
        status_raw = as_text(raw.get("status"))
        status = _STATUS_WORDS.get(fold(status_raw)) if status_raw else None
        if status_raw and status is None:
            reasons.append(("status_bad", {"value": status_raw}))
        old = existing.get(card) if card else None
        if old is not None and not reasons:
            if old.cell_id not in scope_cells:
                # Say only that the number is taken outside the importer's units: the owner's
                # name and cell are none of their business (the roster is sensitive data).
                reasons.append(("card_out_of_scope", {"card": card}))
            elif (
                fold(old.full_name) != fold(name)
                and old.birth_date
                and values["birth_date"]
                and old.birth_date != values["birth_date"]
            ):
                # Same card, another name and another birth date: another person.
                reasons.append(
                    (
                        "card_dup_db",
                        {
                            "card": card,
                            "other": old.full_name,
                            "unit": unit_names.get(old.cell_id, ""),
                        },
                    )
                )
        if reasons:
            _reject(plan, number, reasons, record)
            continue
        values["status"] = str(status or (old.status if old else MemberStatus.OFFICIAL))
        if old is None:
            plan.inserts.append({"card_number": card, **values})
            continue
        changes = {}
        for f in MEMBER_FIELDS:
            new = values[f]
            if f in ("birth_date", "joined_on", "official_on", "gender", "phone") and new is None:
                continue  # an empty cell keeps what the roster already has
            if getattr(old, f) != new:
                changes[f] = new
        if changes:
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
        else:
            plan.unchanged += 1
    plan.rejected.sort(key=lambda r: r["row"])
    if file_cells:
        rows = db.session.execute(
            select(Member.id, Member.card_number, Member.full_name, Member.cell_id)
            .where(
                Member.cell_id.in_(file_cells),
                Member.status.not_in(DEPARTED_STATUSES),
            )
            .order_by(Member.cell_id, Member.name_sort)
        )
        plan.missing = [
            {"id": r.id, "card": r.card_number, "name": r.full_name, "cell": unit_names[r.cell_id]}
            for r in rows
            if r.card_number not in seen_cards
        ]
    if progress:
        progress(total, total)
    return plan


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


def analyse_units(sheet: Sheet, scope: Unit, progress: Progress | None = None) -> Plan:
    """Check a units file: codes, names, kinds, parents in scope, no cycles (read-only)."""
    plan = Plan(kind="units")
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    root = next((u for u in existing.values() if u.parent_id is None), None)
    codes = Counter(as_text(raw.get("code")).upper() for _n, raw in sheet.rows)
    first: dict[str, int] = {}
    parsed: dict[str, dict] = {}
    for number, raw in sheet.rows:
        reasons: list = []
        code = as_text(raw.get("code")).upper()
        name = clean(as_text(raw.get("name")))
        parent = as_text(raw.get("parent")).upper()
        kind_raw = as_text(raw.get("kind"))
        kind = _KIND_WORDS.get(fold(kind_raw).replace("đ", "d"))
        record = {"code": code, "name": name}
        if not code:
            reasons.append(("code_missing", {}))
        elif not _CODE_RE.match(code):
            reasons.append(("code_invalid", {"value": code}))
        elif codes[code] > 1:
            if code in first:
                reasons.append(("code_dup_file", {"value": code, "other_row": first[code]}))
            else:
                first[code] = number
                other = next(
                    n
                    for n, r in sheet.rows
                    if as_text(r.get("code")).upper() == code and n != number
                )
                reasons.append(("code_dup_file", {"value": code, "other_row": other}))
        if not name:
            reasons.append(("unit_name_missing", {}))
        else:
            reasons.extend(name_reasons(name, "unit_name"))
        if kind is None:
            reasons.append(("kind_bad", {"value": kind_raw}))
        if kind == UnitKind.PROVINCE:
            if parent:
                reasons.append(("parent_level", {"parent": parent, "kind": kind_raw}))
            elif root is not None and root.code != code:
                reasons.append(("root_exists", {}))
            elif scope.parent_id is not None:
                reasons.append(("unit_out_of_scope", {"value": code}))
        elif kind is not None and not parent:
            reasons.append(("parent_missing", {}))
        old = existing.get(code)
        if old is not None and not old.path.startswith(scope.path):
            reasons.append(("unit_out_of_scope", {"value": code}))
        entry = {"row": number, "code": code, "name": name, "parent": parent, "kind": kind}
        if reasons:
            _reject(plan, number, reasons, record)
            entry["rejected"] = True
        parsed.setdefault(code, entry)
    # Parents: resolve against the file and the database, level by level, with cycle checks.
    kinds = {c: (e["kind"] or "") for c, e in parsed.items()}
    for code, entry in parsed.items():
        if entry.get("rejected") or entry["kind"] == UnitKind.PROVINCE:
            continue
        reasons = []
        parent = entry["parent"]
        parent_kind = None
        if parent in parsed:
            if parsed[parent].get("rejected"):
                reasons.append(("parent_rejected", {"value": parent}))
            parent_kind = kinds[parent]
        elif parent in existing:
            parent_kind = existing[parent].kind
            if not existing[parent].path.startswith(scope.path):
                reasons.append(("unit_out_of_scope", {"value": parent}))
        else:
            reasons.append(("parent_unknown", {"value": parent}))
        if parent_kind and entry["kind"]:
            if _LEVEL[UnitKind(parent_kind)] >= _LEVEL[UnitKind(entry["kind"])]:
                reasons.append(("parent_level", {"parent": parent, "kind": entry["kind"]}))
        # Walk up through the file and the database: meeting ourselves means a cycle.
        seen, cursor = {code}, parent
        while cursor and not reasons:
            if cursor in seen:
                reasons.append(("parent_cycle", {}))
                break
            seen.add(cursor)
            if cursor in parsed:
                cursor = parsed[cursor]["parent"]
            elif cursor in existing:
                up = existing[cursor].parent
                cursor = up.code if up is not None else ""
                if cursor in parsed:
                    continue
                break
            else:
                break
        if reasons:
            _reject(plan, entry["row"], reasons, {"code": code, "name": entry["name"]})
            entry["rejected"] = True
    # A unit under a rejected one is rejected too (repeat until nothing changes).
    changed = True
    while changed:
        changed = False
        for entry in parsed.values():
            parent = entry["parent"]
            if not entry.get("rejected") and parent in parsed and parsed[parent].get("rejected"):
                entry["rejected"] = True
                _reject(plan, entry["row"], [("parent_rejected", {"value": parent})], entry)
                changed = True
    # Order: parents before children.
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
    plan.unit_rows = ordered
    plan.rejected.sort(key=lambda r: r["row"])
    if progress:
        progress(len(sheet.rows), len(sheet.rows))
    return plan


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


def scope_subtree_units(scope: Unit):
    """Select the units in `scope`'s subtree (for pickers)."""
    return select(Unit).where(subtree_clause(Unit.path, scope.path)).order_by(Unit.path)
