"""Printable login slips (PDF): name, card number, initial password and a QR code to log in.

Slips are grouped by cell, each cell starting on a new A4 page (ten slips a page, cut along
the dashed lines). The initial passwords exist in plain text only inside this PDF, which is
built in the same request that set them; nothing readable is kept on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import segno
from flask_babel import gettext as _
from fpdf import FPDF

from core.pdf import noto_pdf

COLS, ROWS = 2, 5
PAGE_W, PAGE_H = 210, 297
MARGIN_X, MARGIN_TOP = 8, 16
SLIP_W = (PAGE_W - 2 * MARGIN_X) / COLS
SLIP_H = (PAGE_H - MARGIN_TOP - 8) / ROWS
QR_SIZE = 30


@dataclass
class Slip:
    """One person's slip."""

    cell: str
    name: str
    card: str
    password: str
    url: str


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector rectangles (one per run of dark modules in a row).

    A fixed mask skips segno's search for the "best" mask, which is most of its cost; any
    mask gives a valid code that phone cameras read.
    """
    code = segno.make(url, error="m", micro=False, mask=0)
    rows = list(code.matrix_iter(border=0))
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
                start = None


def build_slips_pdf(slips: list[Slip], site_url: str, title: str = "") -> bytes:
    """A4 PDF of login slips, one group of pages per cell."""
    pdf = noto_pdf(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(title or _("Phiếu đăng nhập Sổ tay đảng viên"))
    pdf.set_creator("Sổ tay đảng viên điện tử")
    # The instructions are the same on every slip: break them into lines once.
    pdf.set_font("Noto", "", 7)
    help_text = _(
        "Quét mã QR hoặc vào %(site)s, nhập số thẻ và mật khẩu trên. "
        "Lần đầu đăng nhập, đồng chí phải đổi mật khẩu. Giữ kín phiếu này.",
        site=site_url,
    )
    help_lines: list[str] = []
    for cell, group in groupby(slips, key=lambda s: s.cell):
        members = list(group)
        for start in range(0, len(members), COLS * ROWS):
            pdf.add_page()
            if not help_lines:
                pdf.set_font("Noto", "", 7)
                help_lines = pdf.multi_cell(
                    SLIP_W - 6, 3.2, help_text, dry_run=True, output="LINES"
                )[:3]
            pdf.set_font("Noto", "B", 11)
            pdf.set_xy(MARGIN_X, 6)
            page_title = _("Phiếu đăng nhập — %(cell)s", cell=cell)
            pdf.cell(PAGE_W - 2 * MARGIN_X, 6, page_title, align="C")
            for i, slip in enumerate(members[start : start + COLS * ROWS]):
                col, row = i % COLS, i // COLS
                _draw_slip(
                    pdf, slip, help_lines, MARGIN_X + col * SLIP_W, MARGIN_TOP + row * SLIP_H
                )
    return bytes(pdf.output())


def _draw_slip(pdf: FPDF, slip: Slip, help_lines: list[str], x: float, y: float) -> None:
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.rect(x, y, SLIP_W, SLIP_H)
    pdf.set_dash_pattern()
    pad = 3
    text_w = SLIP_W - QR_SIZE - 3 * pad - 1.5
    pdf.set_text_color(165, 14, 14)
    pdf.set_font("Noto", "B", 9)
    pdf.set_xy(x + pad, y + pad)
    pdf.cell(text_w, 5, _("SỔ TAY ĐẢNG VIÊN ĐIỆN TỬ"))
    pdf.set_text_color(0, 0, 0)
    lines = [
        (_("Họ và tên"), slip.name, 10),
        (_("Số thẻ (tên đăng nhập)"), slip.card, 11),
        (_("Mật khẩu ban đầu"), slip.password, 12),
    ]
    cy = y + pad + 6
    for label, value, size in lines:
        pdf.set_font("Noto", "", 7.5)
        pdf.set_xy(x + pad, cy)
        pdf.cell(text_w, 3.5, label)
        pdf.set_font("Noto", "B", size)
        while size > 6 and pdf.get_string_width(value) > text_w:
            size -= 0.5  # long names shrink rather than wrap, so every slip has the same layout
            pdf.set_font("Noto", "B", size)
        pdf.set_xy(x + pad, cy + 3.5)
        pdf.cell(text_w, 5, value)
        cy += 9.3
    pdf.set_font("Noto", "", 7)
    for i, line in enumerate(help_lines):
        pdf.set_xy(x + pad, y + SLIP_H - 13 + i * 3.2)
        pdf.cell(SLIP_W - 2 * pad, 3.2, line)
    # 4 mm of white around the code (its quiet zone), also after cutting along the border.
    _draw_qr(pdf, slip.url, x + SLIP_W - QR_SIZE - pad - 1.5, y + pad + 1.5, QR_SIZE)
