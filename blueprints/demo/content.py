"""Demo content beside the roster: news, documents and the demo cell's meetings.

So that a first look at `make run` shows what a member really sees: a meeting announced for
next week with its agenda, a document and a recommendation; last month's meeting closed with
its roll call, opinions, a vote, tasks and approved, locked minutes; a few news items and
documents from the Tỉnh ủy and the demo commune's Đảng ủy (bodies that exist since 1/7/2025).
All text here is sample text written for the demo; document numbers are marked "(mẫu)" so
nobody mistakes them for real ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from blueprints.auth.models import User
from blueprints.handbook import services as handbook
from blueprints.handbook.models import Article, Kind
from blueprints.meetings import services as meetings
from blueprints.meetings.live_models import OpenVote
from blueprints.meetings.models import (
    Attend,
    Attendance,
    Choice,
    Document,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Motion,
    Opinion,
    Recommendation,
    Task,
)
from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_month
from core.models import utcnow
from core.pdf import noto_pdf

NEWS = [
    (
        "thong-bao",
        "Tỉnh ủy đưa Sổ tay đảng viên điện tử vào sử dụng ở tất cả chi bộ",
        "Từ tháng này, mỗi đảng viên được cấp một tài khoản để đọc sổ tay, văn bản và tham gia "
        "sinh hoạt chi bộ trên điện thoại.",
        "Bí thư chi bộ nhận phiếu đăng nhập của đảng viên trong chi bộ từ cấp ủy cơ sở và trao "
        "tận tay từng người. Lần đăng nhập đầu tiên, ứng dụng yêu cầu đổi mật khẩu.\n\n"
        "Đảng viên lớn tuổi có thể bật chế độ **chữ lớn** ở đầu mỗi trang. Khi gặp khó khăn, "
        "hãy hỏi bí thư chi bộ hoặc cán bộ văn phòng cấp ủy cơ sở.",
        2,
    ),
    (
        "tin-tuc",
        "Hướng dẫn thêm ứng dụng vào màn hình chính của điện thoại",
        "Chỉ cần vài thao tác là có biểu tượng Sổ tay đảng viên trên màn hình, mở nhanh như "
        "một ứng dụng thông thường.",
        "Mở trang web của ứng dụng bằng Chrome (Android) hoặc Safari (iPhone), rồi chọn "
        "**Thêm vào màn hình chính**. Nếu đang mở trong Zalo, hãy chọn mở bằng trình duyệt "
        "trước. Trang *Cài đặt ứng dụng* trong mục Trang chủ có hướng dẫn kèm từng bước.",
        6,
    ),
    (
        "tin-tuc",
        "Nhiều chi bộ đã tổ chức sinh hoạt có đảng viên theo dõi trên điện thoại",
        "Các chi bộ dùng ứng dụng để điểm danh, ghi ý kiến phát biểu và biểu quyết ngay "
        "trong buổi sinh hoạt.",
        "Biên bản được lập tự động từ những gì diễn ra trong buổi sinh hoạt; thư ký chỉ cần "
        "chỉnh sửa và trình chủ trì duyệt. Đảng viên vắng mặt có thể xem lại các kết luận.",
        12,
    ),
]

DOCUMENTS = [
    (
        "ke-hoach",
        "Kế hoạch triển khai Sổ tay đảng viên điện tử trong Đảng bộ tỉnh",
        "01-KH/TU (mẫu)",
        "Tỉnh ủy",
        "Mục tiêu, lộ trình cấp tài khoản và trách nhiệm của các cấp ủy trong việc đưa "
        "sổ tay điện tử vào sinh hoạt chi bộ.",
        "## Mục tiêu\n\nMỗi đảng viên có tài khoản và biết sử dụng các chức năng chính trong "
        "quý đầu tiên.\n\n## Lộ trình\n\n1. Cấp ủy cơ sở rà soát danh sách đảng viên và số thẻ.\n"
        "2. Ban Tổ chức cấp tài khoản, in phiếu đăng nhập cho từng chi bộ.\n"
        "3. Chi bộ hướng dẫn đảng viên đăng nhập tại buổi sinh hoạt gần nhất.\n",
        40,
        None,
    ),
    (
        "huong-dan",
        "Hướng dẫn nâng cao chất lượng sinh hoạt chi bộ định kỳ",
        "05-HD/ĐU (mẫu)",
        "Đảng ủy xã Tịnh Khê",
        "Những việc chi bộ cần chuẩn bị trước, trong và sau buổi sinh hoạt định kỳ hằng tháng.",
        "## Trước buổi sinh hoạt\n\nChi ủy thống nhất nội dung, gửi tài liệu cho đảng viên "
        "trước ít nhất một ngày.\n\n## Trong buổi sinh hoạt\n\nĐiểm danh, báo cáo tình hình, "
        "thảo luận dân chủ, biểu quyết nghị quyết.\n\n## Sau buổi sinh hoạt\n\nHoàn thiện biên "
        "bản, theo dõi việc thực hiện nhiệm vụ đã giao.\n",
        20,
        "X-TINHKHE",
    ),
]


def _author() -> User | None:
    return db.session.scalar(select(User).where(User.username == "bientap"))


def _article(kind: Kind, unit: Unit, title: str, summary: str, body: str, days_ago: int):
    author = _author()
    article = Article(kind=kind, unit_id=unit.id, created_by_id=getattr(author, "id", None))
    handbook.save_text(article, author, "Dữ liệu mẫu", title=title, summary=summary, body=body)
    handbook.publish(article, author, when=utcnow() - timedelta(days=days_ago))
    return article


def seed_articles(province: Unit, units_by_code: dict[str, Unit]) -> None:
    """Published news and documents, province-wide or for the demo commune."""
    for category, title, summary, body, days_ago in NEWS:
        article = _article(Kind.NEWS, province, title, summary, body, days_ago)
        article.category = category
    for category, title, number, issuer, summary, body, days_ago, target in DOCUMENTS:
        unit = units_by_code.get(target, province) if target else province
        article = _article(Kind.DOCUMENT, unit, title, summary, body, days_ago)
        article.category, article.doc_number, article.issuer = category, number, issuer
        article.issued_on = (utcnow() - timedelta(days=days_ago)).date()
    db.session.flush()


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF in Vietnamese, as a secretary's attached draft would be."""
    pdf = noto_pdf()
    pdf.add_page()
    pdf.set_font("Noto", size=15)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", size=12)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _evening(day: date) -> datetime:
    """19:30 in Vietnam (UTC+7), stored as naive UTC like every meeting time."""
    return datetime.combine(day, time(12, 30))


