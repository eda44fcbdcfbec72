"""Static assets with content-hashed URLs, the web app manifest and the service worker.

A changed file gets a new URL (`?v=<hash>`), so browsers may cache static files for a year and
the service worker's cache version changes exactly when the app shell does.

Which pages the worker keeps offline, and how, is the one list `OFFLINE_ROUTES` below: it
names endpoints, and the path patterns the worker matches are made from their rules in
`app.url_map` when the worker is served. So a moved or renamed route moves its offline rule
with it (a name that no longer exists fails loudly), and the worker never repeats the URL map.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

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
    "css/assistant.css",
    "js/assistant.js",
    "vendor/htmx-2.0.11.min.js",
    "fonts/noto-sans-vietnamese-400-normal.woff2",
    "fonts/noto-sans-latin-400-normal.woff2",
    "fonts/noto-sans-vietnamese-700-normal.woff2",
    "fonts/noto-sans-latin-700-normal.woff2",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
)


# How the service worker treats each page (the strategies are described in service-worker.js).
# Each pattern matches the rule's whole path; "prefix" patterns match the rule's path and
# everything below it.
OFFLINE_ROUTES: dict[str, tuple[str, ...]] = {
    # Handbook chapters and documents: the saved copy at once, refreshed in the background.
    "swr": ("handbook.handbook_index", "handbook.chapter", "handbook.document"),
    # The live meeting page: the network first, the saved copy after a few seconds.
    "live": ("meetings.live",),
    # Other pages of the account: the network first, the saved copy without a network.
    "kept": (
        "main.home",
        "handbook.handbook_index",
        "handbook.documents",
        "handbook.news",
        "handbook.news_item",
        "meetings.index",
        "meetings.detail",
        "cards.mine",
        "cards.new",
        "cards.detail",
        "members.my_card",
        "handbook.bookmarks",
        "assistant.index",
        "assistant.entry",
    ),
    # Attachments and meeting documents: the saved copy first, they do not change.
    "files": ("handbook.attachment", "meetings.document"),
}
# Saved copies never pruned for age: the handbook (its rule's path and everything below it).
NEVER_PRUNED_PREFIXES = ("handbook.handbook_index",)

# What each URL converter matches in a path (werkzeug's own regexes are not JavaScript's).
_CONVERTER_PATTERNS = {"int": r"\d+", "default": "[^/]+", "string": "[^/]+", "path": "[^/].*"}
_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")
_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}])")


def _path_pattern(rule: str, *, prefix: bool = False) -> str:
    """A JavaScript-compatible regular expression for the paths of a werkzeug rule."""
    out, pos = ["^"], 0
    for m in _VARIABLE.finditer(rule):
        out.append(_SPECIAL.sub(r"\\\1", rule[pos : m.start()]))
        out.append(_CONVERTER_PATTERNS[m.group(1) or "default"])  # a new converter: add it
        pos = m.end()
    tail = rule[pos:]
    if prefix:
        out.append(_SPECIAL.sub(r"\\\1", tail.rstrip("/")) + "(/|$)")
    else:
        out.append(_SPECIAL.sub(r"\\\1", tail) + "$")
    return "".join(out)


def _rules_of(app: Flask, endpoint: str) -> list[str]:
    try:
        rules = [r.rule for r in app.url_map.iter_rules(endpoint) if "GET" in (r.methods or ())]
    except KeyError:
        rules = []
    if not rules:
        raise LookupError(f"OFFLINE_ROUTES names {endpoint!r}, which has no GET route")
    return rules


def offline_routes(app: Flask) -> dict[str, list[str]]:
    """The path patterns of `OFFLINE_ROUTES`, as the service worker receives them."""
    routes = {
        kind: [_path_pattern(rule) for e in endpoints for rule in _rules_of(app, e)]
        for kind, endpoints in OFFLINE_ROUTES.items()
    }
    routes["neverPruned"] = [
        _path_pattern(rule, prefix=True)
        for e in NEVER_PRUNED_PREFIXES
        for rule in _rules_of(app, e)
    ]
    return routes


@cache
def _file_hash(filename: str) -> str:
    path = ROOT / "static" / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.exists() else "0"


def asset_url(filename: str) -> str:
    """URL of a static file with its content hash, for long-lived caching."""
    return url_for("static", filename=filename, v=_file_hash(filename))


@cache
def _shell_files_digest() -> str:
    digest = hashlib.sha256((ROOT / "service-worker.js").read_bytes())
    for name in SHELL_FILES:
        digest.update(_file_hash(name).encode())
    return digest.hexdigest()


def shell_version() -> str:
    """One hash over the service worker, every app-shell file and the offline routes."""
    routes = json.dumps(offline_routes(current_app), sort_keys=True)
    return hashlib.sha256((_shell_files_digest() + routes).encode()).hexdigest()[:12]


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


def _htmx_cdn() -> str:
    """The CDN address of htmx that pages ask for, or "" when the CDN is not used."""
    return current_app.config["HTMX_CDN_URL"] if current_app.config.get("USE_HTMX_CDN") else ""


def service_worker_response() -> Response:
    """The service worker from the repository root with its version and precache list filled in."""
    # Fonts are requested by the stylesheet without a version query, so cache them that way.
    precache = [url_for("main.offline")] + [
        url_for("static", filename=name) if name.startswith("fonts/") else asset_url(name)
        for name in SHELL_FILES
    ]
    script = (ROOT / "service-worker.js").read_text(encoding="utf-8")
    script = (
        script.replace("__SHELL_VERSION__", shell_version())
        .replace("__PRECACHE_URLS__", json.dumps(precache))
        .replace("__OFFLINE_ROUTES__", json.dumps(offline_routes(current_app)))
        .replace("__HTMX_CDN__", json.dumps(_htmx_cdn()))
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    # The browser must always check for a new worker; scope is the whole site.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)
