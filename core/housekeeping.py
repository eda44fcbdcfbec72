"""Housekeeping: the rows that only ever grow, removed once they have done their work.

Each feature registers a sweeper for its own tables with `@sweeper("name")` (core imports no
feature); `run_all()` — `flask housekeeping`, and a daily job — calls every one in its own
transaction and returns how many rows each removed. A sweeper deletes only what can no longer
matter: used idempotency keys older than a queued phone could replay, expired rate-limit
windows, logins that ended long ago, live fragments of finished meetings, import files nobody
confirmed. The audit log is kept unless AUDIT_RETENTION_DAYS says otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from core.extensions import db
from core.jobs import periodic
from core.models import utcnow

log = logging.getLogger(__name__)
_sweepers: dict[str, Callable[[], int]] = {}


def sweeper(name: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Register `fn` (returning the number of rows it removed) under `name`."""

    def register(fn: Callable[[], int]) -> Callable[[], int]:
        _sweepers[name] = fn
        return fn

    return register


def run_all() -> dict[str, int]:
    """Run every sweeper, each committed on its own; {name: rows removed} (-1: it failed)."""
    counts: dict[str, int] = {}
    for name, fn in sorted(_sweepers.items()):
        try:
            counts[name] = int(fn() or 0)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("housekeeping %s failed", name)
            counts[name] = -1
    return counts


@periodic(hour="3", minute="30")
def daily_housekeeping() -> None:
    """The daily run (the consumer schedules it; times are the server's clock)."""
    log.info("housekeeping: %s", run_all())


@sweeper("idempotency_keys")
def _old_idempotency_keys() -> int:
    from core.idempotency import IdempotencyKey

    cutoff = utcnow() - timedelta(days=current_app.config["IDEMPOTENCY_KEEP_DAYS"])
    return db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
    ).rowcount


@sweeper("rate_limits")
def _expired_rate_limits() -> int:
    from core.ratelimit_store import RateLimitCounter

    return db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at < time.time())
    ).rowcount
