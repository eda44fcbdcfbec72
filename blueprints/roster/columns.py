"""Checks of one row's columns in a roster file: each returns the reasons a value is refused.

The analysers (`analyse_members`, `analyse_units`) run these per row and collect the reasons in
the order the preview lists them; nothing here reads the database.
"""

from __future__ import annotations

import re
from datetime import date

from blueprints.members.models import MemberStatus
from blueprints.roster.reading import Sheet, as_text, parse_date
from blueprints.roster.reasons import name_reasons
from blueprints.units.models import UnitKind
from core.i18n import fmt_date
from core.text import fold, normalise_phone

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
KIND_WORDS = {
    "tinh": UnitKind.PROVINCE,
    "tinh uy": UnitKind.PROVINCE,
    "xa": UnitKind.COMMUNE,
    "phuong": UnitKind.COMMUNE,
    "dac khu": UnitKind.COMMUNE,
    "dang bo xa": UnitKind.COMMUNE,
    "dang bo phuong": UnitKind.COMMUNE,
    "dang bo dac khu": UnitKind.COMMUNE,
    "dang uy xa": UnitKind.COMMUNE,
    "dang uy phuong": UnitKind.COMMUNE,
    "dang uy dac khu": UnitKind.COMMUNE,
    "cap xa": UnitKind.COMMUNE,
    "truc thuoc": UnitKind.DIRECT,
    "truc thuoc tinh": UnitKind.DIRECT,
    "truc thuoc tinh uy": UnitKind.DIRECT,
    "dang bo truc thuoc": UnitKind.DIRECT,
    "dang bo truc thuoc tinh uy": UnitKind.DIRECT,
    # Old rosters (before 1/7/2025) still import: districts and blocs.
    "huyen": UnitKind.COMMITTEE,
    "huyen uy": UnitKind.COMMITTEE,
    "thi uy": UnitKind.COMMITTEE,
    "thanh uy": UnitKind.COMMITTEE,
    "dang uy khoi": UnitKind.COMMITTEE,
    "khoi": UnitKind.COMMITTEE,
    "cap huyen": UnitKind.COMMITTEE,
    "co so": UnitKind.GRASSROOTS,
    "dang bo bo phan": UnitKind.GRASSROOTS,
    "dang bo co so": UnitKind.GRASSROOTS,
    "dang uy co so": UnitKind.GRASSROOTS,
    "chi bo": UnitKind.CELL,
    "chi bo co so": UnitKind.CELL,
}
# A parent is never of a lower level than its child; equal levels are allowed below the province
# (a huyện ủy above a commune committee in an old roster, a đảng bộ bộ phận inside a đảng bộ cơ
# sở), so the tree takes any depth. Only a cell holds no units.
LEVEL = {
    UnitKind.PROVINCE: 0,
    UnitKind.COMMUNE: 1,
    UnitKind.DIRECT: 1,
    UnitKind.COMMITTEE: 1,
    UnitKind.GRASSROOTS: 2,
    UnitKind.CELL: 3,
}
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")


def formula_reasons(sheet: Sheet, number: int) -> list:
    """Cells of row `number` whose formula has no stored value."""
    return [
        ("formula_empty", {"column": column})
        for row_no, column in sheet.uncomputed
        if row_no == number
    ]


def name_checks(name: str) -> list:
    """A member's name: present, not too long, made of plausible letters."""
    if not name:
        return [("name_missing", {})]
    if len(name) > 120:
        return [("name_long", {})]
    return name_reasons(name, "name")


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_dates(values: dict, raw: dict, reasons: list) -> None:
    """Parse the three dates into `values`; refuse bad, future or impossible ones."""
    today = date.today()
    for name in ("birth_date", "joined_on", "official_on"):
        try:
            values[name] = parse_date(raw.get(name))
        except (ValueError, OverflowError):
            values[name] = None
            reasons.append(("date_bad", {"column": name, "value": as_text(raw.get(name))}))
            continue
        if values[name] and values[name] > today:
            reasons.append(("date_future", {"column": name, "value": fmt_date(values[name])}))
    birth, joined, official = values["birth_date"], values["joined_on"], values["official_on"]
    if birth and joined:
        if birth > joined:
            reasons.append(
                ("born_after_joining", {"birth": fmt_date(birth), "joined": fmt_date(joined)})
            )
        elif _age_on(birth, joined) < 18:
            reasons.append(
                ("joined_too_young", {"birth": fmt_date(birth), "joined": fmt_date(joined)})
            )
    if joined and official and official < joined:
        reasons.append(
            (
                "official_before_joining",
                {"official": fmt_date(official), "joined": fmt_date(joined)},
            )
        )


def check_choices(values: dict, raw: dict, reasons: list) -> MemberStatus | None:
    """Gender and phone into `values`, and the status word; refuse values we cannot read."""
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
    return status


def code_format_reasons(code: str) -> list:
    """A unit code: present and made of capitals, digits and . _ - (at most 32)."""
    if not code:
        return [("code_missing", {})]
    if not _CODE_RE.match(code):
        return [("code_invalid", {"value": code})]
    return []


def unit_kind_reasons(kind, kind_raw: str, parent: str) -> list:
    """A unit's kind is known and every unit below a province names its parent.

    A province's own rules (no parent, only one root, in scope) need the database: see
    `analyse_units`.
    """
    if kind is None:
        return [("kind_bad", {"value": kind_raw})]
    if kind != UnitKind.PROVINCE and not parent:
        return [("parent_missing", {})]
    return []
