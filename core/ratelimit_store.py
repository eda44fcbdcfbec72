"""A `limits` storage kept in the application database.

Flask-Limiter's counters must be shared by every gunicorn worker and host, or an attacker gets
N times the allowance. With `REDIS_URL` set we use Redis; otherwise this storage keeps fixed-window
counters in the `rate_limits` table, updated with one atomic upsert per hit.
"""

from __future__ import annotations

import time
from typing import ClassVar

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, create_engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class RateLimitCounter(db.Model):
    """One fixed-window counter."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class SQLStorage(Storage):
    """`limits` storage for the ``sqlalchemy://`` scheme; the database URL comes as an option."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["sqlalchemy"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, database_url: str = "", **_):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = create_engine(database_url, pool_pre_ping=True)
        self.table = RateLimitCounter.__table__

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        t = self.table
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(t).values(key=key, count=amount, expires_at=now + expiry)
        expired = t.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.key],
            set_={
                "count": case((expired, amount), else_=t.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=t.c.expires_at),
            },
        ).returning(t.c.count)
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def get(self, key: str) -> int:
        t = self.table
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.c.count).where(t.c.key == key, t.c.expires_at > time.time())
            ).first()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        t = self.table
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.expires_at).where(t.c.key == key)).first()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(self.table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.key == key))
