"""Backups that restore: every table and row (uploaded files and minutes included) come back
equal, encrypted or not, on SQLite and on PostgreSQL; rotation keeps 7 daily, 4 weekly and
12 monthly files; files are private."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app
from blueprints.meetings.models import Document
from core import backup
from core.extensions import db, limiter
from tests.security.files import seed_files


def _rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


@pytest.fixture
def empty_database(app, tmp_path):
    """The URI of a second, empty database on the same engine as the suite."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"sotay_restore_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("encrypted", (False, True), ids=("plain", "encrypted"))
def test_backup_then_restore_gives_back_every_row(
    app, world, runner, empty_database, monkeypatch, encrypted
):
    if encrypted:
        monkeypatch.setitem(app.config, "BACKUP_KEY", backup.new_key())
    ids = seed_files(app, world)
    with app.app_context():
        original = _rows(db.engine)
        document = db.session.get(Document, ids["doc"]).data
    result = runner.invoke(args=["backup", "--no-rotate"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("backup: ")[1].split(" (")[0])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.name.endswith(".enc") == encrypted
    if encrypted:
        assert b"SQLite format" not in path.read_bytes()[:64]

    restored_app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database,
            # The limiter is one object shared by every app in a process: keep it on the
            # suite's database, which outlives this one.
            "RATELIMIT_STORAGE_OPTIONS": app.config["RATELIMIT_STORAGE_OPTIONS"],
            "SECRET_KEY": "test-secret",
            "BACKUP_KEY": app.config.get("BACKUP_KEY"),
            "BACKUP_DIR": app.config["BACKUP_DIR"],
            "JOBS_DB": app.config["JOBS_DB"],
        }
    )
    done = restored_app.test_cli_runner().invoke(args=["restore", str(path)])
    assert done.exit_code == 0, done.output
    with restored_app.app_context():
        assert _rows(db.engine) == original
        copy = db.session.get(Document, ids["doc"]).data
        assert hashlib.sha256(copy).digest() == hashlib.sha256(document).digest()
        again = restored_app.test_cli_runner().invoke(args=["restore", str(path)])
        assert again.exit_code != 0 and "empty database" in again.output  # never over data
        db.engine.dispose()
    limiter.init_app(app)  # the limiter is shared by every app in the process: give it back
    path.unlink()


def test_a_changed_or_wrongly_keyed_backup_is_refused(app, world, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_KEY", backup.new_key())
    with app.app_context():
        path = backup.make_backup()
        plain = tmp_path / "plain"
        data = bytearray(path.read_bytes())
        data[100] ^= 1
        changed = tmp_path / "changed.enc"
        changed.write_bytes(bytes(data))
        with pytest.raises(backup.BackupError):
            backup._decrypt(changed, plain, backup._key())
        cut = tmp_path / "cut.enc"
        cut.write_bytes(path.read_bytes()[:-10])
        with pytest.raises(backup.BackupError):
            backup._decrypt(cut, plain, backup._key())
        monkeypatch.setitem(app.config, "BACKUP_KEY", backup.new_key())
        with pytest.raises(backup.BackupError, match="Wrong BACKUP_KEY"):
            backup._decrypt(path, plain, backup._key())
    path.unlink()


def test_rotation_keeps_seven_daily_four_weekly_twelve_monthly(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "b"))
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with app.app_context():
        folder = backup.backup_dir()
        for day in range(400):  # one backup a night for 400 nights, two on the last night
            moment = start - timedelta(days=day)
            (folder / moment.strftime("sotay-%Y%m%d-%H%M%S.sqlite3")).write_bytes(b"x")
        (folder / "sotay-20261201-120000.sqlite3").write_bytes(b"x")
        backup.rotate((7, 4, 12))
        kept = sorted(p.name[6:14] for p in backup.backups())
    assert kept[-7:] == [f"202611{d}" for d in ("25", "26", "27", "28", "29", "30")] + ["20261201"]
    assert len(kept) == len(set(kept))  # one per day: the later of the two last-night files
    months = {k[:6] for k in kept}
    assert len(months) == 12 and min(months) == "202601"
    assert len(kept) <= 7 + 4 + 12


def test_healthz_reports_the_consumer_and_the_last_backup(app, client, world):
    body = client.get("/healthz").get_json()
    assert body["jobs"] in ("never-seen", "ok", "stale")
    with app.app_context():
        app.extensions["huey"].put("consumer-heartbeat", datetime.now(UTC).timestamp())
        path = backup.make_backup()
    body = client.get("/healthz").get_json()
    assert body["jobs"] == "ok" and body["backup"] == "ok" and body["backup_age_hours"] < 1
    path.unlink()
