"""The job fragment polls while running and stops when finished; state comes from the DB."""

from __future__ import annotations

from datetime import timedelta

from blueprints.roster.models import ImportJob, JobStatus
from core.extensions import db
from core.models import utcnow


def _make_job(app, world, **values) -> int:
    with app.app_context():
        job = ImportJob(kind="members", unit_id=world.units["D1"], filename="ds.xlsx", **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_running_job_polls_and_shows_rows_done(app, client, world, as_role):
    as_role("staff_d1")
    job_id = _make_job(
        app, world, status=JobStatus.ANALYSING, phase="checking", done=20000, total=55795
    )
    response = client.get(f"/roster/jobs/{job_id}/status", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    assert 'value="20000" max="55795"' in html and "20.000 / 55.795" in html
    assert "Đang kiểm tra từng dòng" in html
    assert "<html" not in html and response.headers["Cache-Control"] == "no-store"


def test_finished_job_stops_polling(app, client, world, as_role):
    as_role("staff_d1")
    counts = {"new": 5, "changed": 0, "unchanged": 0, "rejected": 0, "missing": 0}
    job_id = _make_job(app, world, status=JobStatus.DONE, done=5, total=5, counts=counts)
    html = client.get(f"/roster/jobs/{job_id}/status", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "every 1s" not in html and "Đã nhập xong" in html


def test_interrupted_job_can_be_checked_again(app, client, world, as_role):
    from tests.conftest import csrf_token
    from tests.roster.helpers import member_row, xlsx

    as_role("staff_d1")
    job_id = _make_job(
        app,
        world,
        status=JobStatus.ANALYSING,
        content=xlsx([member_row("52101101", "Cao Văn Tú", "A")]),
        updated_at=utcnow() - timedelta(minutes=10),
    )
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "bị gián đoạn" in html and "every 1s" not in html
    token = csrf_token(client, f"/roster/jobs/{job_id}")
    client.post(f"/roster/jobs/{job_id}/retry", data={"csrf_token": token})
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        assert job.status == JobStatus.PREVIEW and job.counts["new"] == 1


def test_unconfirmed_files_are_forgotten_after_a_week(app, client, world, as_role):
    from tests.roster.helpers import member_row, upload, xlsx

    as_role("staff_d1")
    old = _make_job(
        app,
        world,
        status=JobStatus.PREVIEW,
        content=b"personal data",
        created_at=utcnow() - timedelta(days=8),
    )
    upload(client, xlsx([member_row("52101201", "Lâm Văn Quý", "A")]), unit_id=world.units["D1"])
    with app.app_context():
        job = db.session.get(ImportJob, old)
        assert job.content is None and job.status == JobStatus.CANCELLED
