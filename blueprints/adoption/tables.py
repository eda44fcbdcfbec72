"""Every table of the dashboard, defined once: the page, the XLSX, the CSV and the PDF read these.

A column is (header, kind): "text", "int" (a count) or "rate" (a fraction shown as 92,3%).
Rows hold plain values, so an export carries exactly the numbers the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from blueprints.adoption.figures import Figures, share
from blueprints.auth.models import User
from blueprints.members.models import DEPARTED_STATUSES, Member, MemberStatus
from blueprints.pwa.models import AppInstall
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_month, formatters
from core.models import utcnow
from core.pagination import pager

PER_PAGE = 20  # rows of a paged dashboard table (a province has ~130 sub-units)


@dataclass
class Table:
    """One table: a key (for ?table=), a title, columns, rows and, per row, a unit to link.

    The exports carry every row; the page may hold one page of them (`paged`), with the
    total row (`total_last`) below it."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[list] = field(default_factory=list)
    links: list[int | None] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    # Columns the page shows (None: all); the exports always carry every column.
    on_page: list[int] | None = None
    # Per row, a member whose "no smartphone" flag the page lets the user change: (id, flag).
    actions: list[tuple[int, bool]] = field(default_factory=list)
    total_last: bool = False
    # Set by paged: the pager and how many rows match the search (on every page).
    pager: dict | None = None
    matched: int | None = None

    @property
    def headers(self) -> list[str]:
        return [header for header, _kind in self.columns]

    @property
    def page_columns(self) -> list[tuple[str, str]]:
        """The columns the page shows."""
        if self.on_page is None:
            return self.columns
        return [self.columns[i] for i in self.on_page]

    @property
    def page_arg(self) -> str:
        """The query argument holding this table's page number (a page has several)."""
        return f"{self.key}_page"

    @property
    def region(self) -> str:
        """The id of the element holding the table and its pager (what htmx swaps)."""
        return f"part-{self.key}"

    def add(self, values: list, *, link: int | None = None, mark: str = "") -> None:
        self.rows.append(values)
        self.links.append(link)
        self.marks.append(mark)

    def paged(self, listed: Pagination) -> None:
        """The page holds one page of a longer list (`listed`): keep its pager."""
        self.pager = pager(listed, self.page_arg, self.region)
        self.matched = listed.total

    def shown_rows(self) -> list[tuple[int | None, str, list[tuple[str, bool]]]]:
        """Per row: the unit to link, the mark, and each cell as (text, is a number), the text
        formatted as the page shows it (formatting here is several times cheaper than in the
        template)."""
        number, percent = formatters()
        picked = self.on_page or range(len(self.columns))
        kinds = [self.columns[i][1] for i in picked]

        def shown(value, kind: str) -> str:
            if kind == "text":
                return value or ""
            if value is None:
                return "—"
            return percent(value) if kind == "rate" else number(value)

        return [
            (
                link,
                mark,
                [(shown(values[i], k), k != "text") for i, k in zip(picked, kinds, strict=True)],
            )
            for values, link, mark in zip(self.rows, self.links, self.marks, strict=True)
        ]


def _marks() -> dict[str, str]:
    """Words for a ranked row's mark (shown as text, never by colour alone)."""
    return {"best": _("Dẫn đầu"), "weakest": _("Cần đôn đốc"), "": ""}


def _place(f: Figures, marks: dict[str, str]) -> str:
    """The "Xếp hạng" cell: the place among all sub-units, with the mark's words."""
    if f.position is None:
        return ""
    return f"{f.position} — {marks[f.mark]}" if f.mark else str(f.position)


def adoption_table(rows: list[Figures], total: Figures) -> Table:
    """Adoption by sub-unit, ranked by the adjusted install rate."""
    marks = _marks()
    table = Table(
        "adoption",
        _("Sử dụng ứng dụng theo đơn vị trực thuộc"),
        [
            (_("Đơn vị"), "text"),
            (_("Xếp hạng"), "text"),
            (_("Đảng viên"), "int"),
            (_("Dự bị"), "int"),
            (_("Miễn sinh hoạt"), "int"),
            (_("Không có điện thoại thông minh"), "int"),
            (_("Mẫu số (đã loại trừ)"), "int"),
            (_("Đã cấp tài khoản"), "int"),
            (_("Đã đăng nhập"), "int"),
            (_("Đã cài ứng dụng"), "int"),
            (_("Tỷ lệ cài trên tổng số"), "rate"),
            (_("Tỷ lệ cài trên mẫu số"), "rate"),
            (_("Hoạt động 30 ngày qua"), "int"),
            (_("Tỷ lệ hoạt động"), "rate"),
        ],
        total_last=True,
    )
    for f in [*rows, total]:
        is_total = f is total
        table.add(
            [
                _("Tổng cộng") if is_total else f.unit.name,
                _place(f, marks),
                f.members,
                f.probationary,
                f.exempt,
                f.no_smartphone,
                f.denominator,
                f.accounts,
                f.logged_in,
                f.installed,
                share(f.installed, f.members),
                f.install_rate,
                f.active_30d,
                share(f.active_30d, f.denominator),
            ],
            link=None if is_total else f.unit.id,
            mark=f.mark,
        )
    return table


