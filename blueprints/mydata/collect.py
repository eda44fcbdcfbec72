"""Everything the app holds about one person, as titled tables for the page, JSON and PDF.

One list of `Section`s is built here and rendered three ways, so the page, the JSON file and
the PDF cannot disagree. What it never contains: the content of a secret ballot (the app does
not store who voted what in a secret vote — only that the member took part, which is in the
minutes anyway), other members' data, password hashes or session tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_, select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import RoleAssignment, User, UserSession
from blueprints.cards.models import CardRequest, RequestKind, RequestStatus
from blueprints.handbook.models import Article, Bookmark
from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import (
    Attend,
    Attendance,
    Choice,
    Meeting,
    Motion,
    Opinion,
    Rating,
    Recommendation,
    Speaker,
)
from blueprints.members.models import Member, MemberStatus
from blueprints.mydata.models import CorrectionRequest
from blueprints.pwa.models import AppInstall
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_date, fmt_datetime

# Reads by others that concern the member: their record, or a list of a unit above them.
RECORD_READS = ("member.viewed",)
LIST_READS = ("roster.cell_viewed", "roster.members_viewed", "adoption.exported")


@dataclass
class Section:
    """One table: a key for the JSON file, a title, column headings and rows of text."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def _yes(value: bool) -> str:
    return _("Có") if value else _("Không")


def _record(member: Member | None) -> Section:
    section = Section("record", _("Hồ sơ đảng viên"), [_("Thông tin"), _("Nội dung")])
    if member is None:
        section.note = _("Tài khoản này không gắn với hồ sơ đảng viên nào.")
        return section
    gender = {"M": _("Nam"), "F": _("Nữ")}.get(member.gender or "", "")
    section.rows = [
        [_("Họ và tên"), member.full_name],
        [_("Ngày sinh"), fmt_date(member.birth_date)],
        [_("Giới tính"), gender],
        [_("Số thẻ đảng viên"), member.card_number],
        [_("Tình trạng"), MemberStatus.label_for(member.status)],
        [_("Ngày vào Đảng"), fmt_date(member.joined_on)],
        [_("Ngày chính thức"), fmt_date(member.official_on)],
        [_("Chi bộ"), member.cell.name if member.cell else ""],
        [_("Số điện thoại"), member.phone or ""],
        [_("Dân tộc"), member.ethnicity or ""],
        [_("Quê quán"), member.hometown or ""],
        [_("Nghề nghiệp"), member.occupation or ""],
        [_("Cập nhật lần cuối"), fmt_datetime(member.updated_at)],
    ]
    return section


def _account(user: User) -> Section:
    return Section(
        "account",
        _("Tài khoản"),
        [_("Thông tin"), _("Nội dung")],
        [
            [_("Tên đăng nhập"), user.username or ""],
            [_("Tên hiển thị"), user.display_name or ""],
            [_("Ngày tạo tài khoản"), fmt_datetime(user.created_at)],
            [_("Đăng nhập lần cuối"), fmt_datetime(user.last_login_at)],
            [_("Đổi mật khẩu lần cuối"), fmt_datetime(user.password_changed_at)],
            [_("Đang hoạt động"), _yes(user.active)],
            [_("Lý do khóa"), user.locked_reason or ""],
            [_("Ngôn ngữ"), user.locale or "vi"],
            [_("Chữ lớn"), _yes(user.large_text)],
            [_("Tương phản cao"), _yes(user.high_contrast)],
        ],
    )


def _roles(user: User) -> Section:
    rows = db.session.execute(
        select(RoleAssignment, Unit.name)
        .outerjoin(Unit, RoleAssignment.unit_id == Unit.id)
        .where(RoleAssignment.user_id == user.id)
    ).all()
    return Section(
        "roles",
        _("Vai trò"),
        [_("Vai trò"), _("Đơn vị")],
        [[r.role_label, name or ""] for r, name in rows],
    )


