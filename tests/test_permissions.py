"""Every route declares a permission, and each role reaches exactly what its units allow."""

import pytest

from core.permissions import ACTIONS, AUTHENTICATED, PUBLIC


def test_every_route_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        action = getattr(view, "permission", None)
        if action is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
        else:
            assert action in ACTIONS or action in (PUBLIC, AUTHENTICATED), rule.rule
    assert not missing, "routes without @permission: " + ", ".join(missing)


def test_state_changing_routes_are_not_get(app):
    """Logout, preferences and revocations only answer POST, so CSRF protects them."""
    for endpoint in ("auth.logout", "main.display_preferences", "admin.revoke_role"):
        methods = {m for r in app.url_map.iter_rules(endpoint) for m in r.methods}
        assert "GET" not in methods, endpoint


def _status(client, path):
    return client.get(path).status_code


# (role, path template, expected status). {A} etc. are unit ids, {mem_a} member ids.
MATRIX = [
    # A member sees their own cell (names only) and their own record, nothing else.
    ("member_a", "/units/{A}", 200),
    ("member_a", "/units/{B}", 404),
    ("member_a", "/units/{D1}", 404),
    ("member_a", "/members/{mem_a}", 200),
    ("member_a", "/members/{sec_a}", 404),
    ("member_a", "/members/{mem_b}", 404),
    ("member_a", "/admin/roles", 403),
    ("member_a", "/admin/audit", 403),
    ("member_b", "/units/{A}", 404),
    ("member_b", "/members/{mem_a}", 404),
    # The secretary of cell A reads cell A's members, not cell B's.
    ("secretary_a", "/units/{A}", 200),
    ("secretary_a", "/members/{mem_a}", 200),
    ("secretary_a", "/units/{B}", 404),
    ("secretary_a", "/members/{mem_b}", 404),
    ("secretary_a", "/admin/roles", 403),
    # District staff cover their subtree only.
    ("staff_d1", "/units/{D1}", 200),
    ("staff_d1", "/units/{G1}", 200),
    ("staff_d1", "/units/{B}", 200),
    ("staff_d1", "/members/{mem_b}", 200),
    ("staff_d1", "/units/{C}", 404),
    ("staff_d1", "/members/{mem_c}", 404),
    ("staff_d1", "/units/{P}", 404),
    ("staff_d1", "/admin/audit", 403),
    ("staff_d2", "/members/{mem_a}", 404),
    ("staff_d2", "/units/{C}", 200),
    # Provincial staff see the whole province but do not administer it.
    ("staff_p", "/units/{P}", 200),
    ("staff_p", "/members/{mem_c}", 200),
    ("staff_p", "/admin/roles", 403),
    # Correction requests of members go to the staff of their units only.
    ("member_a", "/my-data", 200),
    ("member_a", "/my-data/requests", 403),
    ("secretary_a", "/my-data/requests", 403),
    ("staff_d1", "/my-data/requests", 200),
    ("admin", "/my-data/requests", 200),
    # Editors have no access to the roster.
    ("editor", "/units/{A}", 404),
    ("editor", "/members/{mem_a}", 404),
    # The assistant: every member asks; the queue, glossary, entries and report are the
    # editorial board's (tests/assistant/test_routes.py scopes the queue by unit).
    ("member_a", "/assistant/", 200),
    ("member_a", "/assistant/queue", 403),
    ("member_a", "/assistant/glossary", 403),
    ("member_a", "/assistant/editor/", 403),
    ("member_a", "/assistant/report", 403),
    ("secretary_a", "/assistant/queue", 403),
    ("staff_d1", "/assistant/queue", 403),
    ("editor", "/assistant/queue", 200),
    ("editor", "/assistant/editor/", 200),
    ("editor", "/assistant/glossary", 200),
    ("admin", "/assistant/report", 200),
    # Administrators reach everything.
    ("admin", "/units/{C}", 200),
    ("admin", "/members/{mem_b}", 200),
    ("admin", "/admin/roles", 200),
    ("admin", "/admin/audit", 200),
]


@pytest.mark.parametrize(("role", "path", "expected"), MATRIX)
def test_access_matrix(client, world, as_role, role, path, expected):
    as_role(role)
    url = path.format(**world.units, **world.members)
    assert _status(client, url) == expected


def test_anonymous_is_sent_to_login(client, world):
    for path in ("/me", f"/units/{world.units['A']}", "/admin/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_cell_members_see_names_but_not_roster_details(client, world, as_role):
    as_role("member_a")
    html = client.get(f"/units/{world.units['A']}").get_data(as_text=True)
    assert "Nguyễn Văn Bình" in html
    assert "52100001" not in html  # card numbers are for leaders and staff
    client.post("/logout", data={"csrf_token": _token(client)})
    as_role("secretary_a")
    html = client.get(f"/units/{world.units['A']}").get_data(as_text=True)
    assert "52100001" in html


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
