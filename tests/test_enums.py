"""The labelled-enum base: stored values unchanged, labels translated when read, and no
model keeps a separate labels dict next to its enum again."""

from __future__ import annotations

import pathlib
import re

from flask_babel import force_locale

from blueprints.auth.models import Role
from blueprints.meetings.models import Attend, MotionStatus, SpeakerStatus
from blueprints.members.models import Gender, MemberStatus
from core.enums import LabelledEnum

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_members_are_their_stored_strings(app):
    assert MemberStatus.OFFICIAL == "official"
    assert MemberStatus("exempt") is MemberStatus.EXEMPT
    assert Gender.FEMALE.value == "F"
    assert SpeakerStatus.WAITING == "waiting" and MotionStatus.OPEN == "open"
    assert [value for value, _ in Attend.choices()] == [
        "pending",
        "present",
        "excused",
        "unexcused",
        "exempt",
        "away",
    ]


def test_labels_follow_the_reader_language(app):
    with app.test_request_context():
        with force_locale("vi"):
            assert Role.SECRETARY.label == "Bí thư chi bộ"
            assert MemberStatus.label_for("probationary") == "Dự bị"
        with force_locale("en"):
            assert Role.SECRETARY.label != "Bí thư chi bộ"


def test_unknown_stored_value_shows_itself_or_the_default(app):
    with app.test_request_context():
        assert MemberStatus.label_for("archived-by-old-version") == "archived-by-old-version"
        assert Gender.label_for(None, "") == ""


def test_no_labels_dict_beside_an_enum():
    """One place per idea: a label lives on its enum member, not in a `*_LABELS` dict."""
    offenders = []
    for path in (ROOT / "blueprints").rglob("models.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"[A-Z_]+_LABELS\s*[:=]", line):
                offenders.append(f"{path.relative_to(ROOT)}: {line}")
    assert offenders == []
    assert issubclass(Role, LabelledEnum)
