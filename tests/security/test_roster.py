"""Security of the roster and its files (issue 12): H2, M2, M4, L4, L8, L9 and L10 (reads).

Each test is named after the finding it keeps closed.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from core.extensions import db
from tests.conftest import csrf_token
from tests.roster.helpers import job_id_of, member_row, upload, xlsx

# ------------------------------------------------------------------------------------ H2


def test_h2_import_preview_hides_the_owner_of_a_card_outside_scope(app, client, world, as_role):
    app.config["ROSTER_JOBS_INLINE"] = True
    as_role("staff_d1")
    # 52100005 belongs to Võ Minh Châu, cell C of the other committee (D2).
    rows = [member_row("52100005", "Người Lạ Mặt", "A")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    csv_text = client.get(f"/roster/jobs/{job_id}/rejected.csv").get_data(as_text=True)
    for text in (html, csv_text):
        assert "ngoài các đơn vị đồng chí phụ trách" in text
        assert "Võ Minh Châu" not in text and "An Vĩnh" not in text and "Lý Sơn" not in text


def test_h2_import_does_not_name_a_unit_outside_scope(app, client, world, as_role):
    app.config["ROSTER_JOBS_INLINE"] = True
    as_role("staff_d1")
    job_id = job_id_of(
        upload(client, xlsx([member_row("52100301", "Ai Đó", "D2")]), unit_id=world.units["D1"])
    )
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "không thuộc các đơn vị đồng chí phụ trách" in html and "Lý Sơn" not in html


def _card_request(app, client, world, as_role) -> int:
    as_role("member_a")
    token = csrf_token(client, "/card-requests/new")
    response = client.post(
        "/card-requests/new", data={"csrf_token": token, "kind": "lost", "details": "Mất thẻ."}
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return int(re.search(r"/card-requests/(\d+)", response.headers["Location"]).group(1))


def _approve(client, request_id: int, number: str):
    token = csrf_token(client, f"/card-requests/{request_id}")
    return client.post(
        f"/card-requests/{request_id}/approve",
        data={"csrf_token": token, "approve-new_card_number": number},
    )


def test_h2_card_approval_does_not_reveal_an_owner_outside_scope(app, client, world, as_role):
    request_id = _card_request(app, client, world, as_role)
    as_role("staff_d1")
    outside = _approve(client, request_id, "52100005")  # Võ Minh Châu, cell C of D2
    text = outside.get_data(as_text=True)
    assert outside.status_code == 422 and "không còn trống" in text
    assert "Võ Minh Châu" not in text and "An Vĩnh" not in text
    inside = _approve(client, request_id, "52100004")  # Phạm Thị Đào, cell B of D1: in scope
    assert inside.status_code == 422 and "Phạm Thị Đào" in inside.get_data(as_text=True)
    with app.app_context():
        refused = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "card_request.number_taken")
        ).all()
        assert [e.details["card"] for e in refused] == ["52100005", "52100004"]
