"""Roster pages for accounts: issuing a unit's accounts as a background job and downloading
its login slips, and resetting one member's password with a new slip."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from blueprints.audit.models import record
from blueprints.auth.models import User
from blueprints.members.models import DEPARTED_STATUSES, Member
from blueprints.roster import accounts, issuing
from blueprints.roster.blueprint import bp
from blueprints.roster.forms import IssueForm
from blueprints.roster.models import IssueJob
from blueprints.roster.slips import build_slips_pdf
from blueprints.units.models import Unit, cells_under
from core.extensions import db
from core.forms import EmptyForm
from core.i18n import fmt_number
from core.permissions import account_refusal, authorize, get_authorized, permission
from core.rendering import render
from core.sealing import SealError, unseal
from core.urls import site_url


def _pdf_response(pdf: bytes, name: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/units/<int:unit_id>/accounts", methods=["GET", "POST"])
@permission("account.issue")
def issue_accounts(unit_id: int):
    """Issue accounts for a whole unit: queued as a background job whose page shows progress
    and then offers the login slips."""
    unit = db.get_or_404(Unit, unit_id)
    authorize("account.issue", unit)
    form = IssueForm()
    counts = {
        "members": db.session.scalar(
            select(func.count())
            .select_from(Member)
            .where(
                Member.cell_id.in_(cells_under(unit)),
                Member.status.not_in(DEPARTED_STATUSES),
            )
        ),
        "without": db.session.scalar(
            select(func.count()).select_from(
                accounts.members_for_issue(unit, only_new=True).subquery()
            )
        ),
    }
    if form.validate_on_submit():
        only_new = form.mode.data != "all"
        total = db.session.scalar(
            select(func.count()).select_from(
                accounts.members_for_issue(unit, only_new=only_new).subquery()
            )
        )
        if not total:
            flash(_("Không có đảng viên nào cần cấp tài khoản."), "info")
            return redirect(url_for("roster.issue_accounts", unit_id=unit.id))
        if total > accounts.MAX_ISSUE:
            flash(
                _(
                    "Đơn vị có %(n)s đảng viên, nhiều hơn %(max)s. "
                    "Đồng chí hãy cấp theo từng đơn vị trực thuộc.",
                    n=fmt_number(total),
                    max=fmt_number(accounts.MAX_ISSUE),
                ),
                "error",
            )
            return redirect(url_for("roster.issue_accounts", unit_id=unit.id))
        entry = issuing.start_issue(
            unit,
            current_user,
            "new" if only_new else "all",
            site_url(),
            str(get_locale() or "vi"),
        )
        return redirect(url_for("roster.issue_page", job_id=entry.id))
    return render(
        "roster/accounts.html",
        unit=unit,
        form=form,
        counts=counts,
        sub_units=accounts.sub_unit_counts(unit),
        max_issue=accounts.MAX_ISSUE,
    )


def _skipped_message(skipped: int) -> str:
    return _(
        "%(n)s tài khoản không được cấp lại: tài khoản đang bị khóa, hoặc giữ vai trò mà "
        "đồng chí không giữ ở cấp trên. Đồng chí hãy đề nghị quản trị hệ thống.",
        n=fmt_number(skipped),
    )


@bp.post("/members/<int:member_id>/reset")
@permission("account.reset")
def reset_password(member_id: int):
    """Reset a member's password (forgotten): new initial password, new slip, old one void.

    Only an existing, unlocked account that the actor may manage (core.permissions
    .account_refusal); creating accounts is issuance, unlocking is its own audited action.
    """
    member = db.get_or_404(Member, member_id)
    authorize("account.reset", member)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("roster.members", unit_id=member.cell_id))
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    if user is None:
        flash(
            _(
                "Đồng chí %(name)s chưa có tài khoản. Tài khoản do Ban Tổ chức cấp "
                "(Cấp tài khoản trên danh sách đơn vị).",
                name=member.full_name,
            ),
            "error",
        )
        return back
    refusal = account_refusal(current_user, user, "account.reset")
    if refusal is None and (not user.active or member.departed):
        refusal = _(
            "Tài khoản của đồng chí %(name)s đang bị khóa. Cần mở khóa tài khoản trước "
            "(Ban Tổ chức, trên trang của đảng viên).",
            name=member.full_name,
        )
    if refusal:
        flash(refusal, "error")
        return back
    slips, _skipped = accounts.issue(
        [(member, member.cell.name)], current_user, action="account.reset", create=False
    )
    record("account.password_reset", member, card=member.card_number)
    pdf = build_slips_pdf(slips, site_url(), _("Phiếu đăng nhập — %(name)s", name=member.full_name))
    db.session.commit()
    return _pdf_response(pdf, f"phieu-dang-nhap-{member.card_number}.pdf")


def _own_issue(job_id: int) -> IssueJob:
    """The issuance, for the staff member who asked only: its slips hold passwords."""
    entry = get_authorized(IssueJob, job_id, "account.issue")
    if entry.actor_id != current_user.id:
        abort(404)
    return entry


@bp.get("/issues/<int:job_id>")
@permission("account.issue")
def issue_page(job_id: int):
    """Progress of an issuance, then the slips to download."""
    entry = _own_issue(job_id)
    return render(
        "roster/issue_job.html",
        "roster/_issue_job.html",
        entry=entry,
        skipped_message=_skipped_message(entry.skipped) if entry.skipped else "",
        slips_ready=entry.slips is not None,
    )


@bp.get("/issues/<int:job_id>/slips.pdf")
@permission("account.issue")
def issue_slips(job_id: int):
    """The login slips of a finished issuance (kept sealed for 24 hours)."""
    entry = _own_issue(job_id)
    if entry.slips is None:
        flash(_("Phiếu đăng nhập của lần cấp này không còn. Nếu cần, đồng chí cấp lại mật "
                "khẩu cho từng người hoặc cấp lại cho cả đơn vị."), "error")  # fmt: skip
        return redirect(url_for("roster.issue_page", job_id=entry.id))
    try:
        pdf = unseal(entry.slips, issuing.SLIPS_PURPOSE)
    except SealError:
        abort(404)
    record("account.slips_downloaded", entry.unit, job=entry.id, count=entry.issued)
    db.session.commit()
    return _pdf_response(pdf, f"phieu-dang-nhap-{entry.unit.code.lower()}.pdf")
