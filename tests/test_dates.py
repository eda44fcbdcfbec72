"""One date formatter, in Vietnam time: 06:30 on 15/12 in Vietnam is stored as 23:30 UTC on
14/12, and every place that shows or prints it must still say 15/12."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from docx import Document as Docx
from flask import render_template_string
from pypdf import PdfReader

from blueprints.audit.models import AuditEntry
from blueprints.cards.models import CardRequest
from blueprints.meetings import exports
from blueprints.meetings.models import Meeting, Minutes
from core.extensions import db
from core.i18n import fmt_date, fmt_datetime, fmt_month, local_time

# 23:30 UTC on 14/12 is 06:30 on 15/12 in Vietnam (UTC+7), as the models store it (naive UTC).
LATE_UTC = datetime(2026, 12, 14, 23, 30)
VN_DAY, VN_MOMENT = "15/12/2026", "15/12/2026 06:30"


def test_formatter_moves_naive_and_aware_moments_into_vietnam_time(app):
    with app.app_context():
        assert fmt_date(LATE_UTC) == VN_DAY
        assert fmt_datetime(LATE_UTC) == VN_MOMENT
        assert fmt_datetime(LATE_UTC.replace(tzinfo=UTC)) == VN_MOMENT
        paris = timezone(timedelta(hours=1))
        assert fmt_datetime(datetime(2026, 12, 15, 0, 30, tzinfo=paris)) == VN_MOMENT
        # A plain date is a day, not a moment: printed as it is.
        assert fmt_date(date(2026, 12, 14)) == "14/12/2026"
        assert fmt_date(None) == fmt_datetime(None) == ""
    # Outside the app (a script) the zone is still Vietnam.
    assert local_time(LATE_UTC).day == 15


def test_template_filters(app):
    with app.test_request_context():
        html = render_template_string("{{ d|date }} | {{ d|datetime }}", d=LATE_UTC)
    assert html == f"{VN_DAY} | {VN_MOMENT}"


def _meeting(world) -> int:
    meeting = Meeting(
        cell_id=world.units["A"], topic="Sinh hoạt tháng 12", place="An Phú", starts_at=LATE_UTC
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(Minutes(meeting_id=meeting.id, body="Nội dung biên bản."))
    db.session.commit()
    return meeting.id


def test_minutes_docx_and_pdf_print_the_day_in_vietnam(app, world):
    with app.test_request_context():
        meeting = db.session.get(Meeting, _meeting(world))
        minutes = db.session.query(Minutes).filter_by(meeting_id=meeting.id).one()
        doc = Docx(io.BytesIO(exports.minutes_docx(meeting, minutes)))
        cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        pdf = PdfReader(io.BytesIO(exports.minutes_pdf(meeting, minutes)))
        pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    assert f"ngày {VN_DAY}" in cells
    assert VN_DAY in pdf_text


def test_minutes_download_is_named_after_the_day_in_vietnam(app, world, client_for):
    with app.app_context():
        meeting_id = _meeting(world)
    response = client_for("secretary_a").get(f"/meetings/{meeting_id}/minutes.docx")
    assert response.status_code == 200
    assert "bien-ban-2026-12-15-" in response.headers["Content-Disposition"]


def test_card_requests_show_the_day_in_vietnam(app, world, client_for):
    with app.app_context():
        db.session.add(
            CardRequest(
                member_id=world.members["mem_a"],
                kind="lost",
                old_card_number="52100002",
                created_at=LATE_UTC,
            )
        )
        db.session.commit()
    mine = client_for("member_a").get("/card-requests").get_data(as_text=True)
    queue = client_for("staff_p").get("/card-requests/queue").get_data(as_text=True)
    assert VN_DAY in mine and VN_DAY in queue


def test_audit_page_shows_vietnam_time(app, world, client_for):
    with app.app_context():
        db.session.add(AuditEntry(at=LATE_UTC, action="auth.login"))
        db.session.commit()
    html = client_for("admin").get("/admin/audit").get_data(as_text=True)
    assert VN_MOMENT in html


def test_months_are_written_one_way_through_fmt_month():
    """A month on a screen, an export or the audit log goes through `fmt_month` (`|month`):
    no hand-made "%m/%Y", "%m/%y" or "{month}/{year}" outside core/i18n.py."""
    root = Path(__file__).resolve().parent.parent
    # A month alone (not the month of a whole date, "%d/%m/%Y").
    hand_made = re.compile(r"(?<!%d/)%m/%[Yy]|\.month\}/\{[^}]*\.year\}|month\)s/%\(year")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("blueprints", "core", "templates")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and path.name != "i18n.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if hand_made.search(line)
    ]
    assert offenders == [], offenders
    assert fmt_month(date(2026, 3, 1)) == "03/2026"
