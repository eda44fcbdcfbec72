"""Locale choice and Vietnamese-style formatting of dates and numbers.

Locale: Vietnamese unless the person chose English (their saved setting, then the `locale`
cookie set by the language switch). The browser's Accept-Language is ignored on purpose: many
cheap phones ship set to English, and their owners still read Vietnamese.
Numbers follow the locale (51.500 and 92,3% in Vietnamese); dates are always dd/MM/yyyy, spelled
out because CLDR's short Vietnamese pattern is d/M/yy.

Every date or time the app shows or prints (pages, minutes DOCX/PDF, audit log, card requests)
goes through `fmt_date` / `fmt_datetime`, which first move a moment into Vietnam time
(`local_time`): models store naive UTC, so 06:30 on 15/12 in Vietnam is 23:30 on 14/12 in the
database and must still print as 15/12. Plain `date` values (birth dates, due dates) are days,
not moments, and are printed as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale, get_timezone
from flask_babel import gettext as _
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
    return "vi"  # never Accept-Language: a phone's factory language is not a choice


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


def fmt_month(value: date | datetime | None) -> str:
    """A month written the one way the app writes months, MM/yyyy ("03/2026", read after the
    word "tháng"), like the month part of every date; the month in Vietnam for a moment."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    return value.strftime("%m/%Y")


def fmt_day(value: date | datetime | None) -> str:
    """The weekday and the date, "Thứ Sáu, 03/12/2026": what a person is shown for a day they
    must act on (a meeting, a deadline, a badge). Weekday names from CLDR (vi: Thứ Hai … Chủ
    Nhật), the date always dd/MM/yyyy."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    locale = get_locale() if has_request_context() else "vi"
    return f"{format_date(value, 'EEEE', locale=locale or 'vi')}, {value.strftime('%d/%m/%Y')}"


def fmt_day_time(value: datetime | None) -> str:
    """ "Thứ Sáu, 03/12/2026 lúc 19:30" in Vietnam time (a meeting's start)."""
    if value is None:
        return ""
    moment = local_time(value)
    return _("%(day)s lúc %(time)s", day=fmt_day(moment), time=moment.strftime("%H:%M"))


def fmt_datetime(value: datetime | None) -> str:
    """dd/MM/yyyy HH:mm in Vietnam time, or an empty string for no moment."""
    if value is None:
        return ""
    return local_time(value).strftime("%d/%m/%Y %H:%M")


def _symbols() -> tuple[str, str]:
    """The current locale's group and decimal signs ("." and "," in Vietnamese), kept on the
    Babel locale object so a page formatting thousands of figures reads them once."""
    locale = get_locale()
    symbols = getattr(locale, "_sotay_signs", None)
    if symbols is None:
        found = locale.number_symbols.get("latn", {})
        symbols = (found.get("group", ","), found.get("decimal", "."))
        locale._sotay_signs = symbols
    return symbols


def _localised(text: str, symbols: tuple[str, str]) -> str:
    """Python's "1,234.5" with the locale's signs."""
    group, decimal = symbols
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def _fast_number(value, symbols: tuple[str, str]) -> str:
    return _localised(f"{value:,}", symbols)


def _fast_percent(value: float, digits: int, symbols: tuple[str, str]) -> str:
    # Round half to even on the decimal value, as Babel does (exact at every 0,05% step).
    shown = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
    return _localised(f"{shown:,}", symbols) + "%"


def fmt_number(value: int | float | None) -> str:
    """51.500 in Vietnamese, 51,500 in English."""
    if value is None:
        return ""
    # Whole numbers (nearly every figure of the dashboards, thousands per page) without Babel's
    # pattern machinery, which costs ~0,2 ms a call; same output.
    if isinstance(value, int) and not isinstance(value, bool) and has_request_context():
        return _fast_number(value, _symbols())
    return format_decimal(value)


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """92,3% in Vietnamese; `value` is a fraction (0.923)."""
    if value is None:
        return ""
    if has_request_context():
        return _fast_percent(value, digits, _symbols())
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern)


def formatters() -> tuple[Callable[[int | None], str], Callable[[float | None], str]]:
    """`fmt_number` and `fmt_percent` bound to the current locale, for a loop over many
    figures (a dashboard table): the locale is looked up once instead of once a value."""
    if not has_request_context():
        return fmt_number, fmt_percent
    symbols = _symbols()

    def number(value) -> str:
        if value is None:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            return _fast_number(value, symbols)
        return format_decimal(value)

    def percent(value) -> str:
        return "" if value is None else _fast_percent(value, 1, symbols)

    return number, percent


def init_i18n(app: Flask) -> None:
    """Register the formatting filters and the current language for templates."""
    app.jinja_env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        day=fmt_day,
        day_time=fmt_day_time,
        month=fmt_month,
        number=fmt_number,
        percent=fmt_percent,
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "vi")
