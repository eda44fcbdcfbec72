"""The downloadable .xlsx templates with Vietnamese headers and an example row."""

from __future__ import annotations

from flask_babel import gettext as _
from openpyxl.styles import Font, PatternFill

from blueprints.roster.reading import MEMBER_HEADERS, UNIT_HEADERS
from core.spreadsheets import append_row, new_workbook, xlsx_bytes

_EXAMPLES = {
    "members": [
        "52100001",
        "Nguyễn Văn An",
        "12/05/1960",
        "Nam",
        "0905123456",
        "CB-AP",
        "03/02/1985",
        "03/02/1986",
        "Chính thức",
    ],
    "units": ["CB-AP", "Chi bộ thôn An Phú", "XA-TK", "chi bộ"],
}


def template_workbook(kind: str) -> bytes:
    """A workbook with the header row, an example row and a sheet of instructions."""
    headers = MEMBER_HEADERS if kind == "members" else UNIT_HEADERS
    book = new_workbook()
    sheet = book.active
    sheet.title = _("Đảng viên") if kind == "members" else _("Đơn vị")
    append_row(sheet, headers)
    append_row(sheet, _EXAMPLES[kind])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F6E3E3")
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22
    for row in sheet.iter_rows(min_row=2, max_row=2):
        for cell in row:
            cell.number_format = "@"  # text: keeps leading zeros of card and phone numbers
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("Hướng dẫn"))
    lines = [
        _("Điền mỗi người (hoặc mỗi đơn vị) trên một dòng, bắt đầu từ dòng 2; xóa dòng ví dụ."),
        _("Không đổi tên các cột; thứ tự cột có thể thay đổi."),
        _("Ngày ghi dạng ngày/tháng/năm, ví dụ 03/02/1985, hoặc dùng ô kiểu ngày của Excel."),
        _("Giới tính: Nam hoặc Nữ. Trạng thái: Chính thức, Dự bị, Miễn sinh hoạt, Đã chuyển đi."),
        _(
            "Loại đơn vị: tỉnh; xã, phường hoặc đặc khu; trực thuộc (đảng bộ trực thuộc Tỉnh "
            "ủy); cơ sở; chi bộ. Tệp cũ còn cấp huyện (trước 1/7/2025) vẫn nhập được: ghi huyện."
        ),
        _("Nhập lại cùng một tệp không tạo bản ghi trùng: đảng viên được nhận ra theo số thẻ."),
    ]
    for line in lines:
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 100
    return xlsx_bytes(book)
