"""Administrator forms: granting a role on a unit, filtering the audit log."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from blueprints.audit.labels import ACTION_GROUPS
from blueprints.auth.models import Role
from core.forms import BaseForm


class GrantRoleForm(BaseForm):
    """Who (login), which role, on which unit (code)."""

    login = StringField(
        _l("Tài khoản (số thẻ, số điện thoại hoặc tên đăng nhập)"),
        validators=[DataRequired(_l("Đồng chí hãy nhập tài khoản.")), Length(max=64)],
    )
    role = SelectField(_l("Vai trò"), choices=Role.choices())
    unit_code = StringField(
        _l("Mã đơn vị"),
        validators=[DataRequired(_l("Đồng chí hãy nhập mã đơn vị.")), Length(max=32)],
    )


class AuditFilterForm(BaseForm):
    """Filters of the audit log, read from the query string (a GET changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Loại thao tác"), validators=[Optional()])
    login = StringField(
        _l("Người thực hiện"),
        description=_l("Số thẻ, số điện thoại hoặc tên đăng nhập."),
        validators=[Optional(), Length(max=64)],
    )
    date_from = DateField(_l("Từ ngày"), validators=[Optional()], render_kw={"autocomplete": "off"})
    date_to = DateField(_l("Đến ngày"), validators=[Optional()], render_kw={"autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices: dict = {None: [("", _("Tất cả"))]}
        for group, labels in ACTION_GROUPS:
            choices[str(group)] = [(code, str(label)) for code, label in labels.items()]
        self.action.choices = choices

    def validate_date_from(self, field) -> None:
        """A plausible day (year 2000–2100: 0001-01-01 or 9999-12-31 would overflow in UTC)."""
        _plausible(field)

    def validate_date_to(self, field) -> None:
        """A plausible day, not before the start of the range."""
        _plausible(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))


def _plausible(field) -> None:
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_("Hãy chọn một ngày từ năm 2000 đến năm 2100."))
