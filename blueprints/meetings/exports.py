"""Minutes as DOCX (python-docx) and PDF (fpdf2 with Noto Sans), laid out like the paper form:
party header, place and date, title, sections, and the signatures of chair and clerk."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from blueprints.meetings.models import Meeting, Minutes
from blueprints.meetings.services.minutes import text_blocks
from core.i18n import fmt_date


def _header(meeting: Meeting) -> tuple[list[str], list[str]]:
    """Left column (superior unit, cell) and right column (party motto, place and date)."""
    cell = meeting.cell
    parent = cell.parent.name.upper() if cell.parent else ""
    left = [parent, cell.name.upper(), "*"]
    right = [
        _("ĐẢNG CỘNG SẢN VIỆT NAM"),
        _("%(place)s, ngày %(date)s", place=meeting.place, date=fmt_date(meeting.starts_at)),
    ]
    return left, right


def _footer_lines(minutes: Minutes) -> list[str]:
    lines = []
    if minutes.locked and minutes.content_hash:
        lines.append(_("Mã kiểm tra nội dung (SHA-256): %(hash)s", hash=minutes.content_hash))
    else:
        lines.append(_("Bản dự thảo — chưa được chủ trì và thư ký duyệt."))
    return lines


def minutes_docx(meeting: Meeting, minutes: Minutes) -> bytes:
    """The minutes as a Word document."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Docx()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    left, right = _header(meeting)
    table = doc.add_table(rows=1, cols=2)
    for cell, lines, bold_first in (
        (table.cell(0, 0), left, False),
        (table.cell(0, 1), right, True),
    ):
        cell.paragraphs[0].text = ""
        for n, line in enumerate(lines):
            p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(line)
            run.bold = (bold_first and n == 0) or (not bold_first and n == 1)
            if bold_first and n > 0:
                run.italic = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("BIÊN BẢN SINH HOẠT CHI BỘ"))
    run.bold = True
    run.font.size = Pt(15)
    sub = doc.add_paragraph(meeting.topic)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for heading, text in text_blocks(minutes.body):
        if heading:
            doc.add_paragraph().add_run(text).bold = True
        else:
            doc.add_paragraph(text)
    sign = doc.add_table(rows=2, cols=2)
    sign.cell(0, 0).text = _("THƯ KÝ")
    sign.cell(0, 1).text = _("CHỦ TRÌ")
    sign.cell(1, 0).text = "\n\n\n" + (meeting.clerk.full_name if meeting.clerk else "")
    sign.cell(1, 1).text = "\n\n\n" + (meeting.chair.full_name if meeting.chair else "")
    for row in sign.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for r in p.runs:
                    r.bold = True
    for line in _footer_lines(minutes):
        p = doc.add_paragraph()
        r = p.add_run(line)
        r.italic = True
        r.font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    """The minutes as an A4 PDF in Noto Sans (covers every Vietnamese letter)."""
    from core.pdf import noto_pdf

    pdf = noto_pdf()
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_("BIÊN BẢN SINH HOẠT CHI BỘ"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    left, right = _header(meeting)
    top = pdf.get_y()
    pdf.set_font("Noto", "", 10)
    for n, line in enumerate(left):
        pdf.set_font("Noto", "B" if n == 1 else "", 10)
        pdf.set_xy(pdf.l_margin, top + n * 5.5)
        pdf.multi_cell(width * 0.45, 5.5, line, align="C")
    for n, line in enumerate(right):
        pdf.set_font("Noto", "B" if n == 0 else "", 10)
        pdf.set_xy(pdf.l_margin + width * 0.45, top + n * 5.5)
        pdf.multi_cell(width * 0.55, 5.5, line, align="C")
    pdf.set_y(top + 22)
    pdf.set_font("Noto", "B", 15)
    pdf.multi_cell(width, 9, _("BIÊN BẢN SINH HOẠT CHI BỘ"), align="C")
    pdf.set_font("Noto", "", 11)
    pdf.multi_cell(width, 6, meeting.topic, align="C")
    pdf.ln(4)
    for heading, text in text_blocks(minutes.body):
        if heading:
            pdf.ln(2)
            pdf.set_font("Noto", "B", 11)
            pdf.multi_cell(width, 6.5, text)
        else:
            pdf.set_font("Noto", "", 11)
            pdf.multi_cell(width, 6, text)
    pdf.ln(8)
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    y = pdf.get_y()
    pdf.set_font("Noto", "B", 11)
    for col, (role, person) in enumerate(
        ((_("THƯ KÝ"), meeting.clerk), (_("CHỦ TRÌ"), meeting.chair))
    ):
        x = pdf.l_margin + col * width / 2
        pdf.set_xy(x, y)
        pdf.multi_cell(width / 2, 6, role, align="C")
        pdf.set_xy(x, y + 28)
        pdf.multi_cell(width / 2, 6, person.full_name if person else "", align="C")
    pdf.set_y(y + 42)
    pdf.set_font("Noto", "", 8)
    for line in _footer_lines(minutes):
        pdf.multi_cell(width, 4.5, line)
    return bytes(pdf.output())
