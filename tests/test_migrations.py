"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.config import database_uri
from core.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_database_uri(tmp_path):
    """An empty database of the same kind the suite runs on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    os.environ["DATABASE_URL"] = url
    base = make_url(database_uri(""))
    name = f"{base.database}_migrations"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _flask(uri: str, *args: str) -> None:
    """Run a `flask` command in a child process, as `make run` does (the app here is untouched)."""
    env = {**os.environ, "DATABASE_URL": uri}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app:create_app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def test_migrations_match_models_and_downgrade(fresh_database_uri):
    _flask(fresh_database_uri, "db", "upgrade")
    engine = create_engine(fresh_database_uri)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        _flask(fresh_database_uri, "db", "downgrade", "base")
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        engine.dispose()
