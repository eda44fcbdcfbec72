"""The dashboards: adoption and meeting quality of a unit's subtree, drillable down to a cell,
with charts, the same data as tables, and exports (XLSX, CSV, monthly PDF report)."""

from __future__ import annotations

import copy
import io
from datetime import date

from flask import Response, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.adoption import exports
from blueprints.adoption.blueprint import bp
from blueprints.adoption.figures import (
    Figures,
    by_sub_unit,
    cells_not_met,
    ensure_fresh,
    history,
    offered_months,
    rank,
    ratio,
    total,
)
from blueprints.adoption.months import this_month
from blueprints.adoption.refresh import refresh_month
from blueprints.adoption.tables import (
    PER_PAGE,
    adoption_table,
    history_table,
    inactive_table,
    not_met_table,
    quality_table,
)
from blueprints.audit import reads
from blueprints.audit.models import record
from blueprints.members.models import Member
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_month
from core.pagination import page_number, paginate, paginate_list
from core.permissions import authorize, can, permission
from core.rendering import render
from core.spreadsheets import XLSX_MIMETYPE
from core.text import clean, fold

ORDER = {"admin": 0, "staff": 1, "secretary": 2, "deputy": 3}


def _month_arg() -> date:
    """?month=YYYY-MM among the offered months; anything else means this month."""
    wanted = request.args.get("month", "")
    return next((m for m in offered_months() if m.strftime("%Y-%m") == wanted), this_month())


@bp.get("/")
@permission("adoption.view")
def index():
    """Open the figures of the widest unit the user is responsible for."""
    roles = sorted(
        (ra for ra in current_user.roles if ra.role in ORDER), key=lambda ra: ORDER[ra.role]
    )
    if not roles:
        abort(403)
    return redirect(url_for("adoption.unit", unit_id=roles[0].unit_id))


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    authorize("adoption.view", unit)
    return unit


def _breadcrumb(unit: Unit) -> list[Unit]:
    """The unit's ancestors the user may open, from the top down (the unit itself last)."""
    ancestors = db.session.query(Unit).filter(Unit.id.in_(unit.ancestor_ids)).all()
    ancestors.sort(key=lambda u: u.depth)
    return [u for u in ancestors if u.id == unit.id or can(current_user, "adoption.view", u)]


CHART_ALL = 12  # sub-units drawn one bar each; beyond that the best and weakest CHART_ENDS
CHART_ENDS = 5


def _bars(ranked: list[Figures]) -> list[tuple[str, float | None, str]]:
    """The sub-unit bar chart: every sub-unit when few, else the best and the weakest few with
    a line saying how many lie between (the table after the chart lists them all)."""
    if len(ranked) <= CHART_ALL:
        return [(f.unit.name, f.install_rate, f.mark) for f in ranked]
    items = [(f.unit.name, f.install_rate, f.mark) for f in ranked if f.install_rate is not None]
    between = len(ranked) - 2 * CHART_ENDS
    gap = (_("… %(n)s đơn vị khác (xem bảng)", n=between), None, "gap")
    return [*items[:CHART_ENDS], gap, *items[-CHART_ENDS:]]


def _matching(ranked: list[Figures], q: str) -> list[Figures]:
    """The sub-units whose name, without diacritics, contains the search words."""
    if not q:
        return ranked
    wanted = fold(q)
    return [f for f in ranked if wanted in fold(f.unit.name)]


def _ranked_table(build, key: str, ranked: list[Figures], whole, q: str, on_page: bool):
    """A ranked sub-unit table: every row for the exports, one page of the matching rows for
    the page (only those are formatted: a merged province has ~130 sub-units)."""
    if not on_page:
        return build(ranked, whole)
    listed = paginate_list(_matching(ranked, q), PER_PAGE, arg=f"{key}_page")
    table = build(listed.items, whole)
    table.paged(listed)
    return table


def search_words() -> str:
    """The page's search words (?q=), cleaned and bounded."""
    return clean(request.args.get("q", ""))[:80]


