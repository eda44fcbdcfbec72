"""Forms of "Dữ liệu của tôi": a correction request and the staff's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from core.forms import BaseForm


class CorrectionForm(BaseForm):
    """What the member asks to be corrected."""

    text = TextAreaField(
        _l("Thông tin nào cần sửa, và sửa thành gì?"),
        validators=[DataRequired(_l("Xin đồng chí ghi rõ thông tin cần sửa.")), Length(max=2000)],
    )


class AnswerForm(BaseForm):
    """What staff did about a correction request."""

    answer = TextAreaField(
        _l("Đã xử lý thế nào"),
        validators=[DataRequired(_l("Xin ghi ngắn gọn việc đã làm.")), Length(max=2000)],
    )
