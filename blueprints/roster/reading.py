"""Reading roster files (.xlsx or .csv) into numbered rows keyed by field name.

Headers match ignoring case, diacritics and spacing, in any column order; a title block above
the header row (often merged cells) is skipped; empty rows are dropped. CSV bytes go through
`core.legacy_vn.decode_bytes` (UTF-8 with or without BOM, Windows-1258, VNI, TCVN3); xlsx text
cells typed with legacy TCVN3/VNI fonts are repaired cell by cell with `fix_legacy_text`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_number
from flask_babel import gettext as _

from core import legacy_vn
from core.text import clean, fold

MAX_ROWS = 200_000
PROGRESS_EVERY = 2000
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 64  # a roster has about ten; wider rows are read only this far
# Zip bomb guards, checked on the archive's directory before any XML is parsed. A real
# 200.000-row roster is about 110 MB of XML compressed about 9 times; a bomb is small on
# disk and huge inside (the audit's: 256 KB holding 600.000 rows).
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100  # for members over XLSX_RATIO_FROM bytes
XLSX_RATIO_FROM = 1024 * 1024
XLSX_MAX_MEMBERS = 1000

# field name -> accepted headers (compared after `_header_key`)
MEMBER_COLUMNS = {
    "card": ("Số thẻ đảng viên", "Số thẻ", "Số thẻ ĐV", "Số thẻ Đảng"),
    "name": ("Họ và tên", "Họ tên", "Tên đảng viên"),
    "birth_date": ("Ngày sinh",),
    "gender": ("Giới tính",),
    "phone": ("Số điện thoại", "Điện thoại", "SĐT", "Số ĐT"),
    "cell": ("Mã chi bộ",),
    "joined_on": ("Ngày vào Đảng", "Ngày kết nạp"),
    "official_on": ("Ngày chính thức",),
    "status": ("Trạng thái",),
}
MEMBER_REQUIRED = ("card", "name", "cell")
MEMBER_HEADERS = [
    "Số thẻ đảng viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Mã chi bộ",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Trạng thái",
]

UNIT_COLUMNS = {
    "code": ("Mã đơn vị",),
    "name": ("Tên đơn vị",),
    "parent": ("Mã đơn vị cấp trên", "Mã cấp trên"),
    "kind": ("Loại", "Loại đơn vị", "Cấp"),
}
UNIT_REQUIRED = ("code", "name", "kind")
UNIT_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại"]


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message is Vietnamese and names the problem."""


@dataclass
class Sheet:
    """Rows of a file: (row number as the user sees it, {field: value})."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    encoding: str | None = None  # legacy encoding that was converted, if any
    # (row number, field) of formula cells without a computed value
    uncomputed: set[tuple[int, str]] = field(default_factory=set)


def _header_key(value) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(str(value or "")))


def _match_headers(cells: list, columns: dict) -> dict[int, str]:
    lookup = {_header_key(h): name for name, headers in columns.items() for h in headers}
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = lookup.get(_header_key(cell))
        if name and name not in found.values():
            found[index] = name
    return found


def _encoding_name(label: str | None) -> str:
    return legacy_vn.ENCODING_NAMES.get(label or "", label or "?")


def _cell_value(value, number: int, name: str, sheet: Sheet, fix_legacy: bool):
    """One cell as the checks read it: formulas without a saved value noted, legacy text fixed."""
    if not isinstance(value, str):
        return value
    if value.startswith("\0formula"):
        sheet.uncomputed.add((number, name))
        return None
    if fix_legacy:
        fixed, label = legacy_vn.fix_legacy_text(value)
        if label:
            sheet.encoding = sheet.encoding or label
            value = fixed
    return clean(value)


def _rows_from_cells(
    raw_rows, columns: dict, required: tuple[str, ...], sheet: Sheet, fix_legacy: bool
) -> Sheet:
    header: dict[int, str] | None = None
    empty_run = 0
    for number, cells in raw_rows:
        if header is None:
            candidate = _match_headers(list(cells), columns)
            if all(r in candidate.values() for r in required):
                header = candidate
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        record = {
            name: _cell_value(
                cells[index] if index < len(cells) else None, number, name, sheet, fix_legacy
            )
            for index, name in header.items()
        }
        if all(v in (None, "") for v in record.values()) and not any(
            n == number for n, _f in sheet.uncomputed
        ):
            empty_run += 1
            if empty_run > 1000:
                break  # thousands of formatted but empty rows at the end of a sheet
            continue
        empty_run = 0
        sheet.rows.append((number, record))
        if len(sheet.rows) > MAX_ROWS:
            raise _too_many_rows()
    if header is None:
        names = ", ".join(columns[r][0] for r in required)
        raise RosterFileError(
            _("Không tìm thấy dòng tiêu đề. Tệp cần có các cột: %(columns)s.", columns=names)
        )
    return sheet


def _too_many_rows() -> RosterFileError:
    return RosterFileError(
        _(
            "Tệp có quá nhiều dòng (tối đa %(n)s dòng một lần). "
            "Hãy chia thành nhiều tệp, mỗi tệp một vài đơn vị, rồi nhập lần lượt.",
            n=format_number(MAX_ROWS),
        )
    )


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an .xlsx whose zip members would unpack too big, before anything is parsed.

    The sizes come from the zip directory; Python's zipfile stops at the declared size and
    fails the CRC check when a member holds more, so a lying directory cannot get past it.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise RosterFileError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from exc
    total = sum(m.file_size for m in members)
    suspicious = any(
        m.file_size > XLSX_RATIO_FROM and m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if len(members) > XLSX_MAX_MEMBERS or total > XLSX_MAX_UNCOMPRESSED or suspicious:
        raise RosterFileError(
            _(
                "Tệp Excel này khi giải nén lớn bất thường (có thể là tệp độc hại), "
                "nên không được đọc. Nếu đây là danh sách thật, hãy mở bằng Excel, "
                "xóa các dòng và cột thừa, lưu lại rồi tải lên; danh sách lớn hãy chia "
                "thành nhiều tệp (tối đa %(n)s dòng một tệp).",
                n=format_number(MAX_ROWS),
            )
        )


def _xlsx_rows(data: bytes, progress=None):
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise RosterFileError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from exc
    try:
        rows, formula_rows = _stream_rows(book.worksheets[0], progress)
    finally:
        book.close()
    if formula_rows:
        _fill_formula_values(data, formula_rows)
    return rows


def _stream_rows(sheet, progress) -> tuple[list, dict[int, list]]:
    """The sheet's non-empty rows, and those with formulas (cells changed in place later)."""
    formula_rows: dict[int, list] = {}
    rows = []
    estimate = sheet.max_row or 0  # from the sheet's <dimension>, when the file has one
    empty_run = 0
    rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    for number, row in enumerate(rows_iter, start=1):
        cells = list(row)
        if all(c is None or c == "" for c in cells):
            empty_run += 1
            if empty_run > 1000:
                break  # thousands of formatted but empty rows at the end of a sheet
            continue
        empty_run = 0
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()  # stop streaming here: the rest is never parsed
        if any(isinstance(c, str) and c.startswith("=") for c in cells):
            formula_rows[number] = cells
        rows.append((number, cells))
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, max(estimate, number))
    return rows, formula_rows


