"""Forms of Party-card requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.cards.models import RequestKind
from core.forms import BaseForm


class CardRequestForm(BaseForm):
    """A member files a request."""

    kind = RadioField(
        _l("Lý do đề nghị"),
        choices=RequestKind.choices(),
        validators=[DataRequired(_l("Đồng chí hãy chọn lý do."))],
    )
    details = TextAreaField(
        _l("Trình bày thêm (không bắt buộc)"),
        validators=[Length(max=2000)],
        render_kw={"rows": 4},
    )


class NoteForm(BaseForm):
    """Staff ask for more information, or the member adds it."""

    note = TextAreaField(
        _l("Nội dung"),
        validators=[DataRequired(_l("Đồng chí hãy nhập nội dung.")), Length(max=2000)],
        render_kw={"rows": 3},
    )


class RejectForm(BaseForm):
    """Staff reject with a reason."""

    note = TextAreaField(
        _l("Lý do không duyệt"),
        validators=[DataRequired(_l("Đồng chí hãy ghi lý do.")), Length(max=2000)],
        render_kw={"rows": 3},
    )


class ApproveForm(BaseForm):
    """Staff approve and record the new card number."""

    new_card_number = StringField(
        _l("Số thẻ mới"),
        validators=[DataRequired(_l("Đồng chí hãy nhập số thẻ mới.")), Length(max=30)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    note = TextAreaField(_l("Ghi chú (không bắt buộc)"), validators=[Length(max=2000)])
