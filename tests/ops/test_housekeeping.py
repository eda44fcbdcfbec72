"""Housekeeping removes only what has done its work, and prints how much."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from blueprints.audit.models import AuditEntry
from blueprints.auth.models import User, UserSession
from blueprints.meetings.live_models import LiveFragment
from blueprints.meetings.models import Meeting, MeetingStatus
from blueprints.roster.models import ImportJob, JobStatus
from core.extensions import db
from core.idempotency import IdempotencyKey
from core.models import utcnow
from core.ratelimit_store import RateLimitCounter


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_housekeeping_removes_only_what_has_done_its_work(app, world, runner, monkeypatch):
    now = utcnow()
    with app.app_context():
        user_id = world.users["member_a"]
        db.session.add_all(
            [
                IdempotencyKey(key="old", user_id=user_id, created_at=now - timedelta(days=40)),
                IdempotencyKey(key="new", user_id=user_id, created_at=now - timedelta(days=2)),
                RateLimitCounter(key="gone", count=3, expires_at=time.time() - 10),
                RateLimitCounter(key="live", count=3, expires_at=time.time() + 600),
            ]
        )
        for name, ended, expires in (
            ("a" * 64, now - timedelta(days=100), now + timedelta(days=1)),  # revoked long ago
            ("b" * 64, None, now - timedelta(days=100)),  # expired long ago
            ("c" * 64, now - timedelta(days=3), now + timedelta(days=1)),  # ended recently
            ("d" * 64, None, now + timedelta(days=1)),  # in use
        ):
            db.session.add(
                UserSession(token_hash=name, user_id=user_id, revoked_at=ended, expires_at=expires)
            )
        meetings = [
            Meeting(cell_id=world.units[cell], kind="regular", topic="Sinh hoạt chi bộ",
                    starts_at=now - timedelta(days=days), status=status,
                    ended_at=now - timedelta(days=days) if days else None)
            for cell, status, days in (("A", MeetingStatus.CLOSED, 2), ("B", "ongoing", 0))
        ]  # fmt: skip
        db.session.add_all(meetings)
        db.session.flush()
        closed, live = (m.id for m in meetings)
        for meeting_id in (closed, live):
            db.session.add(LiveFragment(meeting_id=meeting_id, name="agenda", locale="vi",
                                        version=1, html="<p></p>"))  # fmt: skip
        db.session.add_all(
            [
                ImportJob(kind="members", unit_id=world.units["D1"], content=b"old",
                          status=JobStatus.PREVIEW, created_at=now - timedelta(days=8)),
                ImportJob(kind="members", unit_id=world.units["D1"], content=b"new",
                          status=JobStatus.PREVIEW, created_at=now - timedelta(days=1)),
            ]
        )  # fmt: skip
        db.session.add(AuditEntry(action="test.old", at=now - timedelta(days=4000)))
        db.session.commit()

    result = runner.invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ") for line in result.output.strip().splitlines())
    assert lines == {
        "account_slips": "0",
        "audit_log": "0",
        "idempotency_keys": "1",
        "import_files": "1",
        "meeting_live_fragments": "1",
        "rate_limits": "1",
        "user_sessions": "2",
    }
    with app.app_context():
        assert db.session.scalars(select(IdempotencyKey.key)).all() == ["new"]
        assert db.session.scalars(select(RateLimitCounter.key)).all() == ["live"]
        assert sorted(s[0] for s in db.session.scalars(select(UserSession.token_hash))) == [
            "c",
            "d",
        ]
        assert db.session.scalars(select(LiveFragment.meeting_id)).all() == [live]
        assert db.session.scalar(select(func.count(ImportJob.id))) == 2  # rows stay
        assert _count(AuditEntry) >= 1  # kept: no retention configured
        assert db.session.get(User, user_id) is not None

    monkeypatch.setitem(app.config, "AUDIT_RETENTION_DAYS", 3650)
    again = runner.invoke(args=["housekeeping"])
    assert "audit_log: 1" in again.output and "idempotency_keys: 0" in again.output
