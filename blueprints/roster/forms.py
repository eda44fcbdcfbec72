"""Forms of the roster: file upload, account issuance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField

from core.forms import BaseForm


class ImportForm(BaseForm):
    """Upload a units or members file for one of the user's committees."""

    kind = RadioField(
        _l("Loại dữ liệu"),
        choices=[("members", _l("Danh sách đảng viên")), ("units", _l("Danh sách đơn vị"))],
        default="members",
    )
    unit = SelectField(_l("Nhập cho đơn vị"), coerce=int)
    file = FileField(
        _l("Tệp Excel (.xlsx) hoặc CSV"),
        validators=[FileRequired(_l("Đồng chí hãy chọn tệp cần nhập."))],
        render_kw={"accept": ".xlsx,.csv,text/csv"},
    )


class IssueForm(BaseForm):
    """Issue accounts for a whole unit."""

    mode = RadioField(
        _l("Cấp tài khoản cho"),
        choices=[
            ("new", _l("Chỉ những đảng viên chưa có tài khoản")),
            ("all", _l("Tất cả đảng viên (cấp lại: mật khẩu cũ hết hiệu lực)")),
        ],
        default="new",
    )
