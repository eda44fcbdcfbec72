"""Every route, for every role: never a 500, anonymous users sent to login, CSRF on writes.

The sweep walks `app.url_map`, so a route added later is covered without editing this file.
Path parameters get ids that do not exist (the view must answer 404, not crash) and words
that mean nothing to the view.
"""

import pytest

from core.permissions import PUBLIC

ROLES = (None, "member_a", "secretary_a", "staff_d1", "editor", "admin")
SKIP = {"static"}


HUGE = "99999999999999999999999"  # beyond any database integer
# Every number the app reads from a query string, each far too large.
HUGE_QUERY = "&".join(
    f"{n}={HUGE}" for n in ("page", "year", "cell_id", "unit", "a", "b", "month", "after")
)


def _sample_url(rule, number=987654, known=None) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        is_int = converter is not None and "Int" in type(converter).__name__
        values[name] = number if is_int else "khong-ton-tai"
        if known and name in known:
            values[name] = known[name]
    return rule.build(values, append_unknown=False)[1]


def _rules(app, method):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or method not in rule.methods:
            continue
        yield rule


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_without_a_server_error(app, client, world, as_role, role):
    if role:
        as_role(role)
    failures = []
    for rule in _rules(app, "GET"):
        url = _sample_url(rule)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code}")
        public = getattr(app.view_functions[rule.endpoint], "permission", None) == PUBLIC
        if role is None and not public and response.status_code not in (302, 401, 404):
            failures.append(f"{url} open to anonymous users ({response.status_code})")
        if role is None and response.status_code == 302 and not public:
            if "/login" not in response.headers["Location"]:
                failures.append(f"{url} redirects anonymous users elsewhere")
    assert not failures, failures


def test_every_post_route_refuses_a_missing_csrf_token(app, client, world, as_role):
    as_role("admin")
    failures = []
    for rule in _rules(app, "POST"):
        if rule.endpoint == "auth.login":
            continue
        url = _sample_url(rule)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data={"x": "1"}, headers=headers)
            if response.status_code != 400:
                failures.append(f"{url} {headers} → {response.status_code}")
            elif "phiên làm việc" not in response.get_data(as_text=True).lower() and not headers:
                failures.append(f"{url}: the refusal is not explained in Vietnamese")
    assert not failures, failures


# Every query parameter the app reads, holding a NUL byte (PostgreSQL refuses NUL in text),
# a lone surrogate-like escape, and 5.000 characters.
QUERY_NAMES = ("a", "action", "b", "card", "category", "code", "kind", "month", "next")
QUERY_NAMES += ("page", "part", "q", "status", "unit", "v", "year", "cell_id")
NONSENSE_QUERY = "&".join(f"{n}=%00%C3%28{'x' * 5000}" for n in QUERY_NAMES)


@pytest.mark.parametrize("role", ("member_a", "staff_d1", "admin"))
def test_nonsense_query_strings_never_crash(app, client, world, as_role, role):
    as_role(role)
    failures = []
    # Real units and members, so list pages get past their 404 and read the query.
    known = {"unit_id": world.units["A"], "member_id": world.members["mem_a"]}
    for rule in _rules(app, "GET"):
        url = _sample_url(rule, known=known).split("?")[0]
        response = client.get(url + "?" + NONSENSE_QUERY)
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code}")
    assert not failures, failures
    refused = client.get("/handbook/dieu%00le")  # a NUL in the path: refused, in Vietnamese
    assert refused.status_code == 400
    assert "ký tự không hợp lệ" in refused.get_data(as_text=True)


@pytest.mark.parametrize("role", ("member_a", "staff_d1", "admin"))
def test_numbers_too_large_for_the_database_are_not_found_not_a_crash(
    app, client, world, as_role, role
):
    as_role(role)
    failures = []
    for rule in _rules(app, "GET"):
        for url in (_sample_url(rule) + "?" + HUGE_QUERY, _sample_url(rule, int(HUGE))):
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{url} → {response.status_code}")
            if str(HUGE) in url.split("?")[0] and response.status_code != 404:
                failures.append(f"{url} → {response.status_code}, expected 404")
    assert not failures, failures
