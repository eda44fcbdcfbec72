"""Security headers, a nonce-based Content-Security-Policy, file-response protection, the
cache policy (nothing behind a login is public) and per-request secure cookies."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for
from flask.sessions import SecureCookieSessionInterface

from core.permissions import PUBLIC
from core.uploads import protect_file_response


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
    # The one CDN file, by its full URL (a path without a trailing slash matches exactly that
    # file), never the whole host: jsdelivr serves every npm package. The tag carries SRI too.
    cdn = current_app.config["HTMX_CDN_URL"] if current_app.config.get("USE_HTMX_CDN") else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {cdn}".strip(),
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            # The service worker fetches the same one file to keep it (its own policy is this).
            f"connect-src 'self' {cdn}".strip(),
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


# Files that are the same for everyone and carry no personal data: the only responses that
# may be stored by shared caches when a member is logged in.
PUBLIC_ASSET_ENDPOINTS = frozenset({"static", "main.manifest", "main.service_worker"})


def _view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _is_file_response(response) -> bool:
    """A download or a user file: anything not a page, a fragment, JSON or plain text."""
    if "Content-Disposition" in response.headers:
        return True
    return response.mimetype not in PAGE_TYPES and request.endpoint not in PUBLIC_ASSET_ENDPOINTS


PAGE_TYPES = frozenset({"text/html", "application/json", "text/plain", "application/atom+xml"})


def _cache_policy(response) -> None:
    """Responses to a logged-in member, or of any route that is not public, stay private.

    `private, no-store` by default; a view may keep its own `no-store`, or `private,
    no-cache` (revalidation with an ETag, used for files). The service worker's offline
    copies are unaffected: it stores responses itself through the Cache API, which does not
    read Cache-Control.
    """
    if request.endpoint in PUBLIC_ASSET_ENDPOINTS:
        return
    public_route = getattr(_view(), "permission", None) == PUBLIC
    if public_route and not _logged_in():
        return
    current = response.headers.get("Cache-Control", "")
    kept = "no-store" in current or ("private" in current and "no-cache" in current)
    if not kept or "public" in current:
        response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")


def add_security_headers(response):
    """after_request hook: CSP, the usual hardening headers, file protection, cache policy."""
    headers = response.headers
    # The HTTP server (Werkzeug, gunicorn) writes Date itself; the one `make_conditional` and
    # `send_file` add came out as a second header, joined by the browser into "date, date",
    # which no parser reads: the service worker took saved meeting documents for undated
    # copies and pruned them.
    headers.pop("Date", None)
    _cache_policy(response)
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
    if _is_file_response(response):
        # Downloads and user files: a policy that runs nothing, whatever the bytes are.
        protect_file_response(response)
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