def _sessions(user: User) -> Section:
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc())
    ).all()
    return Section(
        "sessions",
        _("Lần đăng nhập và thiết bị"),
        [_("Bắt đầu"), _("Dùng lần cuối"), _("Địa chỉ IP"), _("Thiết bị"), _("Đã kết thúc")],
        [
            [
                fmt_datetime(s.created_at),
                fmt_datetime(s.last_seen_at),
                s.ip or "",
                s.user_agent or "",
                fmt_datetime(s.revoked_at) if s.revoked_at else "",
            ]
            for s in rows
        ],
    )


def _installs(user: User) -> Section:
    rows = db.session.scalars(select(AppInstall).where(AppInstall.user_id == user.id)).all()
    return Section(
        "installs",
        _("Cài ứng dụng lên màn hình chính"),
        [_("Nền tảng"), _("Lần đầu"), _("Lần cuối")],
        [[i.platform, fmt_datetime(i.first_seen_at), fmt_datetime(i.last_seen_at)] for i in rows],
    )


def _meeting_rows(model, member_id: int, *columns):
    return db.session.execute(
        select(model, Meeting.topic, Meeting.starts_at, *columns)
        .join(Meeting, Meeting.id == model.meeting_id)
        .where(model.member_id == member_id)
        .order_by(Meeting.starts_at.desc())
    ).all()


def _participation(member_id: int) -> list[Section]:
    meeting_cols = [_("Buổi sinh hoạt"), _("Ngày")]
    attendance = Section(
        "attendance",
        _("Điểm danh"),
        [*meeting_cols, _("Tình trạng"), _("Lý do"), _("Điểm danh hộ")],
        [
            [topic, fmt_date(at), Attend.label_for(a.status), a.reason, a.proxy_reason]
            for a, topic, at in _meeting_rows(Attendance, member_id)
        ],
    )
    speakers = Section(
        "speakers",
        _("Đăng ký phát biểu"),
        [*meeting_cols, _("Lúc đăng ký")],
        [
            [topic, fmt_date(at), fmt_datetime(s.requested_at)]
            for s, topic, at in _meeting_rows(Speaker, member_id)
        ],
    )
    opinions = Section(
        "opinions",
        _("Ý kiến đã gửi"),
        [*meeting_cols, _("Nội dung")],
        [[topic, fmt_date(at), o.text] for o, topic, at in _meeting_rows(Opinion, member_id)],
    )
    recommendations = Section(
        "recommendations",
        _("Kiến nghị đã gửi"),
        [*meeting_cols, _("Nội dung")],
        [
            [topic, fmt_date(at), r.text]
            for r, topic, at in _meeting_rows(Recommendation, member_id)
        ],
    )
    ratings = Section(
        "ratings",
        _("Đánh giá buổi sinh hoạt"),
        [*meeting_cols, _("Chuẩn bị"), _("Diễn biến"), _("Thực hiện")],
        [
            [topic, fmt_date(at), str(r.preparation), str(r.proceedings), str(r.follow_through)]
            for r, topic, at in _meeting_rows(Rating, member_id)
        ],
    )
    return [attendance, speakers, opinions, recommendations, ratings]


def _votes(member_id: int) -> list[Section]:
    def rows(model):
        return db.session.execute(
            select(model, Motion.text, Meeting.topic, Meeting.starts_at)
            .join(Motion, Motion.id == model.motion_id)
            .join(Meeting, Meeting.id == Motion.meeting_id)
            .where(model.member_id == member_id)
            .order_by(Meeting.starts_at.desc())
        ).all()

    columns = [_("Buổi sinh hoạt"), _("Ngày"), _("Nội dung biểu quyết")]
    open_votes = Section(
        "open_votes",
        _("Biểu quyết công khai"),
        [*columns, _("Lựa chọn"), _("Biểu quyết hộ")],
        [
            [topic, fmt_date(at), text, Choice.label_for(v.choice), v.proxy_reason]
            for v, text, topic, at in rows(OpenVote)
        ],
    )
    secret = Section(
        "secret_ballots",
        _("Bỏ phiếu kín"),
        [*columns, _("Tham gia")],
        [
            [topic, fmt_date(at), text, _("Đã bỏ phiếu")]
            for _r, text, topic, at in rows(BallotReceipt)
        ],
        note=_("Ứng dụng không lưu đồng chí đã chọn gì trong phiếu kín, chỉ lưu là đã bỏ phiếu."),
    )
    return [open_votes, secret]


