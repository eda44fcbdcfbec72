"""Forms of the assistant: a question, a rating, an editor's reply, a Q&A entry, a glossary term."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from blueprints.assistant.models import TOPICS
from core.forms import BaseForm

ASK_MAX = 500


class AskForm(BaseForm):
    """The member's question."""

    text = StringField(
        _l("Câu hỏi của đồng chí"),
        validators=[DataRequired(_l("Hãy gõ câu hỏi.")), Length(max=ASK_MAX)],
        description=_l("Gõ có dấu hay không dấu đều được, ví dụ: đảng phí đóng bao nhiêu"),
        render_kw={"maxlength": ASK_MAX, "autocomplete": "off"},
    )


class RateForm(BaseForm):
    """Hữu ích / chưa hữu ích, and an optional comment."""

    helpful = RadioField(
        _l("Câu trả lời có giúp được đồng chí không?"),
        choices=[("yes", _l("Hữu ích")), ("no", _l("Chưa hữu ích"))],
        validators=[DataRequired(_l("Hãy chọn Hữu ích hoặc Chưa hữu ích."))],
    )
    comment = TextAreaField(
        _l("Góp ý thêm (không bắt buộc)"), validators=[Optional(), Length(max=1000)]
    )


class SendForm(BaseForm):
    """Send a question to the Ban Biên tập (also from the phone's outbox)."""

    text = StringField(
        _l("Câu hỏi"), validators=[DataRequired(_l("Hãy gõ câu hỏi.")), Length(max=ASK_MAX)]
    )


class ReplyForm(BaseForm):
    """The editors' answer to a group of similar questions."""

    text = TextAreaField(
        _l("Trả lời"),
        validators=[DataRequired(_l("Hãy viết câu trả lời.")), Length(max=5000)],
    )
    make_entry = BooleanField(_l("Tạo luôn mục hỏi đáp (bản nháp) từ câu trả lời này"))


class EntryForm(BaseForm):
    """A curated Q&A entry."""

    slug = StringField(
        _l("Mã mục (chữ thường không dấu, nối bằng dấu gạch)"),
        validators=[
            DataRequired(_l("Hãy nhập mã mục.")),
            Length(max=120),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang."),
            ),
        ],
    )
    question = StringField(
        _l("Câu hỏi"), validators=[DataRequired(_l("Hãy nhập câu hỏi.")), Length(max=500)]
    )
    alternatives = TextAreaField(
        _l("Cách hỏi khác (mỗi dòng một cách)"), validators=[Optional(), Length(max=5000)]
    )
    answer = TextAreaField(
        _l("Trả lời (Markdown)"),
        validators=[DataRequired(_l("Hãy viết câu trả lời.")), Length(max=20000)],
    )
    sources = TextAreaField(
        _l("Nguồn (mỗi dòng một nguồn: văn bản còn hiệu lực, hoặc handbook:<mã chương>)"),
        validators=[DataRequired(_l("Hãy ghi ít nhất một nguồn.")), Length(max=5000)],
    )
    topic = SelectField(_l("Chủ đề"), choices=[(t, t) for t in TOPICS])
    checked_on = DateField(
        _l("Ngày kiểm tra lại nội dung"), validators=[DataRequired(_l("Hãy nhập ngày kiểm tra."))]
    )


class ReturnForm(BaseForm):
    """A reviewer's reason for sending an entry back."""

    comment = TextAreaField(
        _l("Ý kiến gửi người viết"),
        validators=[DataRequired(_l("Hãy ghi ý kiến.")), Length(max=2000)],
    )


class TermForm(BaseForm):
    """A glossary term: an abbreviation or synonym and what it means, or a term naming
    something outside the Party's procedures (no meaning then: outside.py)."""

    term = StringField(
        _l("Từ viết tắt hoặc cách nói"),
        validators=[DataRequired(_l("Hãy nhập từ.")), Length(max=100)],
    )
    kind = RadioField(
        _l("Loại từ"),
        choices=[
            ("synonym", _l("Viết tắt, từ đồng nghĩa: thay bằng nghĩa đầy đủ")),
            (
                "outside",
                _l("Việc ngoài phạm vi: câu hỏi chỉ nói về việc này thì không trả lời"),
            ),
        ],
        default="synonym",
        validators=[DataRequired(_l("Hãy chọn loại từ."))],
    )
    expansion = StringField(
        _l("Nghĩa đầy đủ"),
        validators=[Length(max=300)],  # required for a synonym: validate_expansion
        description=_l("Bỏ trống khi là việc ngoài phạm vi."),
    )

    def validate_expansion(self, field) -> None:
        """A synonym needs its meaning; an outside term has none."""
        if self.kind.data == "synonym" and not (field.data or "").strip():
            raise ValidationError(_l("Hãy nhập nghĩa đầy đủ."))
