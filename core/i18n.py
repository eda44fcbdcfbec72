"""Locale choice and Vietnamese-style formatting of dates and numbers.

Locale: the user's saved setting, then the `locale` cookie, then Accept-Language, then Vietnamese.
Numbers follow the locale (51.500 and 92,3% in Vietnamese); dates are always dd/MM/yyyy, spelled
out because CLDR's short Vietnamese pattern is d/M/yy.

Every date or time the app shows or prints (pages, minutes DOCX/PDF, audit log, card requests)
goes through `fmt_date` / `fmt_datetime`, which first move a moment into Vietnam time
(`local_time`): models store naive UTC, so 06:30 on 15/12 in Vietnam is 23:30 on 14/12 in the
database and must still print as 15/12. Plain `date` values (birth dates, due dates) are days,
not moments, and are printed as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale, get_timezone
from flask_login import current_user

LOCALE_COOKIE = "locale"
# The zone shown outside an application context (a script formatting a date by itself).
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


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


def _zone() -> tzinfo:
    """The configured display zone (BABEL_DEFAULT_TIMEZONE), Vietnam without an app."""
    return get_timezone() if has_app_context() else ZoneInfo(DEFAULT_TIMEZONE)


def local_time(value: datetime) -> datetime:
    """The moment in the display zone; a naive value is UTC, as every model stores it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone())


def fmt_date(value: date | datetime | None) -> str:
    """dd/MM/yyyy (the day in Vietnam for a moment), or an empty string for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    """dd/MM/yyyy HH:mm in Vietnam time, or an empty string for no moment."""
    if value is None:
        return ""
    return local_time(value).strftime("%d/%m/%Y %H:%M")


_SYMBOLS: dict[str, tuple[str, str]] = {}


def _symbols() -> tuple[str, str]:
    """The locale's group and decimal signs ("." and "," in Vietnamese), read once a locale."""
    locale = get_locale()
    key = str(locale)
    if key not in _SYMBOLS:
        symbols = locale.number_symbols.get("latn", {})
        _SYMBOLS[key] = (symbols.get("group", ","), symbols.get("decimal", "."))
    return _SYMBOLS[key]


def _localised(text: str) -> str:
    """Python's "1,234.5" with the locale's signs."""
    group, decimal = _symbols()
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def fmt_number(value: int | float | None) -> str:
    """51.500 in Vietnamese, 51,500 in English."""
    if value is None:
        return ""
    # Whole numbers (nearly every figure of the dashboards, thousands per page) without Babel's
    # pattern machinery, which costs ~0,2 ms a call; same output.
    if isinstance(value, int) and not isinstance(value, bool) and has_request_context():
        return _localised(f"{value:,}")
    return format_decimal(value)


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """92,3% in Vietnamese; `value` is a fraction (0.923)."""
    if value is None:
        return ""
    if has_request_context():
        # Round half to even on the decimal value, as Babel does (0.0005 steps stay exact).
        from decimal import ROUND_HALF_EVEN, Decimal

        shown = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
        return _localised(f"{shown:,}") + "%"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern)


def init_i18n(app: Flask) -> None:
    """Register the formatting filters and the current language for templates."""
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, number=fmt_number, percent=fmt_percent
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "vi")
