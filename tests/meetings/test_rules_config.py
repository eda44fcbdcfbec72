"""The app's own meeting rules follow the texts and the province's settings: the common
meeting day proposed for a new meeting, and the quality scale of handbook chapter 13."""

from __future__ import annotations

from datetime import datetime

import pytest

from app import create_app
from blueprints.meetings import services as sv
from blueprints.meetings.models import Meeting
from blueprints.meetings.services.quality import Quality, check_weights
from blueprints.meetings.services.scheduling import proposed_start
from core.config import DEFAULT_MEETING_QUALITY_WEIGHTS, _pairs, meeting_settings
from core.extensions import db


def test_defaults_add_up_and_pass_the_check():
    assert sum(DEFAULT_MEETING_QUALITY_WEIGHTS.values()) == 100
    check_weights(dict(DEFAULT_MEETING_QUALITY_WEIGHTS))


@pytest.mark.parametrize(
    "weights, full",
    [
        ({"attendance": 50, "duration": 50}, ()),
        (dict(DEFAULT_MEETING_QUALITY_WEIGHTS, attendance=31), ()),
        (dict(DEFAULT_MEETING_QUALITY_WEIGHTS, attendance=-5, duration=55), ()),
        (dict(DEFAULT_MEETING_QUALITY_WEIGHTS), ("content",)),
    ],
)
def test_a_bad_scale_is_refused(weights, full):
    with pytest.raises(ValueError):
        check_weights(weights, full)


def test_environment_settings(monkeypatch):
    monkeypatch.setenv(
        "MEETING_QUALITY_WEIGHTS", "attendance=25, duration=20,speakers=25,documents=15,minutes=15"
    )
    monkeypatch.setenv("MEETING_QUALITY_FULL_FOR_TOP", "attendance, minutes")
    monkeypatch.setenv("MEETING_COMMON_DAY", "1")
    monkeypatch.setenv("MEETING_DEFAULT_TIME", "19:30")
    settings = meeting_settings()
    assert settings["MEETING_QUALITY_WEIGHTS"]["speakers"] == 25
    assert settings["MEETING_QUALITY_FULL_FOR_TOP"] == ("attendance", "minutes")
    assert settings["MEETING_COMMON_DAY"] == 1
    assert settings["MEETING_DEFAULT_TIME"] == (19, 30)
    for name, value in [
        ("MEETING_COMMON_DAY", "31"),
        ("MEETING_DEFAULT_TIME", "7 giờ"),
        ("MEETING_QUALITY_WEIGHTS", "attendance:30"),
    ]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError):
            meeting_settings()
        monkeypatch.delenv(name)
    with pytest.raises(ValueError):
        _pairs("attendance=ba mươi", "X")


def test_the_app_checks_the_scale_when_it_starts():
    """create_app refuses a scale that does not add up (checked before anything is built, so
    no second app is left half made)."""
    bad = dict(DEFAULT_MEETING_QUALITY_WEIGHTS, minutes=40)
    with pytest.raises(ValueError, match="100"):
        create_app({"TESTING": True, "MEETING_QUALITY_WEIGHTS": bad})


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 12, 1, 7, 0), datetime(2026, 12, 3, 8, 0)),  # two days ahead: this month
        (datetime(2026, 12, 2, 9, 0), datetime(2027, 1, 3, 8, 0)),  # too close: next month
        (datetime(2026, 12, 20, 9, 0), datetime(2027, 1, 3, 8, 0)),  # past it: next month
        (datetime(2026, 1, 31, 23, 0), datetime(2026, 2, 3, 8, 0)),
    ],
)
def test_proposed_start_is_the_next_common_day_leaving_documents_a_day(app, now, expected):
    with app.app_context():
        assert proposed_start(now) == expected
        # Documents can still reach members a full day before the proposed start.
        assert (expected - now).total_seconds() >= 2 * 86400


def test_no_common_day_proposes_nothing(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEETING_COMMON_DAY", 0)
    with app.app_context():
        assert proposed_start(datetime(2026, 12, 1)) is None


def test_new_meeting_form_proposes_the_common_day(client, world, as_role):
    as_role("secretary_a")
    page = client.get(f"/meetings/new?cell_id={world.units['A']}").get_data(as_text=True)
    assert 'name="starts_at"' in page
    assert "-03T08:00" in page  # the 3rd of a month, at the default time
    assert "ít nhất 90 phút" in page and "trước buổi sinh hoạt ít nhất một ngày" in page
    assert "ngày lễ, Tết" in page


def test_scale_follows_the_configured_weights(app, schedule, monkeypatch):
    meeting_id = schedule()
    # A meeting not started yet: nobody present, no minutes, no documents (full marks there).
    monkeypatch.setitem(
        app.config,
        "MEETING_QUALITY_WEIGHTS",
        {"attendance": 10, "duration": 0, "speakers": 0, "documents": 90, "minutes": 0},
    )
    with app.app_context():
        q = sv.quality(db.session.get(Meeting, meeting_id))
        assert (q.score, q.label, q.maxima["documents"]) == (90, "Tốt", 90)
        # A province that gives Tốt only with full marks on attendance.
        monkeypatch.setitem(app.config, "MEETING_QUALITY_FULL_FOR_TOP", ("attendance",))
        assert sv.quality(db.session.get(Meeting, meeting_id)).label == "Khá"
        assert q.with_minutes_approved().minutes == 0


def test_grade_bands():
    parts = dict(DEFAULT_MEETING_QUALITY_WEIGHTS)
    assert Quality(**parts).label == "Tốt"
    assert sv.grade(89.9) == "Khá" and sv.grade(70) == "Khá"
    assert sv.grade(69) == "Trung bình" and sv.grade(50) == "Trung bình"
    assert sv.grade(49) == "Kém"
