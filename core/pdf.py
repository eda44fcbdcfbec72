"""PDFs in Vietnamese: one place that knows where the bundled Noto Sans is and loads it.

Every PDF the app writes (minutes, login slips, "Dữ liệu của tôi", the committee report, the
demo's attachments) sets its text in Noto Sans, which covers every Vietnamese letter; fpdf2's
core fonts do not.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


def with_noto(pdf: FPDF) -> FPDF:
    """Add Noto Sans regular ("Noto", "") and bold ("Noto", "B") to `pdf` and return it."""
    pdf.add_font("Noto", "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.add_font("Noto", "B", str(FONTS / "NotoSans-Bold.ttf"))
    return pdf


def noto_pdf(**options) -> FPDF:
    """A new A4 document (fpdf2 `options` such as orientation) with Noto Sans loaded."""
    return with_noto(FPDF(**{"format": "A4", **options}))
