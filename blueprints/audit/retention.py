"""Audit-log retention: nothing is deleted unless the operator sets AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from blueprints.audit.models import AuditEntry
from core.extensions import db
from core.housekeeping import sweeper
from core.models import utcnow


@sweeper("audit_log")
def entries_past_retention() -> int:
    """Delete audit entries older than the configured retention (none by default: the log is
    the province's evidence of who changed and read what)."""
    days = current_app.config.get("AUDIT_RETENTION_DAYS")
    if not days:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    return db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
