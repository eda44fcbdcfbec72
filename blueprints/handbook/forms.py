"""Editor forms: an article's text and metadata, a review decision, an upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from blueprints.handbook.markup import MAX_CHARS, SafeMarkdown
from core.forms import BaseForm
from core.uploads import IMAGES_AND_PDF, AllowedUpload, upload_hint


class ArticleForm(BaseForm):
    """Title, summary, Markdown body, target unit and the fields of the article's kind."""

    title = StringField(
        _l("Tiêu đề"), validators=[DataRequired(_l("Hãy nhập tiêu đề.")), Length(max=300)]
    )
    summary = TextAreaField(_l("Tóm tắt"), validators=[Optional(), Length(max=1000)])
    body = TextAreaField(
        _l("Nội dung (Markdown)"),
        validators=[
            DataRequired(_l("Hãy nhập nội dung.")),
            SafeMarkdown(),  # length (MAX_CHARS), bracket nesting, render time
        ],
        render_kw={"maxlength": MAX_CHARS},
    )
    unit_id = SelectField(_l("Gửi đến"), coerce=int)
    category = SelectField(_l("Loại"), validators=[Optional()])
    slug = StringField(
        _l("Đường dẫn (chữ thường không dấu, nối bằng dấu gạch)"),
        validators=[
            Optional(),
            Length(max=120),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang."),
            ),
        ],
    )
    position = IntegerField(
        _l("Thứ tự chương"), validators=[Optional(), NumberRange(min=0, max=10000)]
    )
    doc_number = StringField(_l("Số, ký hiệu"), validators=[Optional(), Length(max=64)])
    issued_on = DateField(_l("Ngày ban hành"), validators=[Optional()])
    issuer = StringField(_l("Cơ quan ban hành"), validators=[Optional(), Length(max=255)])
    publish_at = DateTimeLocalField(
        _l("Hẹn giờ xuất bản (để trống: xuất bản ngay khi được duyệt)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    note = StringField(_l("Ghi chú cho lần lưu này"), validators=[Optional(), Length(max=500)])


class ReviewForm(BaseForm):
    """A reviewer's comment when sending an article back."""

    comment = TextAreaField(
        _l("Ý kiến gửi người viết"),
        validators=[
            DataRequired(_l("Hãy ghi ý kiến để người viết biết cần sửa gì.")),
            Length(max=2000),
        ],
    )


class UploadForm(BaseForm):
    """An image (PNG, JPEG, GIF, WebP) or a PDF for an article, checked from its bytes."""

    file = FileField(
        _l("Tệp ảnh hoặc PDF"),
        validators=[FileRequired(_l("Hãy chọn một tệp.")), AllowedUpload(IMAGES_AND_PDF)],
        description=upload_hint(IMAGES_AND_PDF),
    )
