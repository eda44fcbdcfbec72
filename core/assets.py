"""Static assets with content-hashed URLs, the web app manifest and the service worker.

A changed file gets a new URL (`?v=<hash>`), so browsers may cache static files for a year and
the service worker's cache version changes exactly when the app shell does.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Response, current_app, request, url_for

ROOT = Path(__file__).resolve().parent.parent

# The app shell: what a repeat visit needs without the network.
SHELL_FILES = (
    "css/app.css",
    "js/boot.js",
    "js/app.js",
    # Feature styles and scripts of the pages kept for offline reading.
    "css/handbook.css",
    "js/handbook.js",
    "css/meetings.css",
    "js/meetings.js",
    "css/roster.css",
    "vendor/htmx-2.0.11.min.js",
    "fonts/noto-sans-vietnamese-400-normal.woff2",
    "fonts/noto-sans-latin-400-normal.woff2",
    "fonts/noto-sans-vietnamese-700-normal.woff2",
    "fonts/noto-sans-latin-700-normal.woff2",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
)


@cache
def _file_hash(filename: str) -> str:
    path = ROOT / "static" / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.exists() else "0"


def asset_url(filename: str) -> str:
    """URL of a static file with its content hash, for long-lived caching."""
    return url_for("static", filename=filename, v=_file_hash(filename))


@cache
def shell_version() -> str:
    """One hash over the service worker and every app-shell file."""
    digest = hashlib.sha256((ROOT / "service-worker.js").read_bytes())
    for name in SHELL_FILES:
        digest.update(_file_hash(name).encode())
    return digest.hexdigest()[:12]


def manifest_response() -> Response:
    """The manifest from the repository root, with icon URLs resolved."""
    data = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    for icon in data.get("icons", []):
        icon["src"] = asset_url(icon["src"].removeprefix("/static/"))
    body = json.dumps(data, ensure_ascii=False, indent=1)
    response = current_app.response_class(body, mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    # Revalidated on every page: an unchanged manifest costs a 304, not the whole file.
    response.add_etag()
    return response.make_conditional(request)


def service_worker_response() -> Response:
    """The service worker from the repository root with its version and precache list filled in."""
    # Fonts are requested by the stylesheet without a version query, so cache them that way.
    precache = [url_for("main.offline")] + [
        url_for("static", filename=name) if name.startswith("fonts/") else asset_url(name)
        for name in SHELL_FILES
    ]
    script = (ROOT / "service-worker.js").read_text(encoding="utf-8")
    script = script.replace("__SHELL_VERSION__", shell_version()).replace(
        "__PRECACHE_URLS__", json.dumps(precache)
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    # The browser must always check for a new worker; scope is the whole site.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)
