"""Base form: every text field arrives NFC-normalised, with whitespace collapsed."""

from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from core.text import clean, clean_multiline


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """FlaskForm (with CSRF) whose text inputs are cleaned before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ())) + list(
                options.get("filters", ())
            )
            field_class = unbound_field.field_class
            if issubclass(field_class, PasswordField):
                filters.append(_nfc)  # keep spaces: they are part of a password
            elif issubclass(field_class, TextAreaField):
                filters.append(lambda v: clean_multiline(v) if isinstance(v, str) else v)
            elif issubclass(field_class, StringField):
                filters.append(lambda v: clean(v) if isinstance(v, str) else v)
            options["filters"] = filters
            return unbound_field.bind(form=form, **options)
