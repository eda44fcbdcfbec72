"""Content for browser tests: handbook chapters, a document and a meeting of cell A.

Written straight to the database (the editorial and scheduling flows have their own tests).
"""

from __future__ import annotations

from datetime import timedelta

from blueprints.handbook.models import Kind
from blueprints.meetings import services as sv
from blueprints.meetings.models import Document, Meeting, MeetingStatus
from blueprints.meetings.services.live import live_change
from core.extensions import db
from core.models import utcnow
from tests.handbook.helpers import make_article

CHAPTERS = [
    ("dieu-le-dang", "Điều lệ Đảng", "## Đảng viên\n\nĐảng viên có nhiệm vụ chấp hành Cương lĩnh."),
    ("sinh-hoat-chi-bo", "Sinh hoạt chi bộ", "## Chuẩn bị\n\nChi ủy họp trước để thống nhất."),
    ("dang-phi", "Đảng phí", "## Mức đóng\n\nĐảng viên đóng đảng phí hằng tháng."),
]


def add_reading(app, world) -> dict[str, int]:
    """Three province-wide chapters, one document and one news item; returns their ids."""
    ids = {}
    with app.app_context():
        for position, (slug, title, body) in enumerate(CHAPTERS, start=1):
            ids[slug] = make_article(
                world.units["P"], title, body, kind=Kind.CHAPTER, slug=slug, position=position
            )
        ids["document"] = make_article(
            world.units["P"],
            "Hướng dẫn sinh hoạt chi bộ năm 2026",
            "Văn bản hướng dẫn.",
            kind=Kind.DOCUMENT,
            doc_number="12-HD/TU",
            category="huong-dan",
        )
        ids["news"] = make_article(world.units["P"], "Hội nghị Tỉnh ủy", "Tin tức.")
    return ids


def add_meeting(app, world, *, ongoing: bool = True) -> dict[str, int]:
    """A meeting of cell A (chair: its secretary, clerk: member_a) with one attached document."""
    with app.test_request_context():  # agenda titles are translated strings
        meeting = Meeting(
            cell_id=world.units["A"],
            kind="regular",
            topic="Sinh hoạt chi bộ tháng 12/2026",
            place="Nhà văn hóa thôn An Phú",
            starts_at=utcnow() + timedelta(days=1),
            chair_id=world.members["sec_a"],
            clerk_id=world.members["mem_a"],
            created_by_id=world.users["secretary_a"],
        )
        db.session.add(meeting)
        sv.apply_template(meeting)
        db.session.flush()
        sv.sync_attendance(meeting)
        item = meeting.items[2]
        doc = Document(
            meeting_id=meeting.id,
            item_id=item.id,
            filename="nghi-quyet.pdf",
            content_type="application/pdf",
            data=b"%PDF-1.4\n% tai lieu hop chi bo\n%%EOF\n",
            size=36,
        )
        db.session.add(doc)
        if ongoing:
            meeting.status = MeetingStatus.ONGOING
            meeting.started_at = utcnow()
            meeting.current_item_id = meeting.items[0].id
        db.session.flush()
        live_change(meeting)
        db.session.commit()
        return {"meeting": meeting.id, "doc": doc.id}