def _month(day: date) -> str:
    """ "tháng 03/2026": the month a demo meeting belongs to, written as the app writes months."""
    return "tháng " + fmt_month(day)


def _monthly_topic(day: date) -> str:
    return "Sinh hoạt chi bộ định kỳ " + _month(day)


def _new_meeting(cell: Unit, members: list[Member], when: datetime, topic: str) -> Meeting:
    meeting = Meeting(
        cell_id=cell.id,
        kind=MeetingKind.REGULAR,
        topic=topic,
        place="Nhà văn hóa thôn",
        starts_at=when,
        chair_id=members[0].id,
        clerk_id=members[1].id,
    )
    db.session.add(meeting)
    meetings.apply_template(meeting)
    db.session.flush()
    meetings.sync_attendance(meeting)
    db.session.flush()
    return meeting


def _past_meeting(cell: Unit, members: list[Member], secretary: User | None) -> None:
    day = utcnow().date() - timedelta(days=30)
    meeting = _new_meeting(cell, members, _evening(day), _monthly_topic(day))
    meeting.status = MeetingStatus.ONGOING
    meeting.started_at = meeting.starts_at
    lines = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    for index, line in enumerate(lines):
        if line.status == Attend.EXEMPT:
            continue
        if index % 9 == 8:
            line.status, line.reason = Attend.EXCUSED, "Đi công tác xa"
        else:
            line.status, line.checked_in_at = Attend.PRESENT, meeting.started_at
    discussion = next(i for i in meeting.items if i.key == "discussion")
    for member, text in (
        (members[2], "Đề nghị chi bộ vận động bà con giữ vệ sinh đường làng trước Tết."),
        (members[3], "Tôi nhận phụ trách hướng dẫn các đảng viên lớn tuổi dùng ứng dụng."),
    ):
        db.session.add(
            Opinion(
                meeting_id=meeting.id,
                item_id=discussion.id,
                member_id=member.id,
                text=text,
                spoken=True,
            )
        )
    for item in meeting.items:
        item.done = True
    discussion.conclusion = "Chi bộ thống nhất ra quân dọn vệ sinh vào sáng Chủ nhật cuối tháng."
    resolution = next(i for i in meeting.items if i.key == "resolution")
    motion = Motion(
        meeting_id=meeting.id,
        item_id=resolution.id,
        text="Thông qua nghị quyết sinh hoạt chi bộ " + _month(day),
        status="open",
        opened_at=meeting.started_at + timedelta(minutes=80),
    )
    db.session.add(motion)
    db.session.flush()
    present = db.session.scalars(
        select(Attendance.member_id).where(
            Attendance.meeting_id == meeting.id, Attendance.status == Attend.PRESENT
        )
    ).all()
    for member_id in present:
        db.session.add(OpenVote(motion_id=motion.id, member_id=member_id, choice=Choice.YES))
    db.session.flush()
    meetings.close_motion(motion, meeting)
    for member, text, days in (
        (members[3], "Hướng dẫn đảng viên lớn tuổi cài ứng dụng", 14),
        (members[2], "Vận động các hộ tham gia dọn vệ sinh đường làng", 25),
    ):
        db.session.add(
            Task(
                meeting_id=meeting.id,
                cell_id=cell.id,
                assignee_id=member.id,
                description=text,
                due_on=day + timedelta(days=days),  # due after last month's meeting
            )
        )
    db.session.flush()
    minutes = meetings.close_meeting(meeting, by=secretary)
    # close_meeting stamps "now"; the demo meeting ended a month ago, after 105 minutes, so
    # the automatic draft (revision 1) is written again with that end time.
    meeting.ended_at = meeting.started_at + timedelta(minutes=105)
    db.session.flush()
    minutes.body = meetings.draft_minutes(meeting)
    for revision in minutes.revisions:
        revision.body, revision.created_at = minutes.body, meeting.ended_at
    approved = meeting.ended_at + timedelta(days=1)
    minutes.chair_approved_at = minutes.clerk_approved_at = minutes.locked_at = approved
    minutes.content_hash = meetings.content_hash(minutes.body)
    meetings.store_quality(meeting)