def _fill_formula_values(data: bytes, formula_rows: dict[int, list]) -> None:
    """Formula cells: use the value Excel computed and saved with the file."""
    from openpyxl import load_workbook

    values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        values_rows = values_book.worksheets[0].iter_rows(
            values_only=True, max_col=MAX_COLUMNS, max_row=max(formula_rows)
        )
        for number, row in enumerate(values_rows, start=1):
            if number in formula_rows:
                cells = formula_rows[number]
                for i, value in enumerate(row):
                    if i < len(cells) and isinstance(cells[i], str) and cells[i][:1] == "=":
                        cells[i] = "\0formula" if value is None else value
    finally:
        values_book.close()


def _csv_rows(data: bytes) -> tuple[Iterator, str]:
    legacy = legacy_vn
    try:
        text, label = legacy.decode_bytes(data)
    except legacy.LegacyEncodingError as exc:
        if exc.template == legacy.MSG_MIXED_ENCODINGS:
            raise RosterFileError(
                _(
                    "Tệp trộn lẫn hai bảng mã: dòng %(utf8_line)s ở dạng Unicode (UTF-8) nhưng "
                    "dòng %(legacy_line)s ở bảng mã cũ %(encoding)s, nên tên người sẽ bị lỗi "
                    "chữ. Hãy mở tệp bằng Excel, sửa các dòng lỗi, lưu lại cả tệp dạng "
                    "“CSV UTF-8” (hoặc .xlsx) rồi tải lên lại.",
                    **exc.params,
                )
            ) from exc
        if exc.encoding:
            raise RosterFileError(
                _(
                    "Tệp dùng bảng mã cũ %(encoding)s nhưng không chuyển được sang Unicode. "
                    "Hãy mở tệp bằng Excel, chuyển sang Unicode rồi lưu lại.",
                    encoding=_encoding_name(exc.encoding),
                )
            ) from exc
        raise RosterFileError(
            _("Tệp không phải bảng tính (.xlsx) hay tệp văn bản CSV đọc được.")
        ) from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A generator: rows are read only until the row limit of `_rows_from_cells` stops it.
    return enumerate(reader, start=1), label


def read_sheet(data: bytes, filename: str, kind: str, progress=None) -> Sheet:
    """Read an uploaded file into rows; raise RosterFileError with a Vietnamese message.

    `progress(rows_read, estimated_total)` is called now and then while an .xlsx is parsed.
    """
    columns, required = (
        (MEMBER_COLUMNS, MEMBER_REQUIRED) if kind == "members" else (UNIT_COLUMNS, UNIT_REQUIRED)
    )
    if not data:
        raise RosterFileError(_("Tệp rỗng, không có dữ liệu."))
    name = (filename or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            _("Đây là tệp Excel đời cũ (.xls). Hãy mở bằng Excel và lưu lại dạng .xlsx.")
        )
    if data.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise RosterFileError(_("Tệp Excel bị hỏng hoặc không đọc được."))
        sheet = Sheet()
        return _rows_from_cells(
            _xlsx_rows(data, progress), columns, required, sheet, fix_legacy=True
        )
    if name.endswith((".xlsx", ".xlsm")):
        raise RosterFileError(_("Tệp Excel bị hỏng hoặc không đọc được."))
    if data[:5] == b"%PDF-" or name.endswith((".pdf", ".doc", ".docx", ".jpg", ".png", ".zip")):
        raise RosterFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV."))
    raw, label = _csv_rows(data)
    sheet = Sheet(encoding=label if label in ("cp1258", "vni", "tcvn3") else None)
    return _rows_from_cells(raw, columns, required, sheet, fix_legacy=False)


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value) -> date | None:
    """A date from an Excel date, an Excel serial number, or dd/mm/yyyy text.

    Returns None for an empty cell and raises ValueError for anything unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 100_000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = clean(str(value))
    if re.fullmatch(r"\d{4,5}(\.0)?", text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    text = text.split(" ")[0]  # "12/05/1960 00:00:00"
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed.year > date.today().year:
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(value)


def as_text(value) -> str:
    """Cell value as clean text; whole numbers typed in number cells lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))
