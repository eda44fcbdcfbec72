"""Import jobs: an uploaded roster file, its preview and its progress, kept in the database.

The job row is the only shared state: any gunicorn worker can show its progress, and a page
reload finds it again. The uploaded bytes are stored with the job, so the analysis can run in
a background thread (or again after a restart) without the upload request still being alive.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from blueprints.units.models import Unit
from core.enums import LabelledEnum
from core.extensions import db
from core.models import utcnow


class JobKind(StrEnum):
    """What a file imports."""

    UNITS = "units"
    MEMBERS = "members"


class JobStatus(LabelledEnum):
    """Life of an import: analysed into a preview, then committed (or abandoned)."""

    ANALYSING = "analysing", _l("Đang kiểm tra tệp")
    PREVIEW = "preview", _l("Chờ xác nhận")
    COMMITTING = "committing", _l("Đang ghi dữ liệu")
    DONE = "done", _l("Đã nhập xong")
    FAILED = "failed", _l("Không nhập được")
    CANCELLED = "cancelled", _l("Đã hủy")


RUNNING = (JobStatus.ANALYSING, JobStatus.COMMITTING)


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this was interrupted (its consumer stopped);
    JOBS_STALE_SECONDS, 2 minutes by default."""
    return timedelta(seconds=current_app.config.get("JOBS_STALE_SECONDS", 120))


class _JobRow:
    """What a job row shows: its unit decides who sees it, its status in words, and whether
    it still runs or was interrupted (no heartbeat for its stale time)."""

    # Each job table sets STATUS (its labelled enum) and RUNNING_STATES, and has `unit`,
    # `status` and `updated_at` columns.

    @staticmethod
    def stale_time() -> timedelta:
        return stale_after()

    @property
    def scope_unit(self) -> Unit:
        """Visible to staff of the unit the job was made for (and above)."""
        return self.unit

    @property
    def status_label(self) -> str:
        """Translated status."""
        return self.STATUS.label_for(self.status)

    @property
    def is_running(self) -> bool:
        """Working (or queued) with a fresh heartbeat."""
        return self.status in self.RUNNING_STATES and not self.is_stale

    @property
    def is_stale(self) -> bool:
        """Says it runs but has not reported for a while (its consumer stopped)."""
        return self.status in self.RUNNING_STATES and utcnow() - self.updated_at > self.stale_time()


class ImportJob(_JobRow, db.Model):
    """One uploaded file of units or members, from upload to commit."""

    STATUS = JobStatus
    RUNNING_STATES = RUNNING

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.ANALYSING, index=True)
    # What the job is doing now ("reading", "checking", "writing") and its rows done / total.
    phase: Mapped[str | None] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(40))
    # Preview: {"new": n, "changed": n, "unchanged": n, "rejected": n, "missing": n}
    counts: Mapped[dict | None] = mapped_column(JSON)
    # [{"row": 7, "reason": "...", "card": "...", "name": "...", "other": "..."}]
    rejected: Mapped[list | None] = deferred(mapped_column(JSON))
    # First changed rows: [{"row", "card", "name", "fields": [[column, old, new], ...]}]
    changes: Mapped[list | None] = deferred(mapped_column(JSON))
    # Members of the file's cells who are not in the file: [{"id", "card", "name", "cell"}]
    missing: Mapped[list | None] = deferred(mapped_column(JSON))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # What the commit was asked to do, kept so a commit whose consumer stopped can be resumed.
    transferred_ids: Mapped[list | None] = mapped_column(JSON)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()

    @property
    def fraction(self) -> float:
        """Share of rows done, 0..1."""
        return self.done / self.total if self.total else 0.0


def issue_stale_after() -> timedelta:
    """An issuance reports nothing while it hashes and writes (one transaction), so it counts
    as interrupted only after ISSUE_STALE_SECONDS (10 minutes), far longer than any takes."""
    return timedelta(seconds=current_app.config.get("ISSUE_STALE_SECONDS", 600))


class IssueStatus(LabelledEnum):
    """Life of a background account issuance."""

    QUEUED = "queued", _l("Đang chờ")
    RUNNING = "running", _l("Đang cấp tài khoản")
    DONE = "done", _l("Đã cấp xong")
    FAILED = "failed", _l("Không cấp được")


class IssueJob(_JobRow, db.Model):
    """One "Cấp tài khoản" request for a unit, run as a background job.

    The slips PDF (it holds the initial passwords) waits here sealed (core.sealing) for the
    staff member who asked, and is dropped after SLIPS_KEPT by housekeeping.
    """

    __tablename__ = "account_issue_jobs"
    STATUS = IssueStatus
    RUNNING_STATES = (IssueStatus.QUEUED, IssueStatus.RUNNING)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mode: Mapped[str] = mapped_column(String(8))  # "new" or "all"
    site_url: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=IssueStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    slips: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()

    @staticmethod
    def stale_time() -> timedelta:
        return issue_stale_after()
