"""What every page needs: display preferences, htmx settings, the static route's permission."""

from __future__ import annotations

import json

from flask import Flask, current_app, request
from flask_login import current_user

from core.permissions import PUBLIC, can, has_role, permission

LARGE_TEXT_COOKIE = "large_text"
CONTRAST_COOKIE = "high_contrast"

# htmx reads this from a <meta> tag: no inline indicator styles (CSP has no unsafe-inline),
# no eval, and no history snapshots of personal pages in localStorage.
HTMX_CONFIG = json.dumps(
    {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "selfRequestsOnly": True,
        # Error responses carry a Vietnamese message fragment (see core/errors.py): swap it.
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "[45]..", "swap": True, "error": True},
        ],
    }
)


def display_prefs() -> dict[str, bool]:
    """Large text and high contrast, from the account when logged in, else from cookies."""
    if current_user.is_authenticated:
        return {"large_text": current_user.large_text, "high_contrast": current_user.high_contrast}
    return {
        "large_text": request.cookies.get(LARGE_TEXT_COOKIE) == "1",
        "high_contrast": request.cookies.get(CONTRAST_COOKIE) == "1",
    }


def adopt_device_prefs(user) -> None:
    """At login, keep what was chosen on the login page: the device's display cookies, when
    set, become the account's settings (an older member who turned on large text to read the
    login form must not lose it on the next page)."""
    for setting, cookie in (("large_text", LARGE_TEXT_COOKIE), ("high_contrast", CONTRAST_COOKIE)):
        value = request.cookies.get(cookie)
        if value in ("0", "1"):
            setattr(user, setting, value == "1")


def _layout_context() -> dict:
    return {
        "prefs": display_prefs(),
        "htmx_config": HTMX_CONFIG,
        "has_role": lambda *roles: has_role(current_user, *roles),
        "can": lambda action, obj=None: can(current_user, action, obj),
        "config": current_app.config,
    }


def init_layout(app: Flask) -> None:
    """Install the context processor and declare the static route public."""
    app.context_processor(_layout_context)
    static_view = permission(PUBLIC, before_password_change=True)(app.view_functions["static"])
    app.view_functions["static"] = static_view
