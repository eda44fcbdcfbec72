"""Housekeeping of imports: uploaded rosters nobody confirmed are forgotten after a week."""

from __future__ import annotations

from sqlalchemy import func, select, update

from blueprints.roster.issuing import SLIPS_KEPT
from blueprints.roster.jobs import KEEP_FILES, purge_old_files
from blueprints.roster.models import ImportJob, IssueJob
from core.extensions import db
from core.housekeeping import sweeper
from core.models import utcnow


@sweeper("import_files")
def unconfirmed_import_files() -> int:
    """Drop the file (personal data) of imports older than a week; the job row stays as the
    record of what was imported."""
    stale = db.session.scalar(
        select(func.count(ImportJob.id)).where(
            ImportJob.created_at < utcnow() - KEEP_FILES, ImportJob.content.is_not(None)
        )
    )
    purge_old_files()
    return stale or 0


@sweeper("account_slips")
def old_login_slips() -> int:
    """Drop sealed login slips older than a day (they hold initial passwords)."""
    return db.session.execute(
        update(IssueJob)
        .where(IssueJob.finished_at < utcnow() - SLIPS_KEPT, IssueJob.slips.is_not(None))
        .values(slips=None)
        .execution_options(synchronize_session=False)
    ).rowcount
