"""`flask seed-demo`: a demo province with committees, cells, members and one account per role.

Deterministic for a given `--seed`. Does nothing when the database already holds units, so
`make run` can call it every time. `--members 55795` builds the full-size reference province
(about 2.500 cells) with bulk inserts; `bench/seed_full.py` times it.
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


DEMO_CELL = "STINH-01-01"
OTHER_CELL = "STINH-01-02"
DEMO_ACCOUNTS = (
    DemoAccount("Quản trị hệ thống", "quantri", "quan-tri-demo-2026", "admin", PROVINCE_CODE),
    DemoAccount(
        "Cán bộ Ban Tổ chức Tỉnh ủy", "bantochuc", "to-chuc-demo-2026", "staff", PROVINCE_CODE
    ),
    DemoAccount(
        "Cán bộ Ban Tổ chức Huyện ủy Sơn Tịnh",
        "tochuc.sontinh",
        "son-tinh-demo-2026",
        "staff",
        "STINH",
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
    "tochuc.sontinh": "Lê Văn Khánh",
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


def _build_units(rng: random.Random, cell_count: int) -> list[Unit]:
    """Province → 17 committees → grassroots committees → cells; returns the cells in order."""
    province = Unit.create(PROVINCE_CODE, "Tỉnh ủy Quảng Ngãi", UnitKind.PROVINCE, None)
    total_weight = sum(w for _, _, w in names.COMMITTEES)
    cells: list[Unit] = []
    commune_i = 0
    for c_index, (code, name, weight) in enumerate(names.COMMITTEES):
        committee = Unit.create(code, name, UnitKind.COMMITTEE, province)
        remaining = max(3, round(cell_count * weight / total_weight))
        if c_index == len(names.COMMITTEES) - 1:
            remaining = max(3, cell_count - len(cells))
        bloc = code in names.BLOC_CODES
        # One cell directly under the committee (its own office), as in real committees.
        office = Unit.create(f"{code}-VP", f"Chi bộ Văn phòng {name}", UnitKind.CELL, committee)
        cells.append(office)
        remaining -= 1
        g_index = 0
        while remaining > 0:
            g_index += 1
            if bloc:
                g_name = f"Đảng bộ {names.OFFICES[g_index % len(names.OFFICES)]} số {g_index}"
            else:
                commune = names.COMMUNES[commune_i % len(names.COMMUNES)]
                commune_i += 1
                g_name = f"Đảng bộ xã {commune}"
            grassroots = Unit.create(
                f"{code}-{g_index:02d}", g_name, UnitKind.GRASSROOTS, committee
            )
            for k in range(1, min(remaining, rng.randint(4, 10)) + 1):
                if bloc:
                    c_name = f"Chi bộ {names.OFFICES[(g_index + k) % len(names.OFFICES)]} {k}"
                else:
                    c_name = f"Chi bộ thôn {names.HAMLETS[(g_index * 7 + k) % len(names.HAMLETS)]}"
                cells.append(
                    Unit.create(f"{code}-{g_index:02d}-{k:02d}", c_name, UnitKind.CELL, grassroots)
                )
                remaining -= 1
    return cells


def _member_row(rng: random.Random, index: int, cell_id: int, card: str | None = None) -> dict:
    full_name, gender = names.person(rng)
    age = rng.choices(
        [rng.randint(22, 40), rng.randint(41, 60), rng.randint(61, 90)], weights=[35, 40, 25]
    )[0]
    birth = TODAY - timedelta(days=age * 365 + rng.randint(0, 364))
    joined = birth + timedelta(days=rng.randint(19, max(20, age - 1)) * 365)
    if joined > TODAY:
        joined = TODAY - timedelta(days=rng.randint(30, 300))
    if (TODAY - joined).days < 365:
        status, official = MemberStatus.PROBATIONARY, None
    else:
        official = joined + timedelta(days=365)
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
            select(Unit).where(Unit.code.in_([PROVINCE_CODE, "STINH", DEMO_CELL, OTHER_CELL]))
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
    cells = _build_units(rng, max(regular // 22, 3 * len(names.COMMITTEES)))
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
            row["official_on"] = row["official_on"] or row["joined_on"] + timedelta(days=365)
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
