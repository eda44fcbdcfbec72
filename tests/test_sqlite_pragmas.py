"""File SQLite databases run in WAL mode with a busy timeout (several gunicorn workers)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from core.extensions import db


def test_file_sqlite_uses_wal_and_busy_timeout(app, tmp_path):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    # A fresh file too (the mode is switched on first connection), and memory stays as it is.
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
    engine.dispose()
    memory = create_engine("sqlite://")
    with memory.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "memory"
    memory.dispose()
