"""htmx starts with our configuration whether it came from the CDN or from the local copy, and a
blocked, hanging or absent CDN never leaves the page without it (boot.js)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login_in_browser, wait_for_service_worker
from tests.conftest import PASSWORD


def test_local_htmx_initialises_with_csp_safe_config(live_server, new_page):
    page = new_page(viewport=PHONE)
    page.goto(live_server + "/login")
    page.wait_for_function("() => window.htmx && htmx.config.allowEval === false")
    config = page.evaluate("() => htmx.config")
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert config["responseHandling"][-1]["swap"] is True
    # No inline <style> was injected (the CSP would refuse it anyway).
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0


# --- issue 13: the CDN never blocks -------------------------------------------------------

CDN_ROUTE = "https://cdn.jsdelivr.net/npm/htmx.org@*/dist/htmx.min.js"
LOCAL_COPY = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx-2.0.11.min.js"
STARTED = "() => window.htmx && document.body['htmx-internal-data'] !== undefined"


@pytest.fixture
def with_cdn(app):
    """Pages ask the CDN for htmx (as in production) during the test."""
    app.config["USE_HTMX_CDN"] = True
    yield
    app.config["USE_HTMX_CDN"] = False


def _serve_local_copy(route):
    route.fulfill(
        status=200,
        body=LOCAL_COPY.read_bytes(),
        headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"},
    )


def test_blocked_cdn_falls_back_to_the_local_copy(with_cdn, live_server, new_page):
    page = new_page(viewport=PHONE)
    page.context.route(CDN_ROUTE, lambda route: route.abort())
    page.goto(live_server + "/login")
    page.wait_for_function(STARTED)
    assert page.locator("script[data-htmx-source=local]").count() == 1
    # Buttons work: the login form posts and lands on the home page.
    login_in_browser(page, live_server, "52100002", PASSWORD)
    expect(
        page.get_by_role("link", name="Đăng xuất").or_(page.get_by_role("button", name="Đăng xuất"))
    ).to_have_count(1)


def test_hanging_cdn_does_not_block_and_htmx_starts_once(with_cdn, live_server, new_page):
    page = new_page(viewport=PHONE)
    held = []
    page.context.route(CDN_ROUTE, lambda route: held.append(route))  # not answered for now
    page.goto(live_server + "/login", wait_until="commit")
    page.wait_for_function(STARTED)
    assert page.locator("script[data-htmx-source=local]").count() == 1
    page.evaluate("() => { window.firstHtmx = window.htmx; }")
    # The CDN answers at last: its copy must not start a second htmx.
    for route in held:
        _serve_local_copy(route)
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.htmx === window.firstHtmx")


class _FakeCdn(BaseHTTPRequestHandler):
    """Serves the htmx file as jsdelivr does (CORS allowed), on another origin."""

    def do_GET(self):
        body = LOCAL_COPY.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_cdn(app):
    """Pages ask a stand-in CDN (the service worker's own requests cannot be routed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeCdn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_port}/npm/htmx.org@2.0.11/dist/htmx.min.js"
    before = app.config["HTMX_CDN_URL"]
    app.config.update(USE_HTMX_CDN=True, HTMX_CDN_URL=url)
    yield url, server
    app.config.update(USE_HTMX_CDN=False, HTMX_CDN_URL=before)
    server.shutdown()
    server.server_close()


def test_service_worker_serves_the_cdn_copy_afterwards(fake_cdn, live_server, new_page):
    page = new_page(viewport=PHONE)
    page.goto(live_server + "/login")
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(STARTED)
    assert page.locator("script[data-htmx-source=cdn]").count() == 1
    assert page.locator("script[data-htmx-source=local]").count() == 0
    url, server = fake_cdn
    assert page.evaluate("async (url) => !!(await caches.match(url))", url)
    # The next page gets it from the phone's cache, with the CDN unreachable.
    server.shutdown()
    server.server_close()
    page.reload()
    page.wait_for_function(STARTED)
    assert page.locator("script[data-htmx-source=local]").count() == 0
