"""`flask dashboard refresh`: recount the monthly figures table (run nightly)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from blueprints.adoption.refresh import refresh_all
from core.extensions import db

dashboard_cli = AppGroup("dashboard", help="Bảng số liệu: tính lại số liệu theo tháng.")


@dashboard_cli.command("refresh")
@click.option("--months", default=12, show_default=True, help="Số tháng gần nhất cần tính lại.")
def refresh_command(months: int) -> None:
    """Recount adoption (this month) and meeting figures (the last MONTHS months) of every cell."""
    started = time.perf_counter()
    written = refresh_all(max(1, min(months, 36)))
    db.session.commit()
    click.echo(f"{written} rows in {time.perf_counter() - started:.1f} s")
