"""Models of what a live meeting writes fast and reads back per phone: named votes, secret-ballot
receipts and running tallies, and the shared live fragments.

Secret ballots keep no ballot: `ballot_receipts` says THAT a member voted (unique per motion),
`secret_tallies` holds only the running count per choice of a vote still open; at the close the
counts move onto the motion and the tally rows are deleted and scrubbed (see tally.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import Member
from core.extensions import db


class OpenVote(db.Model):
    """A named vote: who chose what (open votes only)."""

    __tablename__ = "meeting_open_votes"
    __table_args__ = (UniqueConstraint("motion_id", "member_id", name="uq_open_vote_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("meeting_motions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(String(8))
    by_proxy: Mapped[bool] = mapped_column(default=False)
    proxy_reason: Mapped[str] = mapped_column(String(255), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None]  # set for a vote recorded on a member's behalf only

    member: Mapped[Member] = relationship()


class BallotReceipt(db.Model):
    """THAT a member voted in a secret ballot — never what."""

    __tablename__ = "ballot_receipts"
    __table_args__ = (UniqueConstraint("motion_id", "member_id", name="uq_ballot_receipt_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("meeting_motions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    by_proxy: Mapped[bool] = mapped_column(default=False)
    proxy_reason: Mapped[str] = mapped_column(String(255), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When a vote was recorded on the member's behalf (None for their own): the phone tells
    # the member so. It says nothing of the choice, which no table keeps next to a voter.
    recorded_at: Mapped[datetime | None]


class SecretTally(db.Model):
    """The running count of one choice of one OPEN secret ballot, and nothing else.

    There is no row per ballot: a secret vote adds one to its choice's count here, in the
    transaction that writes the voter's receipt. At the close the counts are copied onto the
    motion and these rows are deleted, and the table is scrubbed (see tally.py) so that no
    earlier count survives in the database file, its WAL or dead tuples.
    """

    __tablename__ = "secret_tallies"
    __table_args__ = ({"sqlite_with_rowid": False},)

    motion_id: Mapped[int] = mapped_column(ForeignKey("meeting_motions.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class LiveFragment(db.Model):
    """The part of a live region that is the same for every member, rendered once per
    (meeting, region part, language) and version, and read back by the other phones.

    Kept in the database (or in Redis when REDIS_URL is set) so every worker and host shares
    it; a row is overwritten only by a newer version.
    """

    __tablename__ = "meeting_live_fragments"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[int]
    html: Mapped[str] = mapped_column(Text)
