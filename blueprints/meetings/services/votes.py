"""Votes: casting one (open or secret), live counts, and closing a motion by its majority rule."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from blueprints.meetings import tally
from blueprints.meetings.live_models import BallotReceipt, OpenVote
from blueprints.meetings.models import Choice, Majority, Meeting, Motion
from blueprints.meetings.services import rules
from blueprints.meetings.services.attendance import totals
from blueprints.meetings.services.live import live_change
from blueprints.members.models import Member
from core.extensions import db
from core.i18n import fmt_datetime
from core.models import utcnow


class VoteError(Exception):
    """A vote that cannot be taken (motion not open, not present...)."""


def cast_vote(
    motion: Motion, member_id: int, choice: str, *, by=None, proxy_reason: str = ""
) -> bool:
    """Record one vote and commit; False when this member had already voted (counted once).

    Open votes store the member with the choice. A secret vote stores a receipt (who voted)
    and adds one to its choice's tally (no ballot row: see tally.py) in the same transaction;
    the unique receipt makes a second submission fail as a whole, so it is not counted.
    `by`/`proxy_reason` are given for a vote recorded on the member's behalf.
    """
    if motion.status != "open":
        raise VoteError(_("Biểu quyết này chưa mở hoặc đã kết thúc."))
    if choice not in {c.value for c in Choice}:
        raise VoteError(_("Lựa chọn không hợp lệ. Hãy chọn một trong ba phương án rồi gửi lại."))
    # Điều lệ Đảng, Điều 3: only official members vote (services/rules.py).
    status = db.session.scalar(select(Member.status).where(Member.id == member_id))
    if status is None or not rules.may_vote(status):
        raise VoteError(str(rules.PROBATIONARY_NO_VOTE if by is None else rules.NOT_A_VOTER))
    common = {"by_proxy": bool(proxy_reason), "proxy_reason": proxy_reason}
    common["recorded_by_id"] = getattr(by, "id", None)
    common["recorded_at"] = utcnow() if proxy_reason else None
    try:
        if motion.secret:
            db.session.add(BallotReceipt(motion_id=motion.id, member_id=member_id, **common))
        else:
            db.session.add(
                OpenVote(motion_id=motion.id, member_id=member_id, choice=choice, **common)
            )
        db.session.flush()
        # Read the status again now that this transaction writes: a close that committed
        # meanwhile has already counted, so this vote must not be kept (see close_motion).
        status = db.session.scalar(
            select(Motion.status).where(Motion.id == motion.id).with_for_update(read=True)
        )
        if status != "open":
            db.session.rollback()
            raise VoteError(_("Biểu quyết này chưa mở hoặc đã kết thúc."))
        if motion.secret:
            # After the motion is share-locked: a close holding it waits for no tally row lock.
            tally.add_vote(motion.id, choice)
        live_change(motion.meeting_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def recorded_on_behalf(motion: Motion, member_id: int):
    """When the member's vote on `motion` was recorded on their behalf, else None."""
    model = BallotReceipt if motion.secret else OpenVote
    return db.session.scalar(
        select(model.recorded_at).where(
            model.motion_id == motion.id, model.member_id == member_id, model.by_proxy.is_(True)
        )
    )


def on_behalf_message(recorded_at) -> str:
    """What the member's phone says about a vote recorded for them (never "sent")."""
    return _(
        "Phiếu của đồng chí đã được bí thư ghi thay lúc %(time)s. Điện thoại này không gửi "
        "phiếu nào. Nếu đồng chí không nhờ ghi thay, hãy báo ngay chủ trì buổi sinh hoạt.",
        time=fmt_datetime(recorded_at) if recorded_at else "",
    )


def vote_counts(motion: Motion) -> dict[str, int]:
    """Counts per choice, live (a secret vote's come from its tally while it is open)."""
    if motion.secret:
        if motion.status == "closed":
            return {"yes": motion.yes, "no": motion.no, "abstain": motion.abstain}
        return tally.counts(motion.id)
    q = select(OpenVote.choice, func.count()).where(OpenVote.motion_id == motion.id)
    q = q.group_by(OpenVote.choice)
    counts = {c.value: 0 for c in Choice}
    counts.update(dict(db.session.execute(q).all()))
    return counts


def voters_count(motion: Motion) -> int:
    model = BallotReceipt if motion.secret else OpenVote
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.motion_id == motion.id)
    )


def close_motion(motion: Motion, meeting: Meeting) -> bool:
    """Close the vote, store the counts and decide by the motion's majority rule.

    The motion row is locked and marked closed before anything is counted, so a vote being
    written at the same moment either finishes first and is counted or finds the vote closed.
    False when another request closed it first.
    """
    locked = select(Motion).where(Motion.id == motion.id).with_for_update()
    db.session.execute(locked.execution_options(populate_existing=True))
    if motion.status != "open":
        return False
    motion.status = "closed"
    motion.closed_at = utcnow()
    db.session.flush()  # on SQLite this takes the write lock before the count
    counts = tally.counts(motion.id) if motion.secret else vote_counts(motion)
    t = totals(meeting)
    motion.yes, motion.no, motion.abstain = counts["yes"], counts["no"], counts["abstain"]
    # Base: the official members convened (Quy định 294-QĐ/TW on Điều lệ Điều 9 khoản 5); the
    # old "present" rule of earlier motions keeps its base of the official members present.
    motion.base = t.official_present if motion.majority == Majority.PRESENT else t.base
    motion.present = t.official_present
    motion.quorum_held = t.quorum
    # A meeting without its quorum is not valid (Quy định 294-QĐ/TW): nothing it votes passes.
    motion.passed = t.quorum and rules.passes(motion.majority, motion.yes, motion.base)
    if motion.secret:
        tally.discard(motion.id)  # only the final counts, on the motion, remain
    live_change(meeting.id)
    return True


def open_motion(meeting: Meeting) -> Motion | None:
    """The meeting's vote now open, if any (one at a time: phones show only one)."""
    return db.session.scalar(
        select(Motion)
        .where(Motion.meeting_id == meeting.id, Motion.status == "open")
        .order_by(Motion.id)
        .limit(1)
    )
