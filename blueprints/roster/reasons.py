"""Why a row was rejected: codes stored with the job, translated when shown.

Rejections are kept as (code, params) so a preview made in a background thread reads in
whichever language the person viewing it uses.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from core.spreadsheets import FORMULA_PREFIXES

# Characters no person's or unit's name needs; "<" and ">" make markup, the rest are
# formula and code punctuation. Letters, digits, spaces, ' ’ - . , ( ) / stay allowed
# (minority names such as "H'Hen Niê", units such as "Chi bộ Tổ 1/Khu phố 2").
_MARKUP = re.compile(r"[<>]")
_SYMBOLS = re.compile(r"[=+@\"{}\[\]|\\^`;#$%*~]")

REASONS = {
    "card_missing": _l("Thiếu số thẻ đảng viên."),
    "card_invalid": _l("Số thẻ “%(value)s” không hợp lệ (cần 6 đến 20 chữ số hoặc chữ cái)."),
    "card_dup_file": _l("Thẻ trùng: số thẻ %(card)s cũng có ở dòng %(other_row)s (%(other)s)."),
    "card_dup_db": _l("Thẻ trùng: số thẻ %(card)s đã thuộc đảng viên %(other)s — %(unit)s."),
    "card_out_of_scope": _l(
        "Số thẻ %(card)s đã thuộc một đảng viên ngoài các đơn vị đồng chí phụ trách. "
        "Hãy kiểm tra lại số thẻ; nếu đúng là đảng viên chuyển sinh hoạt đến, "
        "đề nghị cán bộ tổ chức cấp trên chuyển đảng viên trước rồi nhập lại."
    ),
    "name_missing": _l("Thiếu họ và tên."),
    "name_long": _l("Họ và tên dài quá 120 ký tự."),
    "name_markup": _l(
        "%(column)s “%(value)s” có ký tự < hoặc > (dạng mã trang web), không được nhận. "
        "Hãy sửa lại trong tệp, chỉ ghi bằng chữ, rồi nhập lại."
    ),
    "name_formula": _l(
        "%(column)s “%(value)s” bắt đầu bằng “%(char)s”, Excel sẽ hiểu là công thức. "
        "Hãy xóa ký tự đó trong tệp rồi nhập lại."
    ),
    "name_symbols": _l(
        "%(column)s “%(value)s” có ký tự “%(chars)s” không dùng trong tên. "
        "Hãy sửa lại trong tệp, chỉ ghi bằng chữ, rồi nhập lại."
    ),
    "cell_missing": _l("Thiếu mã chi bộ."),
    "cell_unknown": _l("Không có chi bộ nào mang mã “%(value)s”."),
    "cell_not_cell": _l("Mã “%(value)s” là của %(name)s, không phải một chi bộ."),
    "cell_out_of_scope": _l(
        "Mã chi bộ “%(value)s” không thuộc các đơn vị đồng chí phụ trách. "
        "Hãy kiểm tra lại mã, hoặc nhờ cán bộ tổ chức cấp trên nhập dòng này."
    ),
    "date_bad": _l("%(column)s “%(value)s” không đúng dạng ngày/tháng/năm (dd/mm/yyyy)."),
    "date_future": _l("%(column)s %(value)s ở tương lai."),
    "born_after_joining": _l("Ngày sinh %(birth)s sau ngày vào Đảng %(joined)s."),
    "joined_too_young": _l("Vào Đảng ngày %(joined)s khi chưa đủ 18 tuổi (sinh %(birth)s)."),
    "official_before_joining": _l("Ngày chính thức %(official)s trước ngày vào Đảng %(joined)s."),
    "gender_bad": _l("Giới tính “%(value)s” không rõ (ghi Nam hoặc Nữ)."),
    "phone_bad": _l("Số điện thoại “%(value)s” không hợp lệ."),
    "status_bad": _l(
        "Trạng thái “%(value)s” không rõ (ghi Chính thức, Dự bị, Miễn sinh hoạt hoặc Đã chuyển đi)."
    ),
    "formula_empty": _l(
        "Ô %(column)s có công thức chưa được tính. Hãy mở tệp bằng Excel và lưu lại."
    ),
    "code_missing": _l("Thiếu mã đơn vị."),
    "code_invalid": _l("Mã đơn vị “%(value)s” không hợp lệ (tối đa 32 chữ cái, chữ số, - . _)."),
    "code_dup_file": _l("Mã đơn vị %(value)s trùng với dòng %(other_row)s."),
    "unit_name_missing": _l("Thiếu tên đơn vị."),
    "kind_bad": _l(
        "Loại “%(value)s” không rõ (ghi tỉnh, xã, phường, đặc khu, trực thuộc, cơ sở hoặc chi "
        "bộ; huyện cho tệp cũ trước 1/7/2025)."
    ),
    "parent_missing": _l("Thiếu mã đơn vị cấp trên."),
    "parent_unknown": _l("Không có đơn vị cấp trên mang mã “%(value)s”."),
    "parent_rejected": _l("Đơn vị cấp trên “%(value)s” bị từ chối ở dòng khác."),
    "parent_level": _l("%(parent)s không thể là cấp trên của một đơn vị loại %(kind)s."),
    "parent_cycle": _l("Đơn vị không thể nằm dưới chính nó hoặc đơn vị cấp dưới của nó."),
    "unit_out_of_scope": _l(
        "Đơn vị “%(value)s” không thuộc phạm vi đồng chí phụ trách. "
        "Hãy nhờ cán bộ tổ chức cấp trên nhập dòng này."
    ),
    "root_exists": _l("Đã có Tỉnh ủy (đơn vị gốc); mỗi hệ thống chỉ có một."),
}

COLUMN_LABELS = {
    "birth_date": _l("Ngày sinh"),
    "joined_on": _l("Ngày vào Đảng"),
    "official_on": _l("Ngày chính thức"),
    "card": _l("Số thẻ đảng viên"),
    "name": _l("Họ và tên"),
    "cell": _l("Mã chi bộ"),
    "gender": _l("Giới tính"),
    "phone": _l("Số điện thoại"),
    "status": _l("Trạng thái"),
    "code": _l("Mã đơn vị"),
    "unit_name": _l("Tên đơn vị"),
    "full_name": _l("Họ và tên"),
    "cell_id": _l("Chi bộ"),
    "parent": _l("Mã đơn vị cấp trên"),
    "kind": _l("Loại"),
}


def name_reasons(name: str, column: str) -> list[tuple[str, dict]]:
    """Why a person's or unit's name cannot be imported as it is (markup, formula, symbols).

    Such names would reach other people's screens and spreadsheets; rejecting them at the
    door is simpler and clearer than escaping them in every place they are shown.
    """
    shown = name if len(name) <= 60 else name[:59] + "…"
    params = {"column": column, "value": shown}
    if _MARKUP.search(name):
        return [("name_markup", params)]
    if name.startswith(FORMULA_PREFIXES):
        return [("name_formula", {**params, "char": name[0]})]
    symbols = sorted(set(_SYMBOLS.findall(name)))
    if symbols:
        return [("name_symbols", {**params, "chars": " ".join(symbols)})]
    return []


def reason_text(code: str, params: dict | None = None) -> str:
    """The translated sentence for a stored reason."""
    params = dict(params or {})
    if "column" in params:
        params["column"] = str(COLUMN_LABELS.get(params["column"], params["column"]))
    template = REASONS.get(code)
    if template is None:
        return code
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def change_text(column: str, old: str, new: str) -> str:
    """One change of a member or a unit as the preview shows it: "Số điện thoại: 0905… → 0912…"."""
    from blueprints.members.models import Gender, MemberStatus
    from blueprints.units.models import UnitKind

    labels = {"gender": Gender.labels(), "status": MemberStatus.labels(), "kind": UnitKind.labels()}
    labels = labels.get(column, {})
    shown = [str(labels.get(v, v)) if v else "—" for v in (old, new)]
    return f"{COLUMN_LABELS.get(column, column)}: {shown[0]} → {shown[1]}"
