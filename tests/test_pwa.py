"""Installable app: manifest and service worker from the site root, shell files that exist."""

import json
import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest(client):
    response = client.get("/manifest.json")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Sổ tay đảng viên điện tử"
    assert manifest["short_name"] == "Sổ tay ĐV"
    assert manifest["lang"] == "vi"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {}
    for icon in manifest["icons"]:
        data = client.get(icon["src"]).data
        sizes[(icon["sizes"], icon.get("purpose", "any"))] = _png_size(data)
    assert sizes[("192x192", "any")] == (192, 192)
    assert sizes[("512x512", "any")] == (512, 512)
    assert sizes[("512x512", "maskable")] == (512, 512)


def test_service_worker_from_root_with_working_precache(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    assert "__SHELL_VERSION__" not in script
    urls = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    assert "/offline" in urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_pages_link_the_manifest_and_register_the_worker(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.json"' in html
    assert 'data-sw="/service-worker.js"' in html


def test_htmx_local_copy_and_pinned_cdn_with_sri(app, client):
    html = client.get("/").get_data(as_text=True)
    assert "vendor/htmx-2.0.11.min.js" in html  # the local fallback is always there
    app.config["USE_HTMX_CDN"] = True
    try:
        response = client.get("/")
    finally:
        app.config["USE_HTMX_CDN"] = False
    html = response.get_data(as_text=True)
    # boot.js asks the CDN without blocking the page (never a plain <script src> for it) and
    # takes the local copy after 1,5 s; the SRI hash goes with the request.
    assert 'data-cdn="https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"' in html
    assert 'src="https://cdn.jsdelivr.net' not in html
    assert 'data-sri="sha384-' in html
    assert "https://cdn.jsdelivr.net" in response.headers["Content-Security-Policy"]


def test_service_worker_keeps_the_cdn_copy_of_htmx(app, client):
    app.config["USE_HTMX_CDN"] = True
    try:
        script = client.get("/service-worker.js").get_data(as_text=True)
    finally:
        app.config["USE_HTMX_CDN"] = False
    assert (
        'const HTMX_CDN = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js";'
        in script
    )
    assert 'const HTMX_CDN = "";' in client.get("/service-worker.js").get_data(as_text=True)


def test_sri_hash_matches_the_local_copy(app):
    import base64
    import hashlib
    from pathlib import Path

    data = (Path(app.static_folder) / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert app.config["HTMX_SRI"] == f"sha384-{digest}"


def test_static_assets_compressed_and_long_cached_html_not_compressed(client):
    html = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in html.headers  # BREACH: no compression next to CSRF tokens
    src = re.search(r'data-htmx="(/static/vendor/htmx[^"]+)"', html.get_data(as_text=True)).group(1)
    script = client.get(src, headers={"Accept-Encoding": "br, gzip"})
    assert script.headers["Content-Encoding"] in ("br", "gzip")
    assert len(script.data) < 25_000  # 52 KB of htmx travels as well under half
    assert "max-age=31536000" in script.headers["Cache-Control"]


# What each page of the app got from the worker's hand-written regexes before the routes came
# from the server: the generated patterns must treat every page the same way.
EXPECTED_KINDS = {
    "/": {"kept"},
    "/handbook/": {"swr", "kept"},
    "/handbook/dang-phi": {"swr"},
    "/documents/": {"kept"},
    "/documents/12": {"swr"},
    "/news/": {"kept"},
    "/news/7": {"kept"},
    "/news/feed.atom": set(),
    "/meetings/": {"kept"},
    "/meetings/3": {"kept"},
    "/meetings/3/live": {"live"},
    "/meetings/3/documents/4": {"files"},
    "/meetings/3/console": set(),
    "/card-requests": {"kept"},
    "/card-requests/new": {"kept"},
    "/card-requests/5": {"kept"},
    "/card-requests/queue": set(),
    "/me": {"kept"},
    "/bookmarks": {"kept"},
    "/files/9/anh%20chup.png": {"files"},
    "/search": set(),
    "/editor/": set(),
    "/login": set(),
}


def _routes(client) -> dict[str, list[str]]:
    script = client.get("/service-worker.js").get_data(as_text=True)
    return json.loads(re.search(r"const ROUTES = (\{.*?\});", script).group(1))


def test_worker_gets_its_offline_routes_from_the_url_map(client):
    routes = _routes(client)
    for path, kinds in EXPECTED_KINDS.items():
        got = {
            k
            for k in ("swr", "live", "kept", "files")
            if any(re.search(p, path) for p in routes[k])
        }
        assert got == kinds, path
    never_pruned = [
        p for p in EXPECTED_KINDS if any(re.search(r, p) for r in routes["neverPruned"])
    ]
    assert never_pruned == ["/handbook/", "/handbook/dang-phi"]
    source = (ROOT / "service-worker.js").read_text("utf-8")
    assert not re.search(r"/\^\\/", source)  # no path pattern written by hand


def test_worker_version_follows_the_offline_routes(app, client, monkeypatch):
    import core.assets

    script = client.get("/service-worker.js").get_data(as_text=True)
    before = re.search(r'const VERSION = "(\w+)"', script).group(1)
    routes = {**core.assets.OFFLINE_ROUTES, "kept": ("main.home",)}
    monkeypatch.setattr(core.assets, "OFFLINE_ROUTES", routes)
    script = client.get("/service-worker.js").get_data(as_text=True)
    assert re.search(r'const VERSION = "(\w+)"', script).group(1) != before
    assert _routes(client)["kept"] == ["^/$"]
    monkeypatch.setattr(core.assets, "OFFLINE_ROUTES", {**routes, "kept": ("main.nowhere",)})
    with app.app_context(), pytest.raises(LookupError, match=r"main\.nowhere"):
        core.assets.offline_routes(app)


def test_one_date_header_through_a_real_server(app):
    """Werkzeug's `make_conditional` adds a Date and so does the HTTP server: sent twice, the
    browser joins them into one value no parser reads, and the service worker pruned saved
    meeting documents as undated. Through a real server each response has exactly one."""
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        for path in ("/static/css/app.css", "/manifest.json", "/service-worker.js", "/login"):
            with urllib.request.urlopen(base + path) as response:  # noqa: S310 (http, local)
                dates = response.headers.get_all("Date")
            assert dates and len(dates) == 1, (path, dates)
    finally:
        server.shutdown()
