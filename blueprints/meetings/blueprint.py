"""The meetings blueprint, its permissions and the helpers every meetings view shares:
finding a meeting in the user's scope, answering an action (receipt fragment or redirect).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from blueprints.audit.labels import register_object, register_values
from blueprints.meetings.forms import TaskForm
from blueprints.meetings.models import START_WINDOW, Attend, Meeting, MeetingStatus
from blueprints.meetings.services.scheduling import cell_members
from blueprints.members.models import Member
from core.errors import render_error
from core.extensions import db
from core.i18n import fmt_date
from core.models import utcnow
from core.permissions import DEPUTY, SECRETARY, STAFF, authorize, can, register_action
from core.rendering import is_htmx
from core.security import safe_next_url

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


register_action("meeting.view", (SECRETARY, DEPUTY, STAFF), own_cell=True)
register_action("meeting.manage", (SECRETARY, DEPUTY, STAFF))
register_action("meeting.take_part", (), own_cell=True)
# Changing what was announced (time, place, topic, chair, clerk): the cell's own leaders only.
register_action("meeting.edit", (SECRETARY, DEPUTY))

# The regions of the live views that refresh on their own, each with its template: an explicit
# table, so a name without a template answers 404, never a 500 (tests render every one).
CONSOLE_PARTS = {
    "head": "meetings/_r_head.html",
    "attendance": "meetings/_r_attendance.html",
    "agenda": "meetings/_r_agenda.html",
    "speakers": "meetings/_r_speakers.html",
    "opinions": "meetings/_r_opinions.html",
    "motions": "meetings/_r_motions.html",
    "tasks": "meetings/_r_tasks.html",
}
MEMBER_PARTS = {"member": "meetings/_r_member.html"}
PROJECTOR_PARTS = {"projector": "meetings/_r_projector.html"}
PART_TEMPLATES = CONSOLE_PARTS | MEMBER_PARTS | PROJECTOR_PARTS


# Checking in or voting on a member's behalf: only for the people running the meeting.
NOT_IN_THE_ROOM = _l(
    "Chỉ chủ trì buổi sinh hoạt hoặc bí thư, phó bí thư của chi bộ mới được điểm danh và "
    "biểu quyết hộ đảng viên. Đồng chí hãy đề nghị chủ trì buổi sinh hoạt ghi giúp."
)


def get_meeting(meeting_id: int, action: str = "meeting.view") -> Meeting:
    """The meeting with its cell, or 404; 403 unless the user may do `action` on it."""
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.cell)])
    if meeting is None:
        abort(404)
    authorize(action, meeting)
    return meeting


def my_member(meeting: Meeting) -> Member:
    """The current user as a member of the meeting's cell (403 for anyone else)."""
    member = current_user.member
    if member is None or member.cell_id != meeting.cell_id:
        abort(403)
    return member


def is_clerk(meeting: Meeting) -> bool:
    """Whether the current user is the meeting's clerk (thư ký)."""
    return bool(current_user.member_id) and current_user.member_id == meeting.clerk_id


def is_chair(meeting: Meeting) -> bool:
    """Whether the current user chairs the meeting."""
    return bool(current_user.member_id) and current_user.member_id == meeting.chair_id


def runs_the_room(meeting: Meeting) -> bool:
    """Whether the current user may act on a member's behalf at this meeting (check in and vote
    for a member without a smartphone): the meeting's chair, or the secretary or deputy of the
    cell itself (a role held on this very cell, not one inherited from a committee above).

    These are the people in the room who can see the member raise a hand; district and
    provincial staff (`meeting.manage` through their committee) watch and help, but never
    speak for a member.
    """
    if not current_user.is_authenticated:
        return False
    if current_user.member_id and current_user.member_id == meeting.chair_id:
        return True
    return any(
        ra.role in (SECRETARY, DEPUTY) and ra.unit_id == meeting.cell_id
        for ra in current_user.roles
    )


