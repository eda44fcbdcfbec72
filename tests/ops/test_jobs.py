"""Background jobs: a real consumer process takes queued imports, and an import whose consumer
was killed is resumed by the next one and applied exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from blueprints.members.models import Member
from blueprints.roster.models import ImportJob, JobStatus
from core.extensions import db
from core.models import utcnow
from tests.roster.helpers import commit, job_id_of, member_row, upload, xlsx

ROOT = Path(__file__).resolve().parents[2]


def _consumer(app, **env) -> subprocess.Popen:
    """`flask jobs worker` in its own process, on the suite's database and queue."""
    environ = {
        **os.environ,
        "FLASK_APP": "app:create_app",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "JOBS_DB": app.config["JOBS_DB"],
        "SECRET_KEY": "test-secret",
        "JOBS_STALE_SECONDS": "1",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _status(app, job_id: int) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        db.session.expunge(job)
        return job


def _wait(app, job_id: int, status: str, seconds: float = 60) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = _status(app, job_id)
        if job.status == status:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} is {job.status}, not {status}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def queued(app, monkeypatch):
    """Jobs go to the real queue (not inline), emptied before and after."""
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    app.extensions["huey"].flush()
    yield
    app.extensions["huey"].flush()


ROWS = [member_row(f"7777{i:04d}", f"Nguyễn Văn Thử {i}", "A") for i in range(1, 4)]


def test_a_killed_consumer_loses_no_import_and_the_next_one_applies_it_once(
    app, client, world, as_role, queued
):
    as_role("staff_d1")
    job_id = job_id_of(upload(client, xlsx(ROWS), unit_id=world.units["D1"]))
    assert _status(app, job_id).status == JobStatus.ANALYSING  # queued, nobody runs it yet

    first = _consumer(app)
    try:
        _wait(app, job_id, JobStatus.PREVIEW)
    finally:
        first.kill()  # SIGKILL: no chance to finish anything
        first.wait()

    # The commit is queued while no consumer runs; then the next consumer is killed in the
    # middle of it: its transaction rolls back and the row still says "committing".
    assert commit(client, job_id).status_code == 302
    app.extensions["huey"].flush()  # the queued task is lost with the consumer
    with app.app_context():
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(updated_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()

    second = _consumer(app)
    try:
        job = _wait(app, job_id, JobStatus.DONE)
    finally:
        _stop(second)
    assert job.done == 3
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Member.id)).where(Member.card_number.like("7777%"))
        )
    assert count == 3  # applied once

    third = _consumer(app)  # a later start finds nothing to resume
    try:
        time.sleep(3)
    finally:
        _stop(third)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(Member.id)).where(Member.card_number.like("7777%")))
            == 3
        )
    assert _status(app, job_id).status == JobStatus.DONE


def test_recovery_leaves_a_job_with_a_fresh_heartbeat_alone(app, client, world, as_role, queued):
    from blueprints.roster.jobs import recover_interrupted

    as_role("staff_d1")
    job_id = job_id_of(upload(client, xlsx(ROWS), unit_id=world.units["D1"]))
    with app.app_context():
        assert recover_interrupted() == 0  # it was just queued: its heartbeat is fresh
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(updated_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
        assert recover_interrupted() == 1
        assert recover_interrupted() == 0  # claimed: the heartbeat moved on


def test_a_crashing_job_is_marked_failed_not_resumed_for_ever(app, world, monkeypatch):
    from blueprints.roster import jobs

    with app.app_context():
        job = ImportJob(kind="members", unit_id=world.units["D1"], content=b"x", filename="a.xlsx")
        db.session.add(job)
        db.session.commit()
        job_id = job.id

        def boom(*_a, **_k):
            raise RuntimeError("bug")

        monkeypatch.setattr(jobs, "build_plan", boom)
        jobs.analyse_job(job_id)
        failed = db.session.get(ImportJob, job_id)
        db.session.refresh(failed)
        assert failed.status == JobStatus.FAILED and failed.error


def test_an_interrupted_issuance_is_resumed_once_and_only_its_author_gets_the_slips(
    app, client, client_for, world, as_role, queued, monkeypatch
):
    from blueprints.auth.models import User
    from blueprints.roster.issuing import recover_interrupted_issues
    from blueprints.roster.models import IssueJob, IssueStatus
    from blueprints.units.models import Unit
    from tests.conftest import make_member
    from tests.roster.helpers import pdf_text

    monkeypatch.setitem(app.config, "ISSUE_STALE_SECONDS", 1)
    with app.app_context():
        newcomer = make_member("52100777", "Hồ Thị Mới", db.session.get(Unit, world.units["A"]))
        db.session.commit()
        newcomer_id = newcomer.id
    as_role("staff_d1")
    token = client.get(f"/roster/units/{world.units['A']}/accounts").get_data(as_text=True)
    token = token.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/roster/units/{world.units['A']}/accounts", data={"csrf_token": token, "mode": "new"}
    )
    page_url = response.headers["Location"]
    assert "/roster/issues/" in page_url
    assert "Đang chờ" in client.get(page_url).get_data(as_text=True)  # queued, not run yet
    job_id = int(page_url.rsplit("/", 1)[1])
    # The consumer took it and was killed: the row says "running", the queue is empty.
    app.extensions["huey"].flush()
    with app.app_context():
        db.session.execute(
            update(IssueJob)
            .where(IssueJob.id == job_id)
            .values(status=IssueStatus.RUNNING, updated_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
        monkeypatch.setitem(app.config, "JOBS_INLINE", True)  # the next consumer, here
        assert recover_interrupted_issues() == 1
        assert recover_interrupted_issues() == 0
        entry = db.session.get(IssueJob, job_id)
        assert entry.status == IssueStatus.DONE and entry.issued == 1
        assert (
            db.session.scalar(select(func.count(User.id)).where(User.member_id == newcomer_id)) == 1
        )

    slips = client.get(f"{page_url}/slips.pdf")
    assert slips.mimetype == "application/pdf" and "Hồ Thị Mới" in pdf_text(slips.data)
    assert slips.headers["Cache-Control"] == "no-store"
    other = client_for("staff_p")  # may issue for the unit, but did not ask for these slips
    assert other.get(f"{page_url}/slips.pdf").status_code == 404
    assert other.get(page_url).status_code == 404

    with app.app_context():
        db.session.execute(
            update(IssueJob)
            .where(IssueJob.id == job_id)
            .values(finished_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
        from blueprints.roster.housekeeping import old_login_slips

        assert old_login_slips() == 1
        db.session.commit()
    gone = client.get(f"{page_url}/slips.pdf")
    assert gone.status_code == 302
    assert "không còn" in client.get(page_url).get_data(as_text=True)
