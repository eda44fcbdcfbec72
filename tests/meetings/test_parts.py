"""Every live region named in the parts table renders: its template exists, for the people it is
for; a name outside the table is a 404, never a missing template (500)."""

from __future__ import annotations

from blueprints.meetings.blueprint import (
    CONSOLE_PARTS,
    MEMBER_PARTS,
    PART_TEMPLATES,
    PROJECTOR_PARTS,
)
from tests.meetings.conftest import post


def test_every_part_name_renders(app, client, client_for, schedule):
    meeting_id = schedule()  # `client` is the cell's secretary
    assert post(client, f"/meetings/{meeting_id}/start", htmx=False).status_code == 302
    for name in CONSOLE_PARTS.keys() | PROJECTOR_PARTS.keys():
        response = client.get(f"/meetings/{meeting_id}/part/{name}")
        assert response.status_code == 200, name
        assert f'id="r-{name}"' in response.get_data(as_text=True)
    member = client_for("member_a")
    for name in MEMBER_PARTS:
        assert member.get(f"/meetings/{meeting_id}/part/{name}").status_code == 200, name
    for name in ("code", "nope", "opinion_form", "../head"):
        assert client.get(f"/meetings/{meeting_id}/part/{name}").status_code == 404, name
    assert (
        set(PART_TEMPLATES) == CONSOLE_PARTS.keys() | MEMBER_PARTS.keys() | PROJECTOR_PARTS.keys()
    )
