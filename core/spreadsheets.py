"""The one way the app writes spreadsheets (.xlsx and CSV), so no cell becomes a live formula.

Values in exports come from people (unit names, member names, uploaded files). Excel and
LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (and tab or carriage return
before one of them) as a formula: a unit renamed `=HYPERLINK(...)` would become a link in a
committee's report (CSV/formula injection, OWASP). Every writer goes through this module:
`spreadsheet_safe` prefixes such text with an apostrophe, the OWASP advice, and `.xlsx` text
cells are also stored as text, never as formulas. Numbers stay numbers, negative ones too.
A test fails if `openpyxl.Workbook` or `csv.writer` is used anywhere else.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# Prefixes that spreadsheet programs treat as the start of a formula (full-width forms too:
# some input methods type them, and LibreOffice accepts them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value):
    """`value` as a spreadsheet cell that cannot run: risky text gets a leading apostrophe.

    Non-text values (numbers, dates, None) are returned unchanged; text that is just a
    number such as "-12,5" is harmless and kept as it is.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def new_workbook() -> Workbook:
    """An empty workbook to fill with `append_row` and turn into bytes with `xlsx_bytes`."""
    return Workbook()


def append_row(sheet: Worksheet, values: Iterable) -> None:
    """Append one row of safe cells; text is stored as text even if it looks like a formula."""
    sheet.append([spreadsheet_safe(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: Iterable[Iterable], *, delimiter: str = ";") -> str:
    """Rows as CSV text that Excel opens in Vietnamese (UTF-8 with BOM), every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return "\ufeff" + out.getvalue()