def _soon() -> datetime:
    """Two hours from now, on the next half hour (naive UTC): the demo's next meeting can be
    opened from the console at once (a meeting starts at most 12 hours ahead of its time)."""
    moment = utcnow() + timedelta(hours=2)
    floor = moment.replace(minute=moment.minute - moment.minute % 30, second=0, microsecond=0)
    # Round up, never down: seeded at 11:30:04 it is 14:00; rounding down gave 13:30, 4 s short.
    return floor if floor == moment else floor + timedelta(minutes=30)


def _next_meeting(cell: Unit, members: list[Member]) -> None:
    when = _soon()
    day = (when + timedelta(hours=7)).date()  # the meeting's day in Vietnam
    meeting = _new_meeting(cell, members, when, _monthly_topic(day))
    documents_item = next(i for i in meeting.items if i.key == "documents")
    data = _pdf(
        "Dự thảo nghị quyết chi bộ " + _month(day),
        [
            "1. Đánh giá việc thực hiện nhiệm vụ tháng trước.",
            "2. Nhiệm vụ tháng tới: vận động đảng viên cài và sử dụng Sổ tay đảng viên điện tử.",
            "3. Phân công đảng viên phụ trách từng xóm.",
        ],
    )
    db.session.add(
        Document(
            meeting_id=meeting.id,
            item_id=documents_item.id,
            filename="du-thao-nghi-quyet.pdf",
            content_type="application/pdf",
            size=len(data),
            data=data,
            uploaded_at=utcnow() - timedelta(days=3),  # sent out in time
        )
    )
    db.session.add(
        Recommendation(
            meeting_id=meeting.id,
            member_id=members[2].id,
            text=(
                "Đề nghị chi bộ bố trí người hướng dẫn dùng điện thoại trước giờ sinh hoạt 15 phút."
            ),
        )
    )


def seed_meetings(cell: Unit) -> None:
    """Last month's closed meeting and next week's announced one, for the demo cell."""
    members = meetings.cell_members(cell.id)
    demo_first = sorted(members, key=lambda m: (not m.card_number.startswith("529000"), m.id))
    secretary = db.session.scalar(select(User).where(User.member_id == demo_first[0].id))
    _past_meeting(cell, demo_first, secretary)
    _next_meeting(cell, demo_first)
