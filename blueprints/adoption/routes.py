"""Adoption page: accounts issued, used and installed, and meetings held in the app."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl.styles import Font

from blueprints.adoption.blueprint import bp
from blueprints.adoption.figures import VIETNAM_OFFSET, build_report
from blueprints.audit import reads
from blueprints.meetings.services import grade
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_percent
from core.models import utcnow
from core.permissions import authorize, permission
from core.rendering import render
from core.spreadsheets import XLSX_MIMETYPE, append_row, new_workbook, xlsx_bytes

ORDER = {"admin": 0, "staff": 1, "secretary": 2, "deputy": 3}


def _this_month() -> date:
    return (utcnow() + VIETNAM_OFFSET).date().replace(day=1)


def _months(count: int = 12) -> list[date]:
    """This month and the ones before it, newest first."""
    month, out = _this_month(), []
    for _step in range(count):
        out.append(month)
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return out


def _month_arg() -> date:
    """?month=YYYY-MM among the offered months; anything else means this month."""
    wanted = request.args.get("month", "")
    return next((m for m in _months() if m.strftime("%Y-%m") == wanted), _this_month())


@bp.get("/")
@permission("adoption.view")
def index():
    """Open the figures of the widest unit the user is responsible for."""
    roles = sorted(
        (ra for ra in current_user.roles if ra.role in ORDER), key=lambda ra: ORDER[ra.role]
    )
    if not roles:
        abort(403)
    return redirect(url_for("adoption.unit", unit_id=roles[0].unit_id))


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    authorize("adoption.view", unit)
    return unit


@bp.get("/<int:unit_id>")
@permission("adoption.view")
def unit(unit_id: int):
    """Figures of a unit, one row per direct sub-unit; HTMX swaps only the table."""
    report = build_report(_unit(unit_id), _month_arg())
    return render(
        "adoption/unit.html",
        "adoption/_table.html",
        report=report,
        months=_months(),
        grade=grade,
    )


@bp.get("/<int:unit_id>.xlsx")
@permission("adoption.view")
def unit_xlsx(unit_id: int):
    """The same figures as an Excel file for the committee's reports."""
    report = build_report(_unit(unit_id), _month_arg())
    book = new_workbook()
    sheet = book.active
    sheet.title = report.month.strftime("%m-%Y")
    headers = [
        _("Đơn vị"),
        _("Số chi bộ"),
        _("Đảng viên"),
        _("Đã cấp tài khoản"),
        _("Đã đăng nhập"),
        _("Đã cài ứng dụng"),
        _("Tỷ lệ cài / tài khoản"),
        _("Chi bộ đã họp trên ứng dụng"),
        _("Biên bản đã duyệt"),
        _("Buổi sinh hoạt đã chấm điểm"),
        _("Điểm chất lượng bình quân"),
        _("Xếp loại"),
    ]
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in [*report.rows, report.total]:
        name = row.unit.name if row is not report.total else _("Tổng cộng")
        append_row(
            sheet,
            [
                name,
                row.cells,
                row.members,
                row.accounts,
                row.logged_in,
                row.installed,
                fmt_percent(row.share(row.installed, row.accounts)),
                row.cells_met,
                row.minutes_locked,
                row.scored_meetings,
                row.average_score,
                grade(row.average_score) if row.average_score is not None else "",
            ],
        )
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO(xlsx_bytes(book))
    reads.record("adoption.exported", report.unit, once_within=None, month=f"{report.month:%m/%Y}")
    filename = f"tinh-hinh-su-dung-{report.unit.code}-{report.month:%Y-%m}.xlsx"
    return send_file(
        buffer,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=filename,
    )
