"""htmx starts with our configuration whether it came from the CDN or from the local copy."""

from tests.browser.conftest import PHONE


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
