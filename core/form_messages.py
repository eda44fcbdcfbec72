"""WTForms' built-in error messages in our catalogues.

WTForms ships no Vietnamese translation, so a validator without its own message (a Length(max=…)
on a text box, a date the browser did not check, an unknown choice) would answer an older member
in English. `BaseForm` hands WTForms this translator instead: every message WTForms can produce
is listed here in Vietnamese (English in the `en` catalogue); a test keeps the list complete
against WTForms' own `wtforms.pot`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# WTForms' English text → ours. Plural forms map to the same Vietnamese text (no plural there).
MESSAGES = {
    "Invalid field name '%s'.": _l("Tên trường '%s' không hợp lệ."),
    "Field must be equal to %(other_name)s.": _l("Mục này phải trùng với %(other_name)s."),
    "Field must be at least %(min)d character long.": _l("Mục này cần ít nhất %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": _l("Mục này cần ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": _l("Mục này dài quá %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": _l("Mục này dài quá %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": _l("Mục này phải có đúng %(max)d ký tự."),
    "Field must be exactly %(max)d characters long.": _l("Mục này phải có đúng %(max)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Mục này phải dài từ %(min)d đến %(max)d ký tự."
    ),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải nằm trong khoảng %(min)s–%(max)s."),
    "Date must be at least %(min)s.": _l("Ngày phải từ %(min)s trở đi."),
    "Date must be at most %(max)s.": _l("Ngày không được sau %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Ngày phải nằm trong khoảng %(min)s–%(max)s."),
    "This field is required.": _l("Đồng chí hãy điền mục này."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ thư điện tử không hợp lệ."),
    "Invalid IP address.": _l("Địa chỉ IP không hợp lệ."),
    "Invalid Mac address.": _l("Địa chỉ MAC không hợp lệ."),
    "Invalid URL.": _l("Địa chỉ trang web không hợp lệ."),
    "Invalid UUID.": _l("Mã UUID không hợp lệ."),
    "Invalid value, must be one of: %(values)s.": _l(
        "Giá trị không hợp lệ, phải là một trong: %(values)s."
    ),
    "Invalid value, can't be any of: %(values)s.": _l(
        "Giá trị không hợp lệ, không được là: %(values)s."
    ),
    "This field cannot be edited.": _l("Không được sửa mục này."),
    "This field is disabled and cannot have a value.": _l(
        "Mục này đã bị khóa, không nhận giá trị."
    ),
    "Invalid CSRF Token.": _l("Phiên làm việc không hợp lệ. Đồng chí hãy tải lại trang."),
    "CSRF token missing.": _l("Phiên làm việc không hợp lệ. Đồng chí hãy tải lại trang."),
    "CSRF failed.": _l("Phiên làm việc không hợp lệ. Đồng chí hãy tải lại trang."),
    "CSRF token expired.": _l("Phiên làm việc đã hết hạn. Đồng chí hãy tải lại trang."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Choices cannot be None.": _l("Chưa có lựa chọn nào."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Có lựa chọn không hợp lệ."
    ),
    "'%(value)s' is not a valid choice for this field.": _l(
        "'%(value)s' không phải là lựa chọn hợp lệ."
    ),
    "'%(value)s' are not valid choices for this field.": _l(
        "'%(value)s' không phải là lựa chọn hợp lệ."
    ),
    "Not a valid datetime value.": _l("Ngày giờ không hợp lệ."),
    "Not a valid date value.": _l("Ngày không hợp lệ."),
    "Not a valid time value.": _l("Giờ không hợp lệ."),
    "Not a valid week value.": _l("Tuần không hợp lệ."),
    "Not a valid integer value.": _l("Đồng chí hãy nhập một số nguyên."),
    "Not a valid decimal value.": _l("Đồng chí hãy nhập một số."),
    "Not a valid float value.": _l("Đồng chí hãy nhập một số."),
}


class FormTranslations:
    """The translations object WTForms asks for (`gettext`, `ngettext`)."""

    def gettext(self, string: str) -> str:
        """Our translation of one WTForms message (the message itself if we do not know it)."""
        message = MESSAGES.get(string)
        return str(message) if message is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Our translation of a message with a count."""
        return self.gettext(singular if n == 1 else plural)


translations = FormTranslations()
