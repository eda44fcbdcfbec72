"""`flask seed-demo`: a demo province with committees, cells, members and one account per role.

The province is organised as it has been since 1/7/2025 (Quy định 294-QĐ/TW: no district level):
Tỉnh ủy → đảng bộ xã / phường / đặc khu and the Party organisations directly under the Tỉnh ủy
→ đảng bộ cơ sở and chi bộ. Deterministic for a given `--seed`. Does nothing when the database
already holds units, so `make run` can call it every time. `--members 55795` builds the 2024
reference province (about 2.500 cells), `--members 92000` the merged Quảng Ngãi of 2025 (96
commune-level units), with bulk inserts; `bench/seed_full.py` times both.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select

from blueprints.auth.models import RoleAssignment, User
from blueprints.demo import names
from blueprints.members.models import Member, MemberStatus
from blueprints.members.services import probation_end
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.text import fold, name_sort_key

TODAY = date(2026, 11, 1)
PROVINCE_CODE = "TU-QNG"
CARD_PREFIX = "52"


@dataclass(frozen=True)
class DemoAccount:
    """One documented demo login (README "Demo accounts")."""

    role_label: str
    login: str
    password: str
    role: str | None = None
    unit_code: str | None = None
    card: str | None = None
    must_change: bool = False


DEMO_COMMUNE = "X-TINHKHE"
DEMO_CELL = "X-TINHKHE-01"
OTHER_CELL = "X-TINHKHE-02"
DEMO_ACCOUNTS = (
    DemoAccount("Quản trị hệ thống", "quantri", "quan-tri-demo-2026", "admin", PROVINCE_CODE),
    DemoAccount(
        "Cán bộ Ban Tổ chức Tỉnh ủy", "bantochuc", "to-chuc-demo-2026", "staff", PROVINCE_CODE
    ),
    DemoAccount(
        "Cán bộ Ban Xây dựng Đảng, Đảng ủy xã Tịnh Khê",
        "xaydung.tinhkhe",
        "tinh-khe-demo-2026",
        "staff",
        DEMO_COMMUNE,
    ),
    DemoAccount("Biên tập viên", "bientap", "bien-tap-demo-2026", "editor", PROVINCE_CODE),
    DemoAccount(
        "Bí thư chi bộ", "52900001", "bi-thu-demo-2026", "secretary", DEMO_CELL, card="52900001"
    ),
    DemoAccount(
        "Phó bí thư chi bộ",
        "52900002",
        "pho-bi-thu-demo-2026",
        "deputy",
        DEMO_CELL,
        card="52900002",
    ),
    DemoAccount("Đảng viên", "52900003", "dang-vien-demo-2026", card="52900003"),
    DemoAccount(
        "Đảng viên đăng nhập lần đầu (phải đổi mật khẩu)",
        "52900004",
        "phieu-lan-dau-2026",
        card="52900004",
        must_change=True,
    ),
    DemoAccount("Đảng viên chi bộ khác", "52900005", "chi-bo-khac-2026", card="52900005"),
)
STAFF_NAMES = {
    "quantri": "Quản trị viên hệ thống",
    "bantochuc": "Phạm Thị Thu Hà",
    "xaydung.tinhkhe": "Lê Văn Khánh",
    "bientap": "Trần Ngọc Mai",
}


def _cell_sizes(rng: random.Random, members: int, count: int) -> list[int]:
    """Sizes of `count` cells (3 to ~50 members each) that add up to `members`."""
    sizes = [members // count] * count
    for i in range(members - sum(sizes)):
        sizes[i % count] += 1
    for _ in range(count * 2):  # jitter while keeping the total
        a, b = rng.randrange(count), rng.randrange(count)
        move = rng.randint(0, 8)
        if a != b and sizes[a] - move >= 3 and sizes[b] + move <= 50:
            sizes[a] -= move
            sizes[b] += move
    return sizes


def _spread(total: int, weights: list[int]) -> list[int]:
    """Split `total` cells over groups in proportion to `weights`, at least one each if possible."""
    parts = [max(1, total * w // sum(weights)) for w in weights]
    i = 0
    while sum(parts) > total and any(p > 1 for p in parts):
        if parts[i % len(parts)] > 1:
            parts[i % len(parts)] -= 1
        i += 1
    for j in range(total - sum(parts)):
        parts[j % len(parts)] += 1
    return parts


def _code(prefix: str, place: str) -> str:
    return prefix + "".join(ch for ch in fold(place).upper() if ch.isalnum())[:20]


def _commune(rng: random.Random, index: int, kind: str, place: str, cells: int, parent: Unit):
    """One đảng bộ xã/phường/đặc khu: cells of hamlets or wards, a đảng bộ cơ sở when large."""
    prefix = {"xã": "X-", "phường": "P-", "đặc khu": "DK-"}[kind]
    code = _code(prefix, place)
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):  # Sơn Hà and Sơn Hạ
        code = f"{code}{index}"
    commune = Unit.create(code, f"Đảng bộ {kind} {place}", UnitKind.COMMUNE, parent)
    out, k = [], 0
    if cells >= 10:  # a larger employer with its own grassroots committee and cells
        grassroots = Unit.create(
            f"{code}-YT", f"Đảng bộ Trung tâm Y tế {place}", UnitKind.GRASSROOTS, commune
        )
        for j, ward in enumerate(("Khoa Nội", "Khoa Ngoại", "Phòng Kế hoạch"), start=1):
            out.append(Unit.create(f"{code}-YT-{j}", f"Chi bộ {ward}", UnitKind.CELL, grassroots))
        cells -= 3
    place_word = "tổ dân phố" if kind == "phường" else "thôn"
    for k in range(1, cells + 1):
        hamlet = names.HAMLETS[(index * 7 + k) % len(names.HAMLETS)]
        name = f"Chi bộ {place_word} {hamlet}" if k <= len(names.HAMLETS) else f"Chi bộ số {k}"
        out.append(Unit.create(f"{code}-{k:02d}", name, UnitKind.CELL, commune))
    return out


def _direct_body(code: str, name: str, cells: int, parent: Unit) -> list[Unit]:
    """A Party organisation directly under the Tỉnh ủy: its grassroots committees and cells."""
    body = Unit.create(code, name, UnitKind.DIRECT, parent)
    agencies = names.AGENCIES[code][: max(1, cells)]
    out = []
    for g_index, (agency, count) in enumerate(
        zip(agencies, _spread(cells, [1] * len(agencies)), strict=True), start=1
    ):
        grassroots = Unit.create(
            f"{code}-{g_index:02d}", f"Đảng bộ {agency}", UnitKind.GRASSROOTS, body
        )
        for k in range(1, count + 1):
            office = names.OFFICES[(g_index + k) % len(names.OFFICES)]
            out.append(
                Unit.create(
                    f"{code}-{g_index:02d}-{k:02d}",
                    f"Chi bộ {office} {k}",
                    UnitKind.CELL,
                    grassroots,
                )
            )
    return out


def _build_units(rng: random.Random, cell_count: int) -> list[Unit]:
    """Tỉnh ủy → communes and bodies directly under it → grassroots → cells; returns the cells.

    About a fifth of the cells are in the bodies directly under the Tỉnh ủy (agencies, armed
    forces, police), the rest in the communes, about twenty cells to a commune (96 at most).
    """
    province = Unit.create(PROVINCE_CODE, "Tỉnh ủy Quảng Ngãi", UnitKind.PROVINCE, None)
    direct_cells = max(len(names.DIRECT_BODIES), cell_count // 5)
    places = names.commune_units()
    communes = places[: min(len(places), max(3, (cell_count - direct_cells) // 20))]
    cells: list[Unit] = []
    sizes = _spread(cell_count - direct_cells, [rng.randint(3, 6) for _ in communes])
    sizes[0] = max(sizes[0], 4)  # the demo commune has the demo cells and more
    for index, ((kind, place), count) in enumerate(zip(communes, sizes, strict=True)):
        cells.extend(_commune(rng, index, kind, place, count, province))
    weights = [w for _, _, w in names.DIRECT_BODIES]
    for (code, name, _), count in zip(
        names.DIRECT_BODIES, _spread(direct_cells, weights), strict=True
    ):
        cells.extend(_direct_body(code, name, count, province))
    return cells


def _member_row(rng: random.Random, index: int, cell_id: int, card: str | None = None) -> dict:
    full_name, gender = names.person(rng)
    age = rng.choices(
        [rng.randint(22, 40), rng.randint(41, 60), rng.randint(61, 90)], weights=[35, 40, 25]
    )[0]
    birth = TODAY - timedelta(days=age * 365 + rng.randint(0, 364))
    # "Ngày vào Đảng": the admission ceremony, from which the twelve months of probation run.
    joined = birth + timedelta(days=rng.randint(19, max(20, age - 1)) * 365)
    if joined > TODAY:
        joined = TODAY - timedelta(days=rng.randint(30, 300))
    official = probation_end(joined)
    if official > TODAY:
        status, official = MemberStatus.PROBATIONARY, None
    else:
        status = MemberStatus.EXEMPT if age >= 75 and rng.random() < 0.5 else MemberStatus.OFFICIAL
    phone = None
    if age < 70 or rng.random() < 0.4:
        phone = f"0{'35789'[index % 5]}{index:08d}"[:10]
    return {
        "card_number": card or f"{CARD_PREFIX}{index:06d}",
        "full_name": full_name,
        "name_search": fold(full_name),
        "name_sort": name_sort_key(full_name),
        "birth_date": birth,
        "gender": gender,
        "phone": phone,
        "cell_id": cell_id,
        "joined_on": joined,
        "official_on": official,
        "status": str(status),
    }


def _demo_accounts() -> None:
    units = {
        u.code: u
        for u in db.session.scalars(
            select(Unit).where(Unit.code.in_([PROVINCE_CODE, DEMO_COMMUNE, DEMO_CELL, OTHER_CELL]))
        )
    }
    for account in DEMO_ACCOUNTS:
        user = User(must_change_password=account.must_change)
        if account.card:
            member = db.session.scalar(select(Member).where(Member.card_number == account.card))
            user.member = member
        else:
            user.username = account.login
            user.display_name = STAFF_NAMES[account.login]
        user.set_password(account.password, must_change=account.must_change)
        db.session.add(user)
        if account.role:
            db.session.add(
                RoleAssignment(user=user, role=account.role, unit=units[account.unit_code])
            )


def _demo_content() -> None:
    from blueprints.demo.content import seed_articles, seed_meetings

    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.kind != "cell"))}
    province = units[PROVINCE_CODE]
    seed_articles(province, units)
    seed_meetings(db.session.scalar(select(Unit).where(Unit.code == DEMO_CELL)))


def seed(members: int, seed_value: int) -> dict:
    """Build the demo province; returns counts for the caller to print."""
    rng = random.Random(seed_value)
    regular = members - len([a for a in DEMO_ACCOUNTS if a.card])
    cells = _build_units(rng, max(regular // 22, 24))
    sizes = _cell_sizes(rng, regular, len(cells))
    rows, index = [], 0
    for cell, size in zip(cells, sizes, strict=True):
        for _ in range(size):
            index += 1
            rows.append(_member_row(rng, index, cell.id))
    by_code = {c.code: c for c in cells}
    for account in DEMO_ACCOUNTS:
        if account.card:
            cell = by_code[OTHER_CELL if account.card == "52900005" else DEMO_CELL]
            row = _member_row(rng, int(account.card[-6:]), cell.id, card=account.card)
            row["status"], row["phone"] = str(MemberStatus.OFFICIAL), f"09129{account.card[-5:]}"
            if row["official_on"] is None:  # a demo account is an official member
                row["joined_on"] = TODAY.replace(year=TODAY.year - 3)
                row["official_on"] = probation_end(row["joined_on"])
            rows.append(row)
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Member), rows[start : start + 5000])
    _demo_accounts()
    db.session.flush()
    _demo_content()
    db.session.commit()
    return {
        "units": db.session.scalar(select(func.count()).select_from(Unit)),
        "cells": len(cells),
        "members": len(rows),
    }


@click.command("seed-demo")
@click.option("--members", default=2000, show_default=True, help="Number of members to create.")
@click.option("--seed", "seed_value", default=2023, show_default=True, help="Random seed.")
@with_appcontext
def seed_demo_command(members: int, seed_value: int) -> None:
    """Fill an empty database with a demo province (skipped when units already exist)."""
    if db.session.scalar(select(func.count()).select_from(Unit)):
        click.echo("Database already has data; demo seeding skipped.")
        return
    started = time.perf_counter()
    counts = seed(members, seed_value)
    click.echo(
        f"Seeded {counts['units']} units ({counts['cells']} cells) and {counts['members']} "
        f"members in {time.perf_counter() - started:.1f} s."
    )
