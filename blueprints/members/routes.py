"""A member's own record ("Hồ sơ của tôi"), a member's record, and a cell's member list."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import func, select

from blueprints.audit import reads
from blueprints.auth.services import account_panel
from blueprints.members.blueprint import bp
from blueprints.members.models import Member, MemberStatus
from blueprints.members.services import party_age
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.i18n import local_time
from core.models import utcnow
from core.permissions import AUTHENTICATED, can, get_authorized, permission
from core.rendering import render


@bp.get("/me")
@permission(AUTHENTICATED)
def my_card():
    """ "Hồ sơ của tôi": the member's own record as the national app shows it (Quy định
    339-QĐ/TW: name, birth date, sex, dates joined and made official, card, cell, phone), with
    tuổi đảng and the next Huy hiệu Đảng computed by the rules in force (members.services)."""
    member = current_user.member
    today = local_time(utcnow()).date()
    age = party_age(member.joined_on, member.official_on, today) if member else None
    return render("members/my_card.html", member=member, user=current_user, age=age)


@bp.get("/members/<int:member_id>")
@permission("member.view")
def member_detail(member_id: int):
    """One member's record, for the member, their cell's leaders and staff above."""
    member = get_authorized(Member, member_id, "member.view")
    response = render("members/detail.html", member=member, account=account_panel(member))
    if member.id != current_user.member_id:
        reads.record("member.viewed", member)
    return response


@bp.get("/units/<int:unit_id>")
@permission("unit.view")
def unit_detail(unit_id: int):
    """A unit: its sub-units, or for a cell its members (names only for ordinary members)."""
    unit = get_authorized(Unit, unit_id, "unit.view")
    members = []
    if unit.kind == UnitKind.CELL:
        members = db.session.scalars(
            select(Member).where(Member.cell_id == unit.id).order_by(Member.name_sort, Member.id)
        ).all()
    rows = db.session.execute(
        select(Member.status, func.count()).where(Member.cell_id == unit.id).group_by(Member.status)
    ).all()
    counts = {status: n for status, n in rows}
    show_details = can(current_user, "roster.view", unit)
    response = render(
        "members/unit.html",
        unit=unit,
        members=members,
        counts=counts,
        status_labels=MemberStatus.labels(),
        show_details=show_details,
    )
    if show_details and members:
        reads.record("roster.cell_viewed", unit, rows=len(members))
    return response
