"""Roster pages: import with preview and progress, member lists, accounts and login slips."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from blueprints.audit import reads
from blueprints.audit.models import record
from blueprints.auth.models import User
from blueprints.members.models import Member, MemberStatus
from blueprints.roster import jobs
from blueprints.roster.blueprint import bp
from blueprints.roster.forms import ImportForm
from blueprints.roster.models import ImportJob, JobKind, JobStatus
from blueprints.roster.reasons import change_text, reason_text
from blueprints.roster.templates_xlsx import template_workbook
from blueprints.units.models import Unit, cells_under
from core.extensions import db
from core.forms import EmptyForm
from core.ids import db_int
from core.models import utcnow
from core.pagination import pager, paginate
from core.permissions import (
    ADMIN,
    STAFF,
    account_refusal,
    authorize,
    can,
    permission,
    scope_clause,
)
from core.rendering import render
from core.spreadsheets import XLSX_MIMETYPE, csv_text
from core.text import fold, normalise_card_number

PAGE_SIZE = 50
SHOWN_ROWS = 200  # more are in the downloadable list of rejected rows


def _import_units() -> list[Unit]:
    """Units the user may import for: where they hold the staff (or admin) role."""
    ids = {ra.unit_id for ra in current_user.roles if ra.role in (STAFF, ADMIN)}
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.path)))


@bp.route("/import", methods=["GET", "POST"])
@permission("roster.import")
def import_upload():
    """Upload a file; it is stored with a new job and checked in the background."""
    form = ImportForm()
    units = _import_units()
    form.unit.choices = [(u.id, u.name) for u in units]
    if request.method == "GET" and request.args.get("unit", type=db_int) in {u.id for u in units}:
        form.unit.data = request.args.get("unit", type=db_int)
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.unit.data)
        authorize("roster.import", unit)
        jobs.purge_old_files()
        upload = form.file.data
        data = upload.read()
        job = ImportJob(
            kind=JobKind(form.kind.data),
            unit=unit,
            created_by_id=current_user.id,
            filename=(upload.filename or "")[-255:],
            content=data,
            status=JobStatus.ANALYSING,
        )
        db.session.add(job)
        db.session.flush()
        record("roster.upload", job, filename=job.filename, size=len(data), kind=job.kind)
        db.session.commit()
        jobs.start(jobs.analyse_job, job.id, locale=str(get_locale() or "vi"))
        return redirect(url_for("roster.job_page", job_id=job.id))
    recent = db.session.scalars(
        select(ImportJob)
        .join(Unit, ImportJob.unit_id == Unit.id)
        .where(scope_clause(current_user, "roster.import", Unit.path))
        .options(selectinload(ImportJob.unit))
        .order_by(ImportJob.id.desc())
        .limit(10)
    ).all()
    return render("roster/import.html", form=form, recent=recent)


@bp.get("/template/<kind>.xlsx")
@permission("roster.import")
def template(kind: str):
    """The .xlsx template with Vietnamese headers."""
    if kind not in ("members", "units"):
        abort(404)
    name = "mau-dang-vien.xlsx" if kind == "members" else "mau-don-vi.xlsx"
    return Response(
        template_workbook(kind),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _job_or_404(job_id: int) -> ImportJob:
    job = db.get_or_404(ImportJob, job_id)
    authorize("roster.import", job)
    return job


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "form": EmptyForm(),
        "reason_text": reason_text,
        "change_text": change_text,
        "shown_rows": SHOWN_ROWS,
    }


@bp.get("/jobs/<int:job_id>")
@permission("roster.import")
def job_page(job_id: int):
    """The job: progress while it runs, then the preview, then the result."""
    job = _job_or_404(job_id)
    return render("roster/job.html", "roster/_job.html", **_job_context(job))


@bp.get("/jobs/<int:job_id>/status")
@permission("roster.import")
def job_status(job_id: int):
    """The job fragment the page polls every second while the job runs."""
    job = _job_or_404(job_id)
    response = render("roster/_job.html", **_job_context(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<int:job_id>/rejected.csv")
@permission("roster.import")
def job_rejected_csv(job_id: int):
    """Every rejected row with its reasons, as a CSV that Excel opens (UTF-8 with BOM)."""
    job = _job_or_404(job_id)
    rows = [[_("Dòng"), _("Số thẻ / mã"), _("Tên"), _("Lý do")]]
    for row in job.rejected or []:
        reasons = " ".join(reason_text(code, params) for code, params in row["reasons"])
        rows.append([row["row"], row["card"], row["name"], reasons])
    reads.record("roster.rejected_exported", job, once_within=None, rows=len(rows) - 1)
    return Response(
        csv_text(rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="dong-bi-tu-choi-{job.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/jobs/<int:job_id>/commit")
@permission("roster.import")
def job_commit(job_id: int):
    """Apply the previewed file: all of it in one transaction, or nothing."""
    job = _job_or_404(job_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    transferred = [int(v) for v in request.form.getlist("transfer") if v.isdigit()]
    # Only one request may move the job from preview to committing (double clicks, two tabs).
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == JobStatus.PREVIEW)
        .values(
            status=JobStatus.COMMITTING,
            error=None,
            done=0,
            updated_at=utcnow(),
            transferred_ids=transferred,
            committed_by_id=current_user.id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        flash(_("Lần nhập này không còn chờ xác nhận."), "error")
        return redirect(url_for("roster.job_page", job_id=job.id))
    jobs.start(
        jobs.commit_job, job.id, transferred, current_user.id, locale=str(get_locale() or "vi")
    )
    return redirect(url_for("roster.job_page", job_id=job.id))


@bp.post("/jobs/<int:job_id>/cancel")
@permission("roster.import")
def job_cancel(job_id: int):
    """Abandon a previewed import; the stored file is deleted."""
    job = _job_or_404(job_id)
    if job.status in (JobStatus.PREVIEW, JobStatus.FAILED) or job.is_stale:
        job.status = JobStatus.CANCELLED
        job.content = None
        record("roster.import_cancelled", job)
        db.session.commit()
        flash(_("Đã hủy lần nhập này. Không có dữ liệu nào bị thay đổi."), "success")
    return redirect(url_for("roster.import_upload"))


@bp.post("/jobs/<int:job_id>/retry")
@permission("roster.import")
def job_retry(job_id: int):
    """Check an interrupted job's file again (its content is still in the database)."""
    job = _job_or_404(job_id)
    if not job.is_stale or job.content is None:
        return redirect(url_for("roster.job_page", job_id=job.id))
    job.status = JobStatus.ANALYSING
    job.updated_at = utcnow()
    db.session.commit()
    jobs.start(jobs.analyse_job, job.id, locale=str(get_locale() or "vi"))
    return redirect(url_for("roster.job_page", job_id=job.id))


