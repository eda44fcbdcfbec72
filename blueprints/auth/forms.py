"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import PasswordInput

from core.forms import BaseForm


class LoginForm(BaseForm):
    """Login by Party-card number, phone number or (staff) username."""

    login = StringField(
        _l("Số thẻ đảng viên hoặc số điện thoại"),
        validators=[
            DataRequired(_l("Đồng chí hãy nhập số thẻ đảng viên hoặc số điện thoại.")),
            Length(max=64),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Đồng chí hãy nhập mật khẩu.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này (30 ngày)"))


class ChangePasswordForm(BaseForm):
    """Change one's own password; the current one is asked for except right after the slip.

    The new password is typed back into the form after an error (hide_value=False), so an
    older member need not type a long sentence twice because of one mistake elsewhere.
    """

    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(_l("Đồng chí hãy nhập mật khẩu hiện tại."))],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Đồng chí hãy nhập mật khẩu mới.")), Length(max=256)],
        render_kw={"autocomplete": "new-password", "minlength": 8},
        widget=PasswordInput(hide_value=False),
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(_l("Đồng chí hãy nhập lại mật khẩu mới.")),
            EqualTo("new", _l("Hai lần nhập mật khẩu mới không khớp nhau.")),
        ],
        render_kw={"autocomplete": "new-password"},
        widget=PasswordInput(hide_value=False),
    )


class AccountStateForm(BaseForm):
    """Lock or unlock a member's account: the reason is required and kept in the audit log."""

    reason = StringField(
        _l("Lý do"),
        validators=[
            DataRequired(_l("Đồng chí hãy ghi lý do (sẽ lưu vào nhật ký).")),
            Length(min=3, max=200, message=_l("Lý do cần từ 3 đến 200 ký tự.")),
        ],
        description=_l("Ví dụ: mất điện thoại, nghi bị lộ mật khẩu, đã tìm lại được điện thoại."),
    )
