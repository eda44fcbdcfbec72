"""Base form: every text field arrives NFC-normalised, with whitespace collapsed, only file
fields ever receive uploaded files, and WTForms' own messages are in the user's language."""

from __future__ import annotations

import unicodedata

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, PasswordField, StringField, TextAreaField

from core import form_messages
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

        def get_translations(self, form):
            # WTForms has no Vietnamese catalogue: its messages come from ours.
            return form_messages.translations

        def wrap_formdata(self, form, formdata):
            # Flask-WTF merges request.files into the form data, so a crafted upload under a
            # text field's name would reach its validators as a file object (a 500). Files
            # go to file fields only.
            data = FlaskForm.Meta.wrap_formdata(self, form, formdata)
            if not isinstance(data, CombinedMultiDict) or not request.files:
                return data
            names = {field.name for field in form if isinstance(field, FileField)}  # prefixed
            files = MultiDict([(k, v) for k, v in request.files.items(multi=True) if k in names])
            return CombinedMultiDict((files, request.form))


class EmptyForm(BaseForm):
    """A form that only carries the CSRF token (confirmations, "sign out the others")."""
