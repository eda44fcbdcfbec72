"""Who reaches the roster pages: staff in their subtree, secretaries in their cell, no one else."""

from __future__ import annotations

import pytest

MATRIX = [
    ("member_a", "/roster/import", 403),
    ("member_a", "/roster/units/{A}/members", 403),
    ("member_a", "/roster/units/{A}/accounts", 403),
    ("member_a", "/card-requests/queue", 403),
    ("member_a", "/card-requests", 200),
    ("secretary_a", "/roster/units/{A}/members", 200),
    ("secretary_a", "/roster/units/{B}/members", 404),
    ("secretary_a", "/roster/units/{A}/accounts", 403),
    ("secretary_a", "/roster/import", 403),
    ("editor", "/roster/units/{A}/members", 403),
    ("editor", "/roster/import", 403),
    ("staff_d1", "/roster/import", 200),
    ("staff_d1", "/roster/units/{G1}/members", 200),
    ("staff_d1", "/roster/units/{C}/members", 404),
    ("staff_d1", "/roster/units/{G1}/accounts", 200),
    ("staff_d1", "/roster/units/{D2}/accounts", 404),
    ("staff_d1", "/roster/template/members.xlsx", 200),
    ("staff_d1", "/roster/template/other.xlsx", 404),
    ("staff_d1", "/card-requests/queue", 200),
    ("staff_p", "/roster/units/{P}/members", 200),
    ("admin", "/roster/units/{C}/accounts", 200),
    ("admin", "/roster/import", 200),
]


@pytest.mark.parametrize(("role", "path", "expected"), MATRIX)
def test_roster_access_matrix(client, world, as_role, role, path, expected):
    as_role(role)
    url = path.format(**world.units, **world.members)
    assert client.get(url).status_code == expected


def test_unit_page_links_to_the_full_list_for_leaders_only(client, world, as_role):
    as_role("secretary_a")
    html = client.get(f"/units/{world.units['A']}").get_data(as_text=True)
    assert f"/roster/units/{world.units['A']}/members" in html


def test_unit_page_has_no_roster_link_for_members(client, world, as_role):
    as_role("member_a")
    html = client.get(f"/units/{world.units['A']}").get_data(as_text=True)
    assert "/roster/units/" not in html


def test_member_list_pager_keeps_unit_and_filters(app, client, world, as_role):
    """Page 2 of a filtered list stays on the same unit and filter, full page or htmx."""
    from blueprints.units.models import Unit
    from core.extensions import db
    from tests.conftest import make_member

    with app.app_context():
        cell = db.session.get(Unit, world.units["A"])
        for i in range(55):
            make_member(f"5399{i:04d}", f"Phan Văn Trang {i}", cell)
        db.session.commit()
    as_role("secretary_a")
    url = f"/roster/units/{world.units['A']}/members?q=trang"
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(url, headers=headers).get_data(as_text=True)
        assert "Trang 1 / 2" in html
        assert f'href="/roster/units/{world.units["A"]}/members?q=trang&amp;page=2"' in html
    page_two = client.get(url + "&page=2").get_data(as_text=True)
    assert "Trang 2 / 2" in page_two and "?q=trang&amp;page=1" in page_two