def quality_table(rows: list[Figures], total: Figures) -> Table:
    """Meeting quality by sub-unit for the month, ranked by the average score."""
    marks = _marks()
    table = Table(
        "quality",
        _("Chất lượng sinh hoạt chi bộ theo đơn vị trực thuộc"),
        [
            (_("Đơn vị"), "text"),
            (_("Xếp hạng"), "text"),
            (_("Số chi bộ"), "int"),
            (_("Chi bộ đã sinh hoạt thường kỳ"), "int"),
            (_("Chi bộ chưa sinh hoạt"), "int"),
            (_("Chi bộ đã sinh hoạt chuyên đề trong quý"), "int"),
            (_("Buổi sinh hoạt"), "int"),
            (_("Đúng ngày sinh hoạt chung"), "int"),
            (_("Tài liệu đăng trước ít nhất 1 ngày"), "int"),
            (_("Tỷ lệ dự họp"), "rate"),
            (_("Buổi dự họp từ 90%"), "int"),
            (_("Buổi dự họp 70–89%"), "int"),
            (_("Buổi dự họp dưới 70%"), "int"),
            (_("Tỷ lệ đảng viên phát biểu"), "rate"),
            (_("Đủ thời lượng"), "int"),
            (_("Biên bản đã duyệt"), "int"),
            (_("Duyệt đúng hạn"), "int"),
            (_("Điểm bình quân"), "int"),
            (_("Xếp loại"), "text"),
            (_("Tốt"), "int"),
            (_("Khá"), "int"),
            (_("Trung bình"), "int"),
            (_("Kém"), "int"),
            (_("Đảng viên tự đánh giá (1–5)"), "text"),
        ],
        # The page keeps the criteria a committee reads first; the CSV and XLSX carry all 24.
        on_page=[0, 1, 2, 3, 4, 5, 7, 8, 9, 14, 16, 17, 18, 23],
        total_last=True,
    )
    for f in [*rows, total]:
        is_total = f is total
        rating = f.average_rating
        table.add(
            [
                _("Tổng cộng") if is_total else f.unit.name,
                _place(f, marks),
                f.cells,
                f.cells_regular,
                f.cells_not_met,
                f.cells_thematic,
                f.held,
                f.on_common_day,
                f.docs_on_time,
                share(f.present, f.eligible),
                f.band_high,
                f.band_mid,
                f.band_low,
                share(f.spoke, f.present),
                f.duration_ok,
                f.minutes_locked,
                f.minutes_in_time,
                f.average_score,
                f.grade,
                f.grade_good,
                f.grade_fair,
                f.grade_average,
                f.grade_poor,
                "" if rating is None else f"{rating:.1f}".replace(".", ","),
            ],
            link=None if is_total else f.unit.id,
            mark=f.mark,
        )
    return table


def history_table(months: list[Figures]) -> Table:
    """The unit's last 12 months, oldest first."""
    table = Table(
        "history",
        _("Diễn biến 12 tháng"),
        [
            (_("Tháng"), "text"),
            (_("Đảng viên"), "int"),
            (_("Đã cài ứng dụng"), "int"),
            (_("Tỷ lệ cài trên mẫu số"), "rate"),
            (_("Hoạt động 30 ngày qua"), "int"),
            (_("Số chi bộ"), "int"),
            (_("Chi bộ đã sinh hoạt"), "int"),
            (_("Buổi sinh hoạt"), "int"),
            (_("Đúng ngày sinh hoạt chung"), "int"),
            (_("Đủ thời lượng"), "int"),
            (_("Tỷ lệ dự họp"), "rate"),
            (_("Điểm bình quân"), "int"),
            (_("Xếp loại"), "text"),
        ],
    )
    for f in months:
        table.add(
            [
                fmt_month(f.month),
                f.members,
                f.installed,
                f.install_rate,
                f.active_30d,
                f.cells,
                f.cells_met,
                f.held,
                f.on_common_day,
                f.duration_ok,
                share(f.present, f.eligible),
                f.average_score,
                f.grade,
            ]
        )
    return table


def not_met_table(cells: list[tuple[str, str]], month: date) -> Table:
    """Cells of the subtree with no meeting in the month."""
    table = Table(
        "not_met",
        _("Chi bộ chưa sinh hoạt trên ứng dụng trong tháng %(m)s", m=fmt_month(month)),
        [(_("Chi bộ"), "text"), (_("Trực thuộc"), "text")],
    )
    for name, parent in cells:
        table.add([name, parent or ""])
    return table


def inactive_table(cell: Unit) -> Table:
    """The cell's members who have not used the app in the last 30 days, and why."""
    since = utcnow() - timedelta(days=30)
    installed = select(AppInstall.user_id).where(AppInstall.user_id == User.id).exists()
    stmt = (
        select(Member, User.id, User.last_login_at, installed)
        .outerjoin(User, (User.member_id == Member.id) & User.active.is_(True))
        .where(
            Member.cell_id == cell.id,
            Member.status.not_in(DEPARTED_STATUSES),
            Member.status != MemberStatus.EXEMPT,
            (User.id.is_(None)) | (User.last_seen_at.is_(None)) | (User.last_seen_at < since),
        )
        .order_by(Member.name_sort)
    )
    table = Table(
        "inactive",
        _("Đảng viên chưa sử dụng ứng dụng trong 30 ngày qua"),
        [
            (_("Đảng viên"), "text"),
            (_("Tình trạng"), "text"),
            (_("Đã cài ứng dụng"), "text"),
            (_("Không có điện thoại thông minh"), "text"),
        ],
    )
    for member, user_id, last_login, has_app in db.session.execute(stmt):
        table.actions.append((member.id, member.no_smartphone))
        if user_id is None:
            state = _("Chưa được cấp tài khoản")
        elif last_login is None:
            state = _("Chưa đăng nhập lần nào")
        else:
            state = _("Không hoạt động trong 30 ngày qua")
        table.add(
            [
                member.full_name,
                state,
                _("Có") if has_app else _("Chưa"),
                _("Có") if member.no_smartphone else "",
            ]
        )
    return table
