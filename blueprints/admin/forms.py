"""Form to grant a role on a unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints.auth.models import ROLE_LABELS
from core.forms import BaseForm


class GrantRoleForm(BaseForm):
    """Who (login), which role, on which unit (code)."""

    login = StringField(
        _l("Tài khoản (số thẻ, số điện thoại hoặc tên đăng nhập)"),
        validators=[DataRequired(_l("Vui lòng nhập tài khoản.")), Length(max=64)],
    )
    role = SelectField(_l("Vai trò"), choices=[(k.value, v) for k, v in ROLE_LABELS.items()])
    unit_code = StringField(
        _l("Mã đơn vị"),
        validators=[DataRequired(_l("Vui lòng nhập mã đơn vị.")), Length(max=32)],
    )
