"""Security headers, a nonce-based Content-Security-Policy and per-request secure cookies."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for
from flask.sessions import SecureCookieSessionInterface


def safe_next_url(target: str | None) -> str:
    """`target` when it is a path on this site, else the home page (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.home")


def csp_nonce() -> str:
    """The nonce of this response's Content-Security-Policy (templates put it on <script>)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _csp(nonce: str) -> str:
    cdn = "https://cdn.jsdelivr.net" if current_app.config.get("USE_HTMX_CDN") else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {cdn}".strip(),
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "manifest-src 'self'",
            "worker-src 'self'",
            "frame-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


def add_security_headers(response):
    """after_request hook: CSP and the usual hardening headers."""
    headers = response.headers
    if request.endpoint == "static" and response.mimetype != "image/svg+xml":
        # Fonts, styles, scripts and images are not documents: a policy on them does nothing
        # and costs ~600 bytes on each of the ~20 files of a first visit.
        headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    headers.setdefault("Content-Security-Policy", _csp(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html" and _logged_in():
        # A member's pages must not come back from the browser cache (or the back button)
        # for the next person who uses the same phone.
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _logged_in() -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))


class PerRequestSecureSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS.

    One deployment can be reached over plain HTTP on 127.0.0.1 (make run) and over HTTPS behind
    a proxy; a static SESSION_COOKIE_SECURE would break one of them.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_security(app: Flask) -> None:
    """Install the session interface, the header hook and the `csp_nonce` template global."""
    app.session_interface = PerRequestSecureSessionInterface()
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
