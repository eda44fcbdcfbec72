"""The dashboard's tables as XLSX and CSV (through core.spreadsheets, so no cell is a live
formula) and the unit's monthly report as a PDF (fpdf2 with the bundled Noto Sans)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from fpdf import FPDF
from openpyxl.styles import Font

from blueprints.adoption.figures import ratio
from blueprints.adoption.tables import Table
from core.i18n import fmt_date, fmt_month, fmt_number, fmt_percent
from core.models import utcnow
from core.pdf import with_noto
from core.spreadsheets import append_row, csv_text, new_workbook, xlsx_bytes

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet name


def workbook(tables: Iterable[Table]) -> bytes:
    """One sheet per table; counts stay numbers, rates are numbers shown as percentages."""
    book = new_workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:SHEET_TITLE_MAX])
        append_row(sheet, [table.title])
        sheet["A1"].font = Font(bold=True)
        append_row(sheet, table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for values in table.rows:
            append_row(sheet, values)
            for (_header, kind), cell in zip(table.columns, sheet[sheet.max_row], strict=True):
                if kind == "rate" and cell.value is not None:
                    cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 40
    return xlsx_bytes(book)


def _shown(value, kind: str) -> str | int:
    """A value as the CSV and the PDF carry it: counts as numbers, rates as 92,3%."""
    if kind == "rate":
        return fmt_percent(value) if value is not None else ""
    if kind == "int":
        return "" if value is None else value
    return value or ""


def csv_of(table: Table) -> str:
    """One table as CSV (rates written as 92,3%)."""
    rows = [
        [_shown(v, kind) for v, (_h, kind) in zip(r, table.columns, strict=True)]
        for r in table.rows
    ]
    return csv_text([table.headers, *rows])


# ---- PDF ------------------------------------------------------------------------------------

PAGE_W, MARGIN = 297, 10  # A4 landscape, mm
BAR_W = 150


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Noto", "", 8)
        self.cell(0, 5, _("Trang %(n)s", n=self.page_no()), align="C")


def _summary_lines(data: dict) -> list[str]:
    t = data["total"]
    return [
        _(
            "Đảng viên: %(n)s (dự bị %(p)s), trong %(c)s chi bộ",
            n=fmt_number(t.members),
            p=fmt_number(t.probationary),
            c=fmt_number(t.cells),
        ),
        _(
            "Loại khỏi mẫu số: miễn sinh hoạt %(e)s, không có điện thoại thông minh %(s)s; "
            "mẫu số %(d)s",
            e=fmt_number(t.exempt),
            s=fmt_number(t.no_smartphone),
            d=fmt_number(t.denominator),
        ),
        _("Đã cấp tài khoản: %(r)s", r=ratio(t.accounts, t.denominator)),
        _("Đã đăng nhập ít nhất một lần: %(r)s", r=ratio(t.logged_in, t.denominator)),
        _(
            "Đã cài ứng dụng: %(r)s (trên tổng số: %(raw)s)",
            r=ratio(t.installed, t.denominator),
            raw=ratio(t.installed, t.members),
        ),
        _("Hoạt động trong 30 ngày qua: %(r)s", r=ratio(t.active_30d, t.denominator)),
        _("Chi bộ đã sinh hoạt trong tháng: %(r)s", r=ratio(t.cells_met, t.cells)),
        _(
            "Chất lượng bình quân: %(s)s",
            s=" — ".join([str(t.average_score), t.grade]) if t.scored else _("chưa có buổi nào"),
        ),
    ]


def _bars(pdf: FPDF, title: str, items: list[tuple[str, float | None]]) -> None:
    """A horizontal bar chart drawn with rectangles: label, bar, value."""
    pdf.set_font("Noto", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 8)
    for label, value in items:
        if pdf.get_y() > 190:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y)
        pdf.cell(90, 5, label[:60])
        pdf.set_draw_color(0, 0, 0)
        pdf.rect(MARGIN + 92, y + 1, BAR_W, 3.5)
        if value:
            pdf.set_fill_color(165, 14, 14)
            pdf.rect(MARGIN + 92, y + 1, BAR_W * min(1.0, value), 3.5, "F")
        pdf.set_xy(MARGIN + 95 + BAR_W, y)
        pdf.cell(30, 5, fmt_percent(value) if value is not None else "—")
        pdf.ln(5.5)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table, picked: list[int]) -> None:
    """Some columns of a table, the first one wide, with its header repeated on new pages."""
    width = (PAGE_W - 2 * MARGIN - 70) / max(1, len(picked) - 1)
    widths = [70] + [width] * (len(picked) - 1)
    pdf.set_font("Noto", "B", 11)
    pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")

    def header() -> None:
        pdf.set_font("Noto", "B", 7)
        y = pdf.get_y()
        x = MARGIN
        for i, w in zip(picked, widths, strict=True):
            pdf.set_xy(x, y)
            pdf.multi_cell(w, 3.5, table.headers[i], border=0)
            x += w
        pdf.set_y(y + 11)

    header()
    pdf.set_font("Noto", "", 7)
    for values in table.rows:
        if pdf.get_y() > 190:
            pdf.add_page()
            header()
            pdf.set_font("Noto", "", 7)
        for i, w in zip(picked, widths, strict=True):
            kind = table.columns[i][1]
            text = str(_shown(values[i], kind))
            pdf.cell(
                w,
                5,
                text[:48] if i == 0 else text,
                border="B",
                align="L" if kind == "text" else "R",
            )
        pdf.ln(5)
    pdf.ln(4)


def report_pdf(data: dict) -> bytes:
    """The monthly report: figures, charts as drawn bars, the ranked lists and 12 months."""
    pdf = _Report(orientation="L", format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_auto_page_break(True, 12)
    with_noto(pdf)
    unit, month = data["unit"], data["month"]
    title = _("Báo cáo tình hình sử dụng ứng dụng và chất lượng sinh hoạt chi bộ")
    pdf.set_title(title)
    pdf.set_creator("Sổ tay đảng viên điện tử")
    pdf.add_page()
    pdf.set_font("Noto", "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 11)
    heading = _(
        "%(unit)s — tháng %(m)s (lập ngày %(d)s)",
        unit=unit.name,
        m=fmt_month(month),
        d=fmt_date(utcnow()),
    )
    pdf.multi_cell(0, 6, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Noto", "", 10)
    for line in _summary_lines(data):
        pdf.multi_cell(0, 5.5, "• " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    t = data["total"]
    _bars(pdf, _("Phân loại chất lượng các buổi sinh hoạt"), _grade_items(t))
    if data["adoption_rows"]:
        _bars(
            pdf,
            _("Tỷ lệ cài ứng dụng theo đơn vị trực thuộc"),
            [(f.unit.name, f.install_rate) for f in data["adoption_rows"]],
        )
    for key, picked in (
        ("adoption", [0, 1, 2, 6, 7, 9, 11, 12]),
        ("quality", [0, 1, 2, 3, 4, 5, 7, 9, 14, 16, 17, 18]),
    ):
        if key in data["tables"]:
            pdf.add_page()
            _table(pdf, data["tables"][key], picked)
    pdf.add_page()
    _table(pdf, data["tables"]["history"], list(range(13)))
    return bytes(pdf.output())


def _grade_items(t) -> list[tuple[str, float | None]]:
    held = t.scored
    return [
        (f"{label}: {fmt_number(n)}", n / held if held else None)
        for label, n in (
            (_("Tốt"), t.grade_good),
            (_("Khá"), t.grade_fair),
            (_("Trung bình"), t.grade_average),
            (_("Kém"), t.grade_poor),
        )
    ]
