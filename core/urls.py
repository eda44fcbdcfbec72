"""Absolute URLs (login slips, QR codes, the Atom feed) built from configuration.

The Host header is chosen by whoever sends the request, so it never decides where a printed
QR code points. With `PUBLIC_URL` set, absolute URLs use it (Flask's SERVER_NAME and its
scheme); without it they use the request's host, which `TRUSTED_HOSTS` has already checked
(an untrusted Host is answered with a 400 page before any view runs, see core/errors.py).
"""

from __future__ import annotations

from flask import Flask, current_app, request, url_for


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint`, on the configured public address when there is one."""
    if current_app.config.get("PUBLIC_URL"):
        values["_scheme"] = current_app.config["PREFERRED_URL_SCHEME"]
    return url_for(endpoint, _external=True, **values)


def site_url() -> str:
    """The site's address as members should type it, without a trailing slash."""
    return current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")


def init_urls(app: Flask) -> None:
    """Make `external_url` available to templates."""
    app.jinja_env.globals["external_url"] = external_url
