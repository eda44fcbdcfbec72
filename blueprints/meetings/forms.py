"""Forms of the meetings feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from blueprints.meetings.models import MINUTES_MAX_CHARS, Majority, MeetingKind
from core.forms import BaseForm
from core.uploads import DOCUMENTS, AllowedUpload, upload_hint

REQUIRED = _l("Đồng chí hãy điền mục này.")


class MeetingEditForm(BaseForm):
    """Change a scheduled meeting's time, place, topic, chair and clerk before it starts."""

    topic = StringField(_l("Chủ đề"), validators=[DataRequired(REQUIRED), Length(max=255)])
    starts_at = DateTimeLocalField(
        _l("Ngày giờ bắt đầu"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Đồng chí hãy chọn ngày giờ bắt đầu."))],
    )
    place = StringField(_l("Địa điểm"), validators=[DataRequired(REQUIRED), Length(max=255)])
    # The view checks both are members of the cell, with a message in Vietnamese (WTForms'
    # own "Not a valid choice" would be English).
    chair_id = SelectField(_l("Chủ trì"), coerce=int, validate_choice=False)
    clerk_id = SelectField(_l("Thư ký"), coerce=int, validate_choice=False)
    guests = StringField(_l("Đại biểu, khách mời (nếu có)"), validators=[Length(max=500)])
    # Shown only after a date more than three months ahead was asked about.
    confirm_far_date = BooleanField(_l("Đúng, buổi sinh hoạt diễn ra vào ngày đã chọn"))

    def validate_clerk_id(self, field) -> None:
        """Chair and clerk both sign and approve the minutes: two different people, so that
        no one approves and locks the minutes alone."""
        if field.data and field.data == self.chair_id.data:
            raise ValidationError(
                _l(
                    "Thư ký phải là một đồng chí khác với chủ trì: biên bản cần hai người "
                    "cùng duyệt. Đồng chí hãy chọn người khác làm thư ký."
                )
            )


class MeetingForm(MeetingEditForm):
    """Schedule a meeting: what can be edited later, plus its kind and quorum rule.

    Templates render fields by name, so the order fields are declared in does not matter.
    """

    kind = SelectField(
        _l("Loại buổi sinh hoạt"),
        choices=MeetingKind.choices(),
    )
    combined = BooleanField(_l("Sinh hoạt định kỳ kết hợp chuyên đề"))
    # A meeting is valid with at least two thirds of the official members convened present;
    # a cell may ask for more, never less (services/rules.py says where the number comes from).
    quorum_percent = IntegerField(
        _l("Số đảng viên chính thức có mặt tối thiểu (phần trăm số được triệu tập)"),
        default=67,
        validators=[
            NumberRange(
                67,
                100,
                _l(
                    "Nhập một số từ 67 đến 100: buổi sinh hoạt cần ít "
                    "nhất hai phần ba (67 phần trăm) số đảng viên chính thức được triệu tập "
                    "có mặt; chi bộ có thể đặt mức cao hơn."
                ),
            )
        ],
        description=_l("67 là mức mặc định: hai phần ba số đảng viên chính thức được triệu tập."),
    )


class AgendaItemForm(BaseForm):
    """Add an agenda item."""

    title = StringField(_l("Nội dung mới"), validators=[DataRequired(REQUIRED), Length(max=255)])


class DocumentForm(BaseForm):
    """Attach a document to an agenda item."""

    item_id = SelectField(_l("Thuộc nội dung"), coerce=int)
    file = FileField(
        _l("Tệp tài liệu"),
        validators=[FileRequired(_l("Đồng chí hãy chọn tệp.")), AllowedUpload(DOCUMENTS)],
        description=upload_hint(DOCUMENTS),
    )


class RecommendationForm(BaseForm):
    """A member's recommendation before the meeting."""

    text = TextAreaField(
        _l("Kiến nghị của đồng chí"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )


class OpinionForm(BaseForm):
    """A written opinion on the current item."""

    key = HiddenField()
    text = TextAreaField(
        _l("Ý kiến của đồng chí về nội dung đang bàn"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )


class MotionForm(BaseForm):
    """A new motion to vote on."""

    text = StringField(
        _l("Nội dung biểu quyết"), validators=[DataRequired(REQUIRED), Length(max=500)]
    )
    secret = BooleanField(_l("Bỏ phiếu kín"))
    # The Statute's rule first (the default); the old "of those present" rule is not offered.
    majority = SelectField(
        _l("Điều kiện thông qua"),
        choices=[c for c in Majority.choices() if c[0] != Majority.PRESENT],
        default=Majority.ALL,
    )
    # Sent back by the console after it warned that the quorum is not reached.
    confirm_no_quorum = HiddenField()


class TaskForm(BaseForm):
    """A task for next month."""

    description = StringField(_l("Nhiệm vụ"), validators=[DataRequired(REQUIRED), Length(max=500)])
    assignee_id = SelectField(_l("Người thực hiện"), coerce=int)
    due_on = DateField(_l("Hạn hoàn thành"), validators=[Optional()])


class MinutesForm(BaseForm):
    """The clerk's edit of the minutes."""

    body = TextAreaField(
        _l("Nội dung biên bản"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                max=MINUTES_MAX_CHARS,
                message=_l(
                    "Biên bản dài quá %(max)d ký tự. Đồng chí hãy rút gọn, đưa phần dài (ví dụ "
                    "toàn văn tham luận) thành tài liệu đính kèm."
                ),
            ),
        ],
    )
    note = StringField(_l("Ghi chú sửa đổi"), validators=[Length(max=255)])


SCORE_CHOICES = [(str(i), str(i)) for i in range(1, 6)]


class RatingForm(BaseForm):
    """A member's 1–5 rating."""

    preparation = RadioField(_l("Chuẩn bị"), choices=SCORE_CHOICES, validators=[InputRequired()])
    proceedings = RadioField(
        _l("Diễn biến buổi sinh hoạt"), choices=SCORE_CHOICES, validators=[InputRequired()]
    )
    follow_through = RadioField(
        _l("Thực hiện sau buổi sinh hoạt"), choices=SCORE_CHOICES, validators=[InputRequired()]
    )
