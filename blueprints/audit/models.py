"""Audit log entries, written for logins, role changes, password resets and sensitive changes."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow


class AuditEntry(db.Model):
    """One recorded action. Rows are only ever inserted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User", foreign_keys=[actor_id])


def record(
    action: str,
    obj: object | None = None,
    *,
    actor=None,
    unit_id: int | None = None,
    **details,
) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits with the change it describes).

    `obj` may be any model with an `id`; its class name becomes the object type. The unit is
    taken from `obj.scope_unit` when not given, so staff can later read entries for their subtree.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if unit_id is None and obj is not None:
        scope = getattr(obj, "scope_unit", None)
        unit_id = getattr(scope, "id", None)
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(getattr(obj, "id", "")) if obj is not None else None,
        unit_id=unit_id,
        ip=request.remote_addr if has_request_context() else None,
        details=details or None,
    )
    db.session.add(entry)
    return entry
