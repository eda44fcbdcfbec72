"""Running an import as a job whose state lives in the database.

Phase 1 (analyse): read the stored file, check it, save the preview. Phase 2 (commit): check
again against the current database and, if the figures still match the preview, apply it in a
single transaction. Each phase is a background job (core.jobs; inline in tests and on the
command line); progress is written through its own short transactions so every worker can
show it. The job row is the ledger: a phase whose consumer died (no heartbeat for
JOBS_STALE_SECONDS) is claimed by one compare-and-set update and put back on the queue, and the
commit marks the job done in the same transaction as the rows it writes, so a resumed import
is applied exactly once.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select, update

from blueprints.audit.models import record
from blueprints.roster.analyse_members import analyse_members
from blueprints.roster.analyse_units import analyse_units
from blueprints.roster.importer import Plan, apply_plan
from blueprints.roster.models import ImportJob, JobKind, JobStatus, stale_after
from blueprints.roster.reading import RosterFileError, read_sheet
from core.extensions import db
from core.jobs import enqueue, job, recoverer
from core.models import utcnow

log = logging.getLogger(__name__)


def _set(job_id: int, **values) -> None:
    """Update the job row in its own transaction (visible to other workers at once)."""
    values.setdefault("updated_at", utcnow())
    with db.engine.begin() as conn:
        conn.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))


KEEP_FILES = timedelta(days=7)


def purge_old_files() -> None:
    """Forget uploaded files nobody confirmed within a week (they hold personal data)."""
    cutoff = utcnow() - KEEP_FILES
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.created_at < cutoff, ImportJob.content.is_not(None))
        .values(content=None, status=JobStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def build_plan(job: ImportJob, report: bool = False) -> tuple[Plan, str | None, int]:
    """Read the job's file and check it: (plan, converted legacy encoding, number of rows).

    With `report`, the job row shows which phase runs and how many rows are done.
    """
    job_id = job.id

    def phase(name: str):
        if not report:
            return None
        _set(job_id, phase=name, done=0, total=0)
        return lambda done, total: _set(job_id, phase=name, done=done, total=total)

    sheet = read_sheet(job.content or b"", job.filename, job.kind, phase("reading"))
    analyse = analyse_members if job.kind == JobKind.MEMBERS else analyse_units
    return analyse(sheet, job.unit, phase("checking")), sheet.encoding, len(sheet.rows)


@contextmanager
def _failure_recorded(job_id: int):
    """A crash marks the job failed (instead of leaving it "running" to be resumed forever)."""
    try:
        yield
    except Exception:
        log.exception("import job %s crashed", job_id)
        db.session.rollback()
        _set(
            job_id,
            status=JobStatus.FAILED,
            error=_("Có lỗi khi xử lý tệp; không có thay đổi nào được lưu."),
            finished_at=utcnow(),
        )


@job
def analyse_job(job_id: int) -> None:
    """Phase 1: produce the preview."""
    with _failure_recorded(job_id):
        _analyse(job_id)


def _analyse(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    _set(job_id, status=JobStatus.ANALYSING, done=0, total=0, error=None)
    try:
        plan, encoding, total = build_plan(job, report=True)
    except RosterFileError as exc:
        db.session.rollback()
        _set(job_id, status=JobStatus.FAILED, error=str(exc), finished_at=utcnow(), content=None)
        return
    db.session.rollback()
    _set(
        job_id,
        status=JobStatus.PREVIEW,
        phase=None,
        done=total,
        total=total,
        encoding=encoding,
        counts=plan.counts,
        rejected=plan.rejected,
        changes=plan.changes,
        missing=plan.missing,
    )


@job
def commit_job(job_id: int, transferred_ids: list[int], actor_id: int | None) -> None:
    """Phase 2: apply the file in one transaction, or nothing."""
    with _failure_recorded(job_id):
        _commit(job_id, transferred_ids, actor_id)


def _commit(job_id: int, transferred_ids: list[int], actor_id: int | None) -> None:
    if db.session.scalar(select(ImportJob.status).where(ImportJob.id == job_id)) != (
        JobStatus.COMMITTING
    ):
        return  # already applied (or cancelled) by an earlier run of this job
    job = db.session.get(ImportJob, job_id)
    previewed = dict(job.counts or {})
    try:
        plan, _encoding, _total = build_plan(job)
    except RosterFileError as exc:
        db.session.rollback()
        _set(job_id, status=JobStatus.FAILED, error=str(exc), finished_at=utcnow())
        return
    if plan.counts != previewed:
        # The roster changed since the preview: show the new preview instead of guessing.
        db.session.rollback()
        _set(
            job_id,
            status=JobStatus.PREVIEW,
            phase=None,
            counts=plan.counts,
            rejected=plan.rejected,
            changes=plan.changes,
            missing=plan.missing,
            error=_(
                "Danh sách đã thay đổi kể từ lúc xem trước. Đồng chí hãy xem lại rồi xác nhận."
            ),
        )
        return
    sqlite = db.engine.dialect.name == "sqlite"
    work = len(plan.inserts) + len(plan.updates)
    _set(job_id, phase="writing", done=0, total=work)

    def progress(done: int, todo: int) -> None:
        # SQLite allows one writer: our open transaction is it, so report after the commit.
        if not sqlite:
            _set(job_id, done=done, total=todo)

    try:
        apply_plan(plan, transferred_ids=transferred_ids, progress=progress)
        job = db.session.get(ImportJob, job_id)
        chosen = {m["id"] for m in plan.missing} & set(transferred_ids)
        record(
            f"roster.import_{job.kind}",
            job,
            actor=SimpleNamespace(id=actor_id),
            filename=job.filename,
            transferred=len(chosen),
            **plan.counts,
        )
        job.status = JobStatus.DONE
        job.phase = None
        job.done = job.total = work
        job.finished_at = job.updated_at = utcnow()
        job.content = None  # the roster is in the members table now; drop the personal file
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("import job %s failed", job_id)
        _set(
            job_id,
            status=JobStatus.FAILED,
            error=_("Có lỗi khi ghi dữ liệu; không có thay đổi nào được lưu."),
            finished_at=utcnow(),
        )


def start(target, *args, locale: str = "vi") -> None:
    """Queue a job phase (run at once when JOBS_INLINE is set)."""
    enqueue(target, *args, locale=locale)


@recoverer
def recover_interrupted() -> int:
    """Put back on the queue every phase whose consumer stopped; how many were."""
    cutoff = utcnow() - stale_after()
    stale = db.session.execute(
        select(ImportJob.id, ImportJob.status, ImportJob.updated_at).where(
            ImportJob.status.in_((JobStatus.ANALYSING, JobStatus.COMMITTING)),
            ImportJob.updated_at < cutoff,
            ImportJob.content.is_not(None),
        )
    ).all()
    resumed = 0
    for job_id, status, seen in stale:
        # Claim: only one consumer (or host) moves the heartbeat on from the value it read.
        with db.engine.begin() as conn:
            claimed = conn.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id, ImportJob.status == status)
                .where(ImportJob.updated_at == seen)
                .values(updated_at=utcnow())
            ).rowcount
        if not claimed:
            continue
        row = db.session.get(ImportJob, job_id)
        if status == JobStatus.ANALYSING:
            enqueue(analyse_job, job_id)
        else:
            enqueue(commit_job, job_id, list(row.transferred_ids or []), row.committed_by_id)
        log.warning("import job %s (%s) resumed after its consumer stopped", job_id, status)
        resumed += 1
    return resumed
