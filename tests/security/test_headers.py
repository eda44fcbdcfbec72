"""Issue 12 — response headers: M5 (nothing behind a login is cached publicly) and M8 (the CSP
names the one htmx file, not the CDN host)."""

from __future__ import annotations

import re

import pytest

from core.permissions import PUBLIC
from tests.security.files import sample_values, seed_files
from tests.security.test_uploads import PUBLIC_ASSETS, _sample_urls


@pytest.mark.parametrize("role", ("member_a", "secretary_a", "admin"))
def test_m5_no_response_to_a_logged_in_member_is_public(app, client, world, as_role, role):
    ids = seed_files(app, world)
    known = sample_values(ids, world, unit="A", other_docs=[ids["word"]])
    as_role(role)
    failures, files = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ASSETS:
            continue
        for url in _sample_urls(rule, known):
            response = client.get(url)
            cache = response.headers.get("Cache-Control", "")
            if "public" in cache or ("private" not in cache and "no-store" not in cache):
                failures.append(f"{url} → {response.status_code} Cache-Control: {cache!r}")
            files += "Content-Disposition" in response.headers
    assert not failures, failures
    assert files >= 2  # the sweep reached real files (documents, exports)


def test_m5_minutes_exports_and_documents_are_private(app, client, world, as_role):
    ids = seed_files(app, world)
    as_role("secretary_a")
    for url in (
        f"/meetings/{ids['meeting']}/minutes.pdf",
        f"/meetings/{ids['meeting']}/minutes.docx",
        f"/meetings/{ids['meeting']}/documents/{ids['doc']}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"].startswith("private"), url
        assert "max-age" not in response.headers["Cache-Control"], url


def test_m5_anonymous_answers_of_private_routes_are_private_and_assets_stay_public(
    app, client, world
):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" in rule.methods and not rule.arguments and view.permission != PUBLIC:
            cache = client.get(rule.rule).headers.get("Cache-Control", "")
            assert cache == "private, no-store", rule.rule
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[^"]+)"', html).group(1)
    assert "public" in client.get(css).headers["Cache-Control"]


def test_m8_script_src_names_the_htmx_file_not_the_cdn_host(app, client):
    app.config["USE_HTMX_CDN"] = True
    try:
        response = client.get("/login")
    finally:
        app.config["USE_HTMX_CDN"] = False
    html = response.get_data(as_text=True)
    # boot.js asks for it (never blocking the page), with its SRI hash.
    assert f'data-cdn="{app.config["HTMX_CDN_URL"]}"' in html
    assert 'data-sri="sha384-' in html  # SRI kept
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]
    hosts = [s for s in script_src if "://" in s]
    assert hosts == [app.config["HTMX_CDN_URL"]]
    for source in hosts:  # a host-source without a path to a file allows the whole host
        path = source.split("://", 1)[1].partition("/")[2]
        assert path and not path.endswith("/"), source
    # The service worker may fetch that one file (to keep it), nothing else outside.
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()[1:]
    assert [s for s in connect if "://" in s] == [app.config["HTMX_CDN_URL"]]
    # Without the CDN, no outside source at all (the local copy is 'self').
    assert (
        "://" not in client.get("/login").headers["Content-Security-Policy"].split("style-src")[0]
    )