def _cards(member_id: int) -> Section:
    rows = db.session.scalars(
        select(CardRequest)
        .where(CardRequest.member_id == member_id)
        .order_by(CardRequest.created_at.desc())
    ).all()
    return Section(
        "card_requests",
        _("Yêu cầu về thẻ đảng viên"),
        [_("Ngày gửi"), _("Loại"), _("Tình trạng"), _("Nội dung")],
        [
            [
                fmt_datetime(r.created_at),
                RequestKind.label_for(r.kind),
                RequestStatus.label_for(r.status),
                r.details,
            ]
            for r in rows
        ],
    )


def _bookmarks(user: User) -> Section:
    rows = db.session.execute(
        select(Article.title, Bookmark.created_at)
        .join(Article, Article.id == Bookmark.article_id)
        .where(Bookmark.user_id == user.id)
    ).all()
    return Section(
        "bookmarks",
        _("Bài đã đánh dấu"),
        [_("Bài"), _("Ngày đánh dấu")],
        [[title, fmt_datetime(at)] for title, at in rows],
    )


def _readers(user: User, member: Member | None) -> Section:
    """Who opened the member's record, or a list of a unit that contains them."""
    section = Section(
        "reads",
        _("Ai đã xem thông tin của đồng chí"),
        [_("Lúc"), _("Người xem"), _("Đã xem")],
        note=_("Ghi lại mỗi lần cán bộ mở hồ sơ của đồng chí hoặc danh sách có tên đồng chí."),
    )
    if member is None or member.cell is None:
        return section
    above = [int(part) for part in member.cell.path.strip("/").split("/") if part]
    entries = db.session.execute(
        select(AuditEntry, User.display_name, User.username)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.actor_id != user.id)
        .where(
            or_(
                (AuditEntry.action.in_(RECORD_READS))
                & (AuditEntry.object_type == "Member")
                & (AuditEntry.object_id == str(member.id)),
                (AuditEntry.action.in_(LIST_READS))
                & (AuditEntry.object_type == "Unit")
                & (AuditEntry.object_id.in_([str(i) for i in above])),
            )
        )
        .order_by(AuditEntry.at.desc())
        .limit(500)
    ).all()
    what = {
        "member.viewed": _("Hồ sơ của đồng chí"),
        "roster.cell_viewed": _("Danh sách chi bộ"),
        "roster.members_viewed": _("Danh sách đảng viên của đơn vị"),
        "adoption.exported": _("Bảng số liệu của đơn vị"),
    }
    section.rows = [
        [fmt_datetime(e.at), name or username or "", what.get(e.action, e.action)]
        for e, name, username in entries
    ]
    return section


def _corrections(user: User) -> Section:
    rows = db.session.scalars(
        select(CorrectionRequest)
        .where(CorrectionRequest.user_id == user.id)
        .order_by(CorrectionRequest.created_at.desc())
    ).all()
    return Section(
        "corrections",
        _("Đề nghị sửa thông tin"),
        [_("Ngày gửi"), _("Nội dung"), _("Tình trạng"), _("Trả lời")],
        [[fmt_datetime(r.created_at), r.text, r.status_label, r.answer] for r in rows],
    )


def my_data(user: User) -> list[Section]:
    """Every section for `user` (and their member record, if they have one)."""
    member = user.member
    sections = [_record(member), _account(user), _roles(user), _sessions(user), _installs(user)]
    if member is not None:
        sections += _participation(member.id) + _votes(member.id) + [_cards(member.id)]
    sections += [_bookmarks(user), _readers(user, member), _corrections(user)]
    return sections
