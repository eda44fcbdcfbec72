"""Housekeeping of imports: uploaded rosters nobody confirmed are forgotten after a week."""

from __future__ import annotations

from sqlalchemy import func, select

from blueprints.roster.jobs import KEEP_FILES, purge_old_files
from blueprints.roster.models import ImportJob
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
