"""Roster tests run import jobs inline (no background thread) so results are deterministic."""

import pytest


@pytest.fixture(autouse=True)
def _inline_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
