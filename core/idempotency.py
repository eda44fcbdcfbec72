"""Exactly-once handling of actions that a phone may send twice: the app's one mechanism.

A form carries a random key (`idempotency_key`, which the app script adds to the forms the
offline outbox may queue; the meeting phone's forms also render one as `key`, so a double tap
counts once without the script too); the view calls `first_time(key)` inside the transaction
that performs the action. A retry after a dropped connection, a double tap or the outbox
replaying a queued action finds the key taken and does nothing again. Keys are per user (the
same key from someone else is another action) and live in the database, so this holds across
workers and hosts. Do not add another key table: call `first_time`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from flask_login import current_user
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import utcnow

_KEY = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class IdempotencyKey(db.Model):
    """A key already used by one user's action."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def new_key() -> str:
    """A fresh key for a form."""
    return str(uuid.uuid4())


def first_time(key: str | None) -> bool:
    """Claim `key` for this user; False when the same action was already processed.

    A missing or malformed key cannot be deduplicated and counts as a first time. The claim is
    added to the current transaction: if the action fails and rolls back, the key is free again.
    """
    if not key or not _KEY.match(key):
        return True
    scoped = f"{getattr(current_user, 'id', 0)}:{key}"[:64]
    if db.session.scalar(select(IdempotencyKey.key).where(IdempotencyKey.key == scoped)):
        return False
    db.session.add(IdempotencyKey(key=scoped, user_id=getattr(current_user, "id", None)))
    db.session.flush()
    return True
