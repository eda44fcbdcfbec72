"""Locale choice and Vietnamese-style formatting of dates and numbers.

Locale: the user's saved setting, then the `locale` cookie, then Accept-Language, then Vietnamese.
Numbers follow the locale (51.500 and 92,3% in Vietnamese); dates are always dd/MM/yyyy, spelled
out because CLDR's short Vietnamese pattern is d/M/yy.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

LOCALE_COOKIE = "locale"


def select_locale() -> str:
    """Flask-Babel locale selector (Vietnamese outside a request: CLI commands, jobs)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return "vi"
    user = current_user if current_user else None
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or "vi"


def fmt_date(value: date | datetime | None) -> str:
    """dd/MM/yyyy, or an empty string for no date."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    """dd/MM/yyyy HH:mm in the configured time zone (values are stored in UTC)."""
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def fmt_number(value: int | float | None) -> str:
    """51.500 in Vietnamese, 51,500 in English."""
    return "" if value is None else format_decimal(value)


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """92,3% in Vietnamese; `value` is a fraction (0.923)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern)


def init_i18n(app: Flask) -> None:
    """Register the formatting filters and the current language for templates."""
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, number=fmt_number, percent=fmt_percent
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "vi")