def dashboard(unit: Unit, month: date, *, on_page: bool = False) -> dict:
    """Everything one dashboard shows (and exports) for `unit` and `month`.

    The exports get every row; `on_page` keeps one page of each long table (the ranks and
    marks still counted over all sub-units) and the rows matching the search words."""
    ensure_fresh(unit, month)
    whole = total(unit, month)
    subs = by_sub_unit(unit, month)
    adoption = rank([copy.copy(f) for f in subs], key=lambda f: f.install_rate)
    quality = rank([copy.copy(f) for f in subs], key=lambda f: f.average_score)
    months = history(unit)
    q = search_words() if on_page else ""
    tables = {}
    if subs:
        tables["adoption"] = _ranked_table(adoption_table, "adoption", adoption, whole, q, on_page)
        tables["quality"] = _ranked_table(quality_table, "quality", quality, whole, q, on_page)
    tables["history"] = history_table(months)
    if not unit.is_cell:
        stmt = cells_not_met(unit, month, q)
        if on_page:
            # Without a search the rollup row already counts them (no COUNT over the subtree).
            listed = paginate(stmt, PER_PAGE, rows=True, page=page_number("not_met_page"),
                              total=None if q else whole.cells_not_met)  # fmt: skip
            tables["not_met"] = not_met_table(listed.items, month)
            tables["not_met"].paged(listed)
        else:
            tables["not_met"] = not_met_table(db.session.execute(stmt).all(), month)
    else:
        tables["inactive"] = inactive_table(unit)
    return {
        "unit": unit,
        "month": month,
        "q": q,
        "total": whole,
        "adoption_rows": adoption,
        "quality_rows": quality,
        "history": months,
        "tables": tables,
        "history_points": [(fmt_month(f.month), f.install_rate) for f in months],
        "unit_bars": _bars(adoption),
        "chart_all": CHART_ALL,
        "chart_ends": CHART_ENDS,
    }


def _part(data: dict) -> str:
    """The paged table an htmx pager link asked for (its region id in HX-Target), if any."""
    key = request.headers.get("HX-Target", "").removeprefix("part-")
    table = data["tables"].get(key)
    return key if table is not None and table.pager is not None else ""


@bp.get("/<int:unit_id>")
@permission("adoption.view")
def unit(unit_id: int):
    """The dashboard of a unit; htmx swaps only the figures when the month or the search words
    change, and only one table when its pager is used."""
    target = _unit(unit_id)
    data = dashboard(target, _month_arg(), on_page=True)
    if target.is_cell:
        reads.record("adoption.cell_viewed", target)
    part = _part(data)
    return render(
        "adoption/unit.html",
        "adoption/_part.html" if part else "adoption/_table.html",
        d=data,
        part=part,
        months=offered_months(),
        breadcrumb=_breadcrumb(target),
        ratio=ratio,
    )


@bp.post("/<int:unit_id>/members/<int:member_id>/smartphone")
@permission("adoption.declare_phone")
def declare_phone(unit_id: int, member_id: int):
    """Mark (or unmark) a member of the cell as having no smartphone; the cell's figures of
    this month are recounted at once."""
    cell = db.session.get(Unit, unit_id)
    member = db.session.get(Member, member_id)
    if cell is None or member is None or member.cell_id != cell.id or member.departed:
        abort(404)
    authorize("adoption.declare_phone", member)
    member.no_smartphone = request.form.get("no_smartphone") == "1"
    record("member.no_smartphone", member, no_smartphone=str(int(member.no_smartphone)))
    refresh_month(this_month(), [cell.id])
    db.session.commit()
    flash(
        _("Đã ghi nhận: đồng chí %(name)s không có điện thoại thông minh.", name=member.full_name)
        if member.no_smartphone
        else _(
            "Đã bỏ ghi nhận không có điện thoại thông minh của đồng chí %(name)s.",
            name=member.full_name,
        ),
        "success",
    )
    return redirect(url_for("adoption.unit", unit_id=cell.id) + "#inactive-heading")


def _filename(data: dict, ext: str, table: str = "") -> str:
    middle = f"-{table}" if table else ""
    return f"so-lieu-{data['unit'].code}{middle}-{data['month']:%Y-%m}.{ext}"


@bp.get("/<int:unit_id>.xlsx")
@permission("adoption.view")
def unit_xlsx(unit_id: int):
    """Every table of the dashboard as one Excel workbook, a sheet per table."""
    data = dashboard(_unit(unit_id), _month_arg())
    reads.record(
        "adoption.exported", data["unit"], once_within=None, month=fmt_month(data["month"])
    )
    return send_file(
        io.BytesIO(exports.workbook(data["tables"].values())),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=_filename(data, "xlsx"),
    )


@bp.get("/<int:unit_id>.csv")
@permission("adoption.view")
def unit_csv(unit_id: int):
    """One table (?table=adoption, quality, history, not_met or inactive) as CSV."""
    data = dashboard(_unit(unit_id), _month_arg())
    key = request.args.get("table", "")
    table = data["tables"].get(key) or next(iter(data["tables"].values()))
    reads.record(
        "adoption.exported", data["unit"], once_within=None, month=fmt_month(data["month"])
    )
    response = Response(exports.csv_of(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(data, "csv", table.key)}"'
    )
    return response


@bp.get("/<int:unit_id>.pdf")
@permission("adoption.view")
def unit_pdf(unit_id: int):
    """The monthly report of the unit, ready to attach to the committee's report."""
    data = dashboard(_unit(unit_id), _month_arg())
    reads.record(
        "adoption.exported", data["unit"], once_within=None, month=fmt_month(data["month"])
    )
    return send_file(
        io.BytesIO(exports.report_pdf(data)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_filename(data, "pdf"),
    )
