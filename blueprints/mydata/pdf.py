""" "Dữ liệu của tôi" as a readable A4 PDF (Noto Sans covers every Vietnamese letter)."""

from __future__ import annotations

from flask_babel import gettext as _
from fpdf.fonts import FontFace

from blueprints.mydata.collect import Section
from core.i18n import fmt_datetime
from core.models import utcnow
from core.pdf import noto_pdf


def my_data_pdf(name: str, sections: list[Section]) -> bytes:
    """One heading and one table per section; empty sections say so."""
    pdf = noto_pdf()
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_("Dữ liệu của tôi"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Noto", "B", 16)
    pdf.multi_cell(width, 9, _("Dữ liệu của tôi") + " — " + name)
    pdf.set_font("Noto", "", 10)
    pdf.multi_cell(width, 6, _("Lập lúc %(when)s", when=fmt_datetime(utcnow())))
    for section in sections:
        pdf.ln(4)
        pdf.set_font("Noto", "B", 12)
        pdf.multi_cell(width, 7, section.title)
        pdf.set_font("Noto", "", 9)
        if section.note:
            pdf.multi_cell(width, 5, section.note)
        if not section.rows:
            pdf.multi_cell(width, 5, _("Không có dữ liệu."))
            continue
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
            table.row(section.columns)
            for row in section.rows:
                table.row([str(cell) for cell in row])
    return bytes(pdf.output())
