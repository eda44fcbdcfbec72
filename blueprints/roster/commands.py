"""`flask units import FILE` and `flask members import FILE [--dry-run]` for server operators."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from blueprints.audit.models import record
from blueprints.roster.analyse_members import analyse_members
from blueprints.roster.analyse_units import analyse_units
from blueprints.roster.importer import apply_plan
from blueprints.roster.reading import RosterFileError, read_sheet
from blueprints.roster.reasons import reason_text
from blueprints.units.models import Unit
from core.extensions import db

units_cli = AppGroup("units", help="Đơn vị (units).")
members_cli = AppGroup("members", help="Đảng viên (members).")


def _scope(code: str | None) -> Unit:
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code.upper()))
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã {code}.")
        return unit
    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    if root is None:
        # An empty database: a units file may create the province itself.
        return Unit(code="", name="", kind="province", path="/", depth=0)
    return root


def _run(kind: str, file: str, unit_code: str | None, dry_run: bool) -> None:
    with force_locale("vi"):
        _import(kind, file, unit_code, dry_run)


def _import(kind: str, file: str, unit_code: str | None, dry_run: bool) -> None:
    started = time.perf_counter()
    path = Path(file)
    scope = _scope(unit_code)
    try:
        sheet = read_sheet(path.read_bytes(), path.name, kind)
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from exc
    analyse = analyse_members if kind == "members" else analyse_units
    plan = analyse(sheet, scope)
    if sheet.encoding:
        click.echo(f"Đã chuyển từ bảng mã cũ: {sheet.encoding}")
    for row in plan.rejected:
        reasons = " ".join(reason_text(code, params) for code, params in row["reasons"])
        click.echo(f"Dòng {row['row']}: {row['card']} {row['name']} — {reasons}", err=True)
    c = plan.counts
    click.echo(
        f"Mới: {c['new']}, thay đổi: {c['changed']}, không đổi: {c['unchanged']}, "
        f"bị từ chối: {c['rejected']}"
        + (f", không có trong tệp: {c['missing']}" if kind == "members" else "")
    )
    if dry_run:
        click.echo("Chạy thử (--dry-run): không ghi gì.")
        db.session.rollback()
        return
    try:
        apply_plan(plan)
        record(f"roster.import_{kind}", None, filename=path.name, source="cli", **c)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Đã ghi xong trong {time.perf_counter() - started:.1f} giây.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", help="Mã đơn vị phạm vi (mặc định: đơn vị gốc).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
def import_units(file: str, unit_code: str | None, dry_run: bool) -> None:
    """Nhập danh sách đơn vị từ tệp .xlsx hoặc .csv."""
    _run("units", file, unit_code, dry_run)


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", help="Mã đơn vị phạm vi (mặc định: đơn vị gốc).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
def import_members(file: str, unit_code: str | None, dry_run: bool) -> None:
    """Nhập danh sách đảng viên từ tệp .xlsx hoặc .csv."""
    _run("members", file, unit_code, dry_run)