def back_to_meeting(meeting: Meeting):
    """Redirect to the page the form came from (its `next` field), else the meeting page."""
    target = request.form.get("next")
    if target:
        return redirect(safe_next_url(target))  # a path on this site only: no open redirect
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


def refuse(meeting: Meeting, message: str, status: int = 400):
    """Explain a refused action: a fragment for htmx, a flash message otherwise."""
    db.session.rollback()
    if is_htmx():
        return render_error(status, message)
    flash(message, "error")
    return back_to_meeting(meeting)


def acknowledge(meeting: Meeting, message: str):
    """Answer a successful live action: a receipt for htmx (and refresh regions), else redirect."""
    if is_htmx():
        response = Response(render_template("meetings/_receipt.html", message=message))
        response.headers["HX-Trigger"] = "meeting:changed"
        return response
    flash(message, "success")
    return back_to_meeting(meeting)


def warn_no_quorum(meeting: Meeting, form, t):
    """Before a vote opens without the quorum: say so and let the secretary confirm or wait.

    A meeting needs two thirds of the official members convened (services/rules.py); a vote
    taken without them is recorded as not passed.
    """
    context = {"meeting": meeting, "form": form, "t": t}
    if is_htmx():
        # Shown beside the "Mở biểu quyết" button (meetings.js keeps a refusal's form whole).
        return render_template("meetings/_quorum_warning.html", **context), 409
    return render_template("meetings/quorum_warning.html", **context), 409


def member_choices(cell_id: int) -> list[tuple[int, str]]:
    """(id, name) of the cell's members, for select fields."""
    return [(m.id, m.full_name) for m in cell_members(cell_id)]


def task_form(meeting: Meeting) -> TaskForm:
    """The task form with the cell's members as possible assignees."""
    form = TaskForm()
    form.assignee_id.choices = member_choices(meeting.cell_id)
    return form


def upcoming_meeting():
    """The member's meeting for the home screen card, or None: the one in progress first, then
    the next scheduled one (one dated in the past, a typo, never hides either).

    Offered to every template by a context processor that app.py installs; only the pages
    that show the card call it.
    """
    if not current_user.is_authenticated or current_user.member is None:
        return None
    stale = Meeting.starts_at < utcnow() - START_WINDOW
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == current_user.member.cell_id, Meeting.status != MeetingStatus.CLOSED
        )
        .order_by(
            case((Meeting.status == MeetingStatus.ONGOING, 0), (stale, 2), else_=1),
            Meeting.starts_at,
        )
        .limit(1)
    )


def runs_console(meeting: Meeting) -> bool:
    """Whether the home card offers the console: the people who run the meeting from it."""
    return can(current_user, "meeting.manage", meeting)


def _audit_meetings(ids) -> dict:
    """Meetings named in the audit log: topic, cell and day, linked to the meeting's page."""
    rows = db.session.scalars(
        select(Meeting).where(Meeting.id.in_(ids)).options(joinedload(Meeting.cell))
    ).all()
    return {
        m.id: (
            _("%(topic)s — %(cell)s, %(date)s", topic=m.topic, cell=m.cell.name, date=_day(m)),
            url_for("meetings.detail", meeting_id=m.id),
        )
        for m in rows
    }


def _day(meeting: Meeting) -> str:
    return fmt_date(meeting.starts_at)  # fmt_date gives the day in Vietnam, not in UTC


register_object("Meeting", _l("Buổi sinh hoạt"), _audit_meetings)
register_values("status", Attend.labels())
register_values("unmarked_as", Attend.labels())


@bp.cli.command("scrub-tallies")
def scrub_tallies_command() -> None:
    """Scrub closed secret-ballot tallies from the storage now (normally done at each close)."""
    import click

    from blueprints.meetings import tally

    ok = tally.scrub(db.engine)
    click.echo("OK" if ok else "Chưa xong: cơ sở dữ liệu đang bận, hãy chạy lại sau ít phút.")
