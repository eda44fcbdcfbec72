"""Closing a vote: a secret vote's tally moves onto the motion, and no vote slips past a close."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from blueprints.meetings import services as sv
from blueprints.meetings.live_models import BallotReceipt, SecretTally
from blueprints.meetings.models import Meeting, Motion
from core.extensions import db


def _open_motion(meeting_id: int, *, secret: bool) -> Motion:
    motion = Motion(meeting_id=meeting_id, text="Kết nạp", secret=secret, status="open")
    db.session.add(motion)
    db.session.commit()
    return motion


def _checked_in_meeting(world, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    sv.sync_attendance(meeting)
    for member_id in (world.members["sec_a"], world.members["mem_a"]):
        sv.check_in(meeting, member_id)
    db.session.commit()
    return meeting


def test_secret_tally_moves_onto_the_motion_at_the_close(app, world, schedule):
    meeting_id = schedule()
    with app.app_context():
        meeting = _checked_in_meeting(world, meeting_id)
        motion = _open_motion(meeting_id, secret=True)
        assert sv.cast_vote(motion, world.members["sec_a"], "yes")
        assert sv.cast_vote(motion, world.members["mem_a"], "no")
        tallies = select(SecretTally).where(SecretTally.motion_id == motion.id)
        assert sorted((t.choice, t.count) for t in db.session.scalars(tallies)) == [
            ("no", 1),
            ("yes", 1),
        ]
        assert sv.close_motion(motion, meeting)
        db.session.commit()
        db.session.expire_all()
        assert (motion.yes, motion.no, motion.abstain) == (1, 1, 0)
        assert db.session.scalars(tallies).all() == []  # no count of a closed vote is kept
        assert sv.vote_counts(motion) == {"yes": 1, "no": 1, "abstain": 0}


def test_a_vote_after_a_concurrent_close_is_refused_and_not_kept(app, world, schedule):
    meeting_id = schedule()
    with app.app_context():
        _checked_in_meeting(world, meeting_id)
        motion = _open_motion(meeting_id, secret=True)
        motion_id = motion.id
        db.session.refresh(motion)
        db.session.expunge(motion)  # the copy a racing request read while the vote was open
        # Another worker closes the vote meanwhile.
        db.session.execute(
            update(Motion)
            .where(Motion.id == motion_id)
            .values(status="closed")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        with pytest.raises(sv.VoteError):
            sv.cast_vote(motion, world.members["mem_a"], "yes")
        receipts = select(BallotReceipt).where(BallotReceipt.motion_id == motion_id)
        assert db.session.scalars(receipts).all() == []
        assert (
            db.session.scalars(select(SecretTally).where(SecretTally.motion_id == motion_id)).all()
            == []
        )


def test_closing_twice_counts_once(app, world, schedule):
    meeting_id = schedule()
    with app.app_context():
        meeting = _checked_in_meeting(world, meeting_id)
        motion = _open_motion(meeting_id, secret=False)
        assert sv.cast_vote(motion, world.members["sec_a"], "yes")
        assert sv.close_motion(motion, meeting)
        db.session.commit()
        closed_at = motion.closed_at
        assert sv.close_motion(motion, meeting) is False  # a double click on "Kết thúc"
        db.session.commit()
        assert motion.closed_at == closed_at and motion.yes == 1
