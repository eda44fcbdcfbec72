"""Role assignments and the audit log, for administrators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from blueprints.admin.forms import GrantRoleForm
from blueprints.audit.models import AuditEntry, record
from blueprints.auth.models import RoleAssignment, User
from blueprints.auth.routes import find_user
from blueprints.units.models import Unit
from core.extensions import db
from core.ids import db_int
from core.permissions import permission
from core.rendering import render

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


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
    """The audit log, newest first, filterable by action."""
    page = max(request.args.get("page", 1, type=db_int), 1)
    action = request.args.get("action", "").strip()
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor).selectinload(User.member))
        .order_by(AuditEntry.id.desc())
    )
    count_query = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
        count_query = count_query.where(AuditEntry.action == action)
    total = db.session.scalar(count_query) or 0
    entries = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return render(
        "admin/audit.html",
        "admin/_audit_table.html",
        entries=entries,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        action=action,
        actions=list(actions),
    )
