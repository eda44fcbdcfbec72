"""Secret-ballot tallies, and scrubbing them from the database once a vote closes.

What is stored (threat: an operator who can read the database files must not learn how a member
voted):

- `ballot_receipts`: THAT a member voted (refuses a second vote); never what.
- `secret_tallies`: one running count per choice of each OPEN secret vote. A vote adds one to
  its choice in the transaction that writes the receipt (the two must commit together, or a vote
  could be counted without a receipt or refused without being counted).
- At the close the counts are copied onto the motion, the tally rows are deleted, and after the
  commit the storage that held the earlier counts is scrubbed:
  - SQLite: every connection runs with `secure_delete` (freed cells are overwritten with zeros,
    so deleted tallies and the old versions of a row leave no bytes in the file); after the close
    a `wal_checkpoint(TRUNCATE)` moves the final pages into the file and cuts the WAL, whose
    frames held every intermediate page image (one per vote, in voting order), to zero bytes.
  - PostgreSQL: `VACUUM FULL secret_tallies` rewrites the (small) table into a new file without
    the dead tuples each increment left behind (each carried its voter's transaction id),
    once the transactions that were open at the close have ended.

While a vote is open someone watching the database can still pair each increment with the
receipt written in the same transaction (same SQLite commit, same PostgreSQL xmin) and so learn
each voter's choice as it happens; this is stated in README. Nothing but the final counts and
the receipts remains after the close.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from sqlalchemy import delete, event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from blueprints.meetings.live_models import SecretTally
from blueprints.meetings.models import Choice
from core.extensions import db

log = logging.getLogger(__name__)

_SCRUB = "meetings.scrub_tallies"
CHECKPOINT_TRIES = 20  # × 0,1 s: a live-meeting poll holds a read snapshot for milliseconds
VACUUM_TRIES = 3
VACUUM_LOCK_TIMEOUT = "2s"  # never queue the whole app's votes behind the rewrite for long
SNAPSHOT_WAIT_SECONDS = 10.0

# Transactions (of any database of the server: the horizon is shared) whose snapshot or xid is
# older than :xid. VACUUM keeps a dead tuple while such a transaction might still see it.
_OLDER_TRANSACTIONS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND backend_type <> 'autovacuum worker' AND ("
    "(backend_xmin IS NOT NULL AND age(backend_xmin) > age(CAST(:xid AS xid))) OR "
    "(backend_xid IS NOT NULL AND age(backend_xid) > age(CAST(:xid AS xid))))"
)


@event.listens_for(Engine, "connect")
def _sqlite_secure_delete(dbapi_connection, _record) -> None:
    """Turn on `secure_delete` for every SQLite connection (it is per connection).

    Cost, measured on the live-meeting write path: one extra page write for a freed cell, i.e.
    none for a vote (the tally cell is rewritten in place) and a few zeroed bytes per delete.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()


def add_vote(motion_id: int, choice: str) -> None:
    """Add one to `choice` of the open secret vote (in the caller's transaction).

    One atomic upsert: two first votes for the same choice at the same moment both count.
    """
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    t = SecretTally.__table__
    stmt = insert(t).values(motion_id=motion_id, choice=choice, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.motion_id, t.c.choice], set_={"count": t.c.count + 1}
    )
    db.session.execute(stmt)


def counts(motion_id: int) -> dict[str, int]:
    """The running counts per choice of a secret vote (zero for a choice nobody took)."""
    found = dict(
        db.session.execute(
            select(SecretTally.choice, SecretTally.count).where(SecretTally.motion_id == motion_id)
        ).all()
    )
    return {c.value: int(found.get(c.value, 0)) for c in Choice}


def discard(motion_id: int) -> None:
    """Delete a closed vote's tally rows and scrub the storage once this transaction commits."""
    db.session.execute(delete(SecretTally).where(SecretTally.motion_id == motion_id))
    db.session.info[_SCRUB] = True


@event.listens_for(Session, "after_commit")
def _scrub_after_commit(session: Session) -> None:
    if session.info.pop(_SCRUB, False):
        scrub(session.get_bind())


@event.listens_for(Session, "after_rollback")
def _forget_scrub(session: Session) -> None:
    session.info.pop(_SCRUB, None)


def scrub(engine) -> bool:
    """Remove every trace of earlier tallies from the storage; True when it fully succeeded.

    Never raises: the vote is closed and counted whatever happens here; a failure is logged and
    the next close (or `flask meetings scrub-tallies`) finishes the job.
    """
    try:
        if engine.dialect.name == "sqlite":
            return _checkpoint(engine)
        if engine.dialect.name == "postgresql":
            return _vacuum(engine)
    except DBAPIError:
        log.exception("secret tally scrub failed")
    return False


def _checkpoint(engine) -> bool:
    """Copy the WAL into the file and truncate it. SQLITE_BUSY (a reader still on an old
    snapshot, or another checkpoint) makes it answer busy=1: wait a little and try again; if
    readers keep it busy for CHECKPOINT_TRIES, the old frames stay until the next scrub (and
    SQLite's own automatic checkpoints overwrite them as the WAL restarts)."""
    with engine.connect() as conn:
        for _ in range(CHECKPOINT_TRIES):
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if not busy:
                return True
            time.sleep(0.1)
    log.warning("secret tally scrub: WAL still in use after %s tries", CHECKPOINT_TRIES)
    return False


def _vacuum(engine) -> bool:
    """VACUUM FULL of the tally table (it cannot run in a transaction: autocommit).

    VACUUM removes a dead tuple only once no transaction that began before its deletion is
    still open, anywhere on the server; so first wait (up to SNAPSHOT_WAIT_SECONDS) for the
    transactions older than this moment to end. A longer one (a report, a pg_dump) keeps the
    old tuples until the next scrub: the next close, or `flask meetings scrub-tallies`.
    The rewrite needs an exclusive lock for a moment; a short lock_timeout keeps votes of
    other meetings from queueing behind it, and it is tried again a few times.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'"))
        # The next xid to be assigned: every transaction that could see the deleted tallies
        # has an xid or snapshot older than it.
        horizon = conn.execute(
            text("SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)")
        ).scalar_one()
        deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
        while conn.execute(_OLDER_TRANSACTIONS, {"xid": str(horizon)}).scalar_one():
            if time.monotonic() > deadline:
                log.warning("secret tally scrub: an older transaction is still open")
                _vacuum_full(conn)
                return False
            time.sleep(0.1)
        return _vacuum_full(conn)


def _vacuum_full(conn) -> bool:
    for _ in range(VACUUM_TRIES):
        try:
            conn.execute(text("VACUUM FULL secret_tallies"))
            return True
        except DBAPIError as error:
            if "lock timeout" not in str(error).lower():
                raise
            time.sleep(0.2)
    log.warning("secret tally scrub: table busy after %s tries", VACUUM_TRIES)
    return False
