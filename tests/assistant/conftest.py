"""The SQLite full-text table is not one of the models' tables, so the shared clean-up does
not empty it: each assistant test starts with it empty too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.extensions import db


@pytest.fixture(autouse=True)
def _empty_assistant_fts(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("DELETE FROM assistant_fts"))
            db.session.commit()
    yield
