"""Audit entries for reading personal data: roster lists, member records and exports.

Reading a roster is as sensitive as changing it (political affiliation is sensitive personal
data under Law 91/2025/QH15), so reads are logged too, without flooding the log: a list or
record read again by the same person within `LIST_WINDOW` (paging, search as you type, htmx
refreshes) adds nothing; every download of an export is its own entry. Login-slip PDFs are
logged as the issuance or reset that produces them (`account.issued`,
`account.password_reset`).
"""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user
from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.audit.models import record as _record
from core.extensions import db
from core.models import utcnow

LIST_WINDOW = timedelta(minutes=15)


def record(action: str, obj, *, once_within: timedelta | None = LIST_WINDOW, **details) -> None:
    """Log that the current user read `obj` (committed at once: a read changes nothing else).

    With `once_within`, a read of the same object by the same person within that time is not
    logged again; pass None for exports, where each download counts.
    """
    if not current_user.is_authenticated:
        return
    if once_within is not None:
        recent = db.session.scalar(
            select(AuditEntry.id)
            .where(
                AuditEntry.actor_id == current_user.id,
                AuditEntry.action == action,
                AuditEntry.object_type == type(obj).__name__,
                AuditEntry.object_id == str(obj.id),
                AuditEntry.at >= utcnow() - once_within,
            )
            .limit(1)
        )
        if recent is not None:
            return
    _record(action, obj, **details)
    db.session.commit()
