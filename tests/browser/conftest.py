"""Browser fixtures: the app on a real port, Debian's Chromium driven by Playwright, axe-core.

Playwright's own browser download cannot work here, so we launch /usr/bin/chromium (apt package
`chromium`). The server runs in a thread of the test process on the same database as the
other tests; `live_server` builds the small province for each test.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import World, build_world

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items):
    """Everything under tests/browser is a browser test (`-m "not browser"` skips it).

    A browser test that fails is run once more (pytest-rerunfailures) on a fresh world and
    fresh browser contexts: a real Chromium with a service worker and emulated networks, on a
    2-core machine shared with the rest of the suite, now and then misses a moment that has
    nothing to do with the app. A test that fails twice fails the suite, and every rerun is
    listed in the summary ("R"), so a test that needs one is seen and looked at.
    """
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.fixture(scope="session")
def _server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class LiveServer(str):
    """The base URL, carrying the `world` (ids and logins) built for this test."""

    world: World


@pytest.fixture
def live_server(_server, app) -> LiveServer:
    """Base URL of the running app, with the small province (see tests/conftest.py) in the DB."""
    url = LiveServer(_server)
    with app.app_context():
        url.world = build_world()
    return url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):
    """Factory for pages in fresh contexts (separate cookies): `new_page(viewport=PHONE)`."""
    contexts = []

    def _new(viewport=PHONE, locale="vi-VN", **kwargs):
        context = browser.new_context(viewport=viewport, locale=locale, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def open_settings(page) -> None:
    """On a phone the display settings sit behind "Cài đặt" in the header: open them."""
    page.wait_for_load_state()
    toggle = page.locator(".settings-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


_AXE = Axe()


def axe_violations(page) -> list[dict]:
    """axe-core violations of the page as it is now."""
    results = _AXE.run(page)
    return results.response["violations"]


def assert_no_axe_violations(page, where: str = "") -> None:
    """Fail with a readable list when axe-core finds any violation."""
    violations = axe_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe violations on {where or page.url}:\n{report}"


@pytest.fixture(name="assert_no_axe_violations")
def _assert_no_axe_violations_fixture():
    return assert_no_axe_violations


def wait_for_service_worker(page, timeout_ms: int = 10_000) -> None:
    """Wait until `navigator.serviceWorker.ready` resolves, at most `timeout_ms`.

    Not a bare `page.evaluate("navigator.serviceWorker.ready")`: evaluate has no timeout, so a
    worker that never activates would hang the whole run instead of failing this test.
    """
    ready = page.evaluate(
        """(ms) => Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise((resolve) => setTimeout(() => resolve(false), ms)),
        ])""",
        timeout_ms,
    )
    assert ready, f"the service worker was not ready within {timeout_ms} ms"


def wait_until(page, predicate: str, arg=None, timeout_ms: int = 20_000) -> None:
    """Wait until an asynchronous predicate run in the page (one returning a promise, such as a
    cache lookup) resolves to something truthy, at most `timeout_ms`.

    Playwright's `wait_for_function` does not wait for a promise: a promise is an object, so
    truthy at once, and the wait would end before the thing it waits for has happened.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(predicate, arg):
        assert time.monotonic() < deadline, f"still false after {timeout_ms} ms: {predicate}"
        page.wait_for_timeout(100)


def login_in_browser(page, base_url: str, identifier: str, password: str) -> None:
    """Log in through the form as a person would."""
    page.goto(base_url + "/login")
    page.get_by_label("Số thẻ đảng viên hoặc số điện thoại").fill(identifier)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_load_state()
