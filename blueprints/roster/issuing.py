"""Account issuance as a background job: hashes and slips for up to MAX_ISSUE members.

The request only records what to do (an IssueJob row) and queues it; the consumer creates the
accounts, builds the slips PDF and stores it sealed on the row, all in one transaction with
the status "done" — so a consumer killed in the middle leaves nothing half-issued, and the
recovery (core.jobs) runs the job again exactly once. Only the staff member who asked can
download the slips, and housekeeping drops them after SLIPS_KEPT.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from blueprints.audit.models import record
from blueprints.auth.models import User
from blueprints.roster import accounts
from blueprints.roster.models import IssueJob, IssueStatus, issue_stale_after
from blueprints.roster.slips import build_slips_pdf
from core.extensions import db
from core.jobs import enqueue, job, recoverer
from core.models import utcnow
from core.sealing import seal

log = logging.getLogger(__name__)
SLIPS_PURPOSE = "account-slips"
SLIPS_KEPT = timedelta(hours=24)


def _claim(job_id: int, *statuses: str) -> bool:
    """Move the job to RUNNING if it is in one of `statuses` (one runner wins)."""
    with db.engine.begin() as conn:
        return bool(
            conn.execute(
                update(IssueJob)
                .where(IssueJob.id == job_id, IssueJob.status.in_(statuses))
                .values(status=IssueStatus.RUNNING, updated_at=utcnow())
            ).rowcount
        )


@job
def issue_job(job_id: int) -> None:
    """Issue the accounts of a queued IssueJob and store its slips, or mark it failed."""
    if not _claim(job_id, IssueStatus.QUEUED):
        return  # taken by another consumer, or already finished
    try:
        site = db.session.scalar(select(IssueJob.site_url).where(IssueJob.id == job_id))
        # Slips carry absolute login URLs: build them against the address the staff member
        # used (or PUBLIC_URL), as the request would have, though no request is running here.
        with current_app.test_request_context("/", base_url=site):
            _issue(job_id)
    except Exception:
        db.session.rollback()
        log.exception("account issuance %s failed", job_id)
        with db.engine.begin() as conn:
            conn.execute(
                update(IssueJob)
                .where(IssueJob.id == job_id, IssueJob.status == IssueStatus.RUNNING)
                .values(
                    status=IssueStatus.FAILED,
                    error=_("Có lỗi khi cấp tài khoản; không tài khoản nào được tạo hay đổi."),
                    finished_at=utcnow(),
                )
            )


def _issue(job_id: int) -> None:
    entry = db.session.get(IssueJob, job_id)
    actor = db.session.get(User, entry.actor_id)
    rows = db.session.execute(
        accounts.members_for_issue(entry.unit, only_new=entry.mode != "all")
    ).all()
    slips, skipped = accounts.issue([(m, cell) for m, cell in rows], actor)
    entry.issued, entry.skipped, entry.total = len(slips), skipped, len(rows)
    if slips:
        title = _("Phiếu đăng nhập — %(unit)s", unit=entry.unit.name)
        entry.slips = seal(build_slips_pdf(slips, entry.site_url, title), SLIPS_PURPOSE)
        record(
            "account.issued",
            entry.unit,
            actor=actor,
            count=len(slips),
            skipped=skipped,
            mode=entry.mode,
            members=[m.id for m, _c in rows][:5000],
        )
    entry.status = IssueStatus.DONE
    entry.finished_at = entry.updated_at = utcnow()
    db.session.commit()  # accounts, audit entry, slips and "done" together, or nothing


def start_issue(unit, actor, mode: str, site_url: str, locale: str) -> IssueJob:
    """Record and queue an issuance (committed, so the consumer can read it)."""
    entry = IssueJob(unit=unit, actor_id=actor.id, mode=mode, site_url=site_url)
    db.session.add(entry)
    db.session.commit()
    enqueue(issue_job, entry.id, locale=locale)
    return entry


@recoverer
def recover_interrupted_issues() -> int:
    """Queue again every issuance whose consumer stopped before it finished."""
    cutoff = utcnow() - issue_stale_after()
    stale = db.session.execute(
        select(IssueJob.id, IssueJob.updated_at).where(
            IssueJob.status.in_((IssueStatus.QUEUED, IssueStatus.RUNNING)),
            IssueJob.updated_at < cutoff,
        )
    ).all()
    resumed = 0
    for job_id, seen in stale:
        with db.engine.begin() as conn:
            claimed = conn.execute(
                update(IssueJob)
                .where(IssueJob.id == job_id, IssueJob.updated_at == seen)
                .values(status=IssueStatus.QUEUED, updated_at=utcnow())
            ).rowcount
        if claimed:
            enqueue(issue_job, job_id)
            resumed += 1
    return resumed
