"""Role assignments and the audit log, for administrators."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from blueprints.admin.blueprint import bp
from blueprints.admin.describe import describe
from blueprints.admin.forms import AuditFilterForm, GrantRoleForm
from blueprints.audit.labels import action_label
from blueprints.audit.models import AuditEntry, record
from blueprints.auth.models import RoleAssignment, User
from blueprints.auth.services import find_user
from blueprints.units.models import Unit
from core.extensions import db
from core.ids import db_int
from core.pagination import paginate
from core.permissions import permission
from core.rendering import is_htmx, render

PAGE_SIZE = 50
COUNT_CAP = 10_000


@bp.route("/roles", methods=["GET", "POST"])
@permission("role.manage")
def roles():
    """List role assignments and grant a new one."""
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = find_user(form.login.data)
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data.upper()))
        if user is None:
            form.login.errors.append(_("Không tìm thấy tài khoản này."))
        elif unit is None:
            form.unit_code.errors.append(_("Không có đơn vị mang mã này."))
        elif db.session.scalar(
            select(RoleAssignment).filter_by(user_id=user.id, role=form.role.data, unit_id=unit.id)
        ):
            form.role.errors.append(_("Tài khoản đã có vai trò này ở đơn vị này."))
        else:
            assignment = RoleAssignment(user=user, role=form.role.data, unit=unit)
            db.session.add(assignment)
            db.session.flush()
            record("role.granted", user, unit_id=unit.id, role=form.role.data, unit=unit.code)
            db.session.commit()
            flash(_("Đã cấp vai trò."), "success")
            return redirect(url_for("admin.roles"))
    assignments = db.session.scalars(
        select(RoleAssignment)
        .join(User, RoleAssignment.user_id == User.id)
        .options(selectinload(RoleAssignment.user).selectinload(User.member))
        .options(selectinload(RoleAssignment.unit))
        .order_by(RoleAssignment.role, RoleAssignment.unit_id, User.id)
    ).all()
    return render("admin/roles.html", form=form, assignments=assignments)


@bp.post("/roles/<int:assignment_id>/revoke")
@permission("role.manage")
def revoke_role(assignment_id: int):
    """Remove a role assignment."""
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    record(
        "role.revoked",
        assignment.user,
        unit_id=assignment.unit_id,
        role=assignment.role,
        unit=assignment.unit.code,
    )
    db.session.delete(assignment)
    db.session.commit()
    flash(_("Đã thu hồi vai trò."), "success")
    return redirect(url_for("admin.roles"))


@bp.get("/audit")
@permission("audit.view")
def audit():
    """The audit log, newest first: filter by action, by who did it and by date range; each
    entry names its object (with a link) and spells out its details in Vietnamese."""
    form = AuditFilterForm(request.args)
    last_page = max(COUNT_CAP // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=db_int), 1), last_page)
    form.validate()  # fields with errors say so and are left out of the filter
    query = _filtered(select(AuditEntry), form)
    # Counting millions of login entries on every page view would cost seconds: count up to a
    # cap and say "more than" beyond it (narrow by date or person to see further back).
    capped = query.with_only_columns(AuditEntry.id).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    listed = paginate(
        query.options(selectinload(AuditEntry.actor).selectinload(User.member)).order_by(
            AuditEntry.id.desc()
        ),
        PAGE_SIZE,
        page=page,
        count=False,
    )
    return render(
        "admin/audit.html",
        "admin/_audit_table.html",
        form=form,
        entries=describe(listed.items),
        action_label=action_label,
        show_error_summary=is_htmx(),
        current_page=page,
        pages=max((min(total, COUNT_CAP) + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=min(total, COUNT_CAP),
        more=total > COUNT_CAP,
    )


def _filtered(query, form: AuditFilterForm):
    """Narrow the audit query by the form's valid filters (an unknown login matches nothing)."""
    valid = {field.name for field in form if field.data and not field.errors}
    if "action" in valid:
        query = query.where(AuditEntry.action == form.action.data)
    if "login" in valid:
        user = find_user(form.login.data)
        if user is None:
            form.login.errors.append(_("Không tìm thấy tài khoản này."))
        query = query.where(AuditEntry.actor_id == user.id if user else false())
    # Dates are days in the user's time zone; entries are stored in UTC.
    if "date_from" in valid:
        start = datetime.combine(form.date_from.data, time.min)
        query = query.where(AuditEntry.at >= to_utc(start))
    if "date_to" in valid:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time.min)
        query = query.where(AuditEntry.at < to_utc(end))
    return query