# ---------------------------------------------------------------- member lists


def _member_query(unit: Unit, q: str, status: str):
    stmt = (
        select(Member, Unit.name, User.id, User.must_change_password, User.last_login_at)
        .join(Unit, Member.cell_id == Unit.id)
        .outerjoin(User, User.member_id == Member.id)
        .where(Member.cell_id.in_(cells_under(unit)))
    )
    if status in {s.value for s in MemberStatus}:
        stmt = stmt.where(Member.status == status)
    if q:
        folded = fold(q)
        card = normalise_card_number(q)
        conditions = [Member.name_search.contains(folded, autoescape=True)]
        if card and any(ch.isdigit() for ch in card):
            conditions.append(Member.card_number.startswith(card, autoescape=True))
            conditions.append(Member.phone.contains(card, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    return stmt


@bp.get("/units/<int:unit_id>/members")
@permission("roster.view")
def members(unit_id: int):
    """Members of a unit: search without diacritics, filter by status, Vietnamese order."""
    unit = db.get_or_404(Unit, unit_id)
    authorize("roster.view", unit)
    q = request.args.get("q", "")[:80]
    status = request.args.get("status", "")
    stmt = _member_query(unit, q, status)
    listed = paginate(stmt.order_by(Member.name_sort, Member.id), PAGE_SIZE, rows=True)
    rows = listed.items
    response = render(
        "roster/members.html",
        "roster/_members_table.html",
        no_reset=_no_reset(rows),
        unit=unit,
        rows=rows,
        q=q,
        status_filter=status,
        **pager(listed),
        total=listed.total,
        status_labels=MemberStatus.labels(),
        can_reset=can(current_user, "account.reset", unit),
        can_issue=can(current_user, "account.issue", unit),
        can_import=can(current_user, "roster.import", unit),
        form=EmptyForm(),
    )
    reads.record("roster.members_viewed", unit, q=q, member_status=status, rows=listed.total)
    return response


def _no_reset(rows) -> dict[int, str]:
    """Accounts on this page the current user may not reset, with a short reason to show."""
    ids = [r[2] for r in rows if r[2]]
    if not ids:
        return {}
    users = db.session.scalars(
        select(User)
        .where(User.id.in_(ids), or_(~User.active, User.roles.any()))
        .options(selectinload(User.roles))
    ).all()
    reasons = {}
    for user in users:
        if not user.active:
            reasons[user.id] = _("Tài khoản đang bị khóa")
        elif account_refusal(current_user, user, "account.reset"):
            reasons[user.id] = _("Giữ vai trò: cấp trên đặt lại mật khẩu")
    return reasons
