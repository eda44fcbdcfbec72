"""Every POST route, fed nonsense with a valid CSRF token, answers without a server error.

The sweep walks `app.url_map` and fills every form field the app knows (the fields of every
WTForms class plus the names views read from `request.form`) with one kind of nonsense at a
time: empty, NUL bytes, 20.000 characters, huge and negative numbers, impossible dates,
markup, decomposed Vietnamese, a file that is not what it claims. Path ids point at real
objects (an ongoing meeting with a motion, a speaker and a task; a card request; articles), so
the views get past their 404s and validate what they were sent.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from blueprints.auth.models import RoleAssignment
from blueprints.cards.models import CardRequest
from blueprints.handbook.models import Kind, Status
from blueprints.meetings.models import AgendaItem, Motion, Speaker, Task
from core.extensions import db
from tests.conftest import csrf_token
from tests.handbook.helpers import make_article
from tests.meetings.conftest import post

ROOT = Path(__file__).resolve().parents[1]
NONSENSE = [
    "",
    "   ",
    "\x00\x01\x02",
    "x" * 20000,
    "-1",
    "99999999999999999999999999",
    "1e309",
    "2026-02-30",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "<script>alert(1)</script>",
    "Đ\u0301ảng phí",
]
FAKE_PDF = "<a file named .pdf holding something else>"


def _value(value: str):
    """The form value, or a fresh upload for the fake-file round (a stream is read once)."""
    return (io.BytesIO(b"%PDF-1.4 \x00\xff not a pdf"), "tệp.pdf") if value is FAKE_PDF else value


# Who tries each group of routes: the people the routes are for, so permission checks pass.
ROLES_BY_PREFIX = {
    "meetings.": ("secretary_a", "member_a"),
    "cards.": ("member_a", "staff_d1"),
    "roster.": ("staff_d1",),
    "handbook.editor": ("editor",),
    "handbook.": ("member_a",),
    "admin.": ("admin",),
    "": ("member_a",),
}
# Routes that end a session or a meeting go last, so the others still find them open.
LAST = ("meetings.close", "meetings.approve_minutes", "auth.logout")


def _field_names() -> set[str]:
    names: set[str] = set()
    classes = [FlaskForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    for path in (ROOT / "blueprints").rglob("*.py"):
        names.update(re.findall(r"request\.form\.get(?:list)?\(\"([a-z_]+)\"", path.read_text()))
    names.discard("csrf_token")
    return names


def _roles(endpoint: str) -> tuple[str, ...]:
    return next(roles for prefix, roles in ROLES_BY_PREFIX.items() if endpoint.startswith(prefix))


@pytest.fixture
def objects(app, client, world, schedule, client_for):
    """Ids of real objects for the path parameters."""
    meeting_id = schedule()
    post(client, f"/meetings/{meeting_id}/start", htmx=False)
    post(client, f"/meetings/{meeting_id}/motions", {"text": "Biểu quyết thử", "majority": "all"})
    post(client_for("member_a"), f"/meetings/{meeting_id}/speak")
    post(
        client,
        f"/meetings/{meeting_id}/tasks",
        {"description": "Việc thử", "assignee_id": world.members["mem_a"], "due_on": ""},
    )
    with app.app_context():
        request = CardRequest(
            member_id=world.members["mem_a"], kind="lost", old_card_number="52100002"
        )
        db.session.add(request)
        db.session.commit()
        draft = make_article(world.units["P"], "Bản nháp", kind=Kind.NEWS, status=Status.DRAFT)

        def first(model, **where):
            query = select(model.id).filter_by(**where).order_by(model.id).limit(1)
            return db.session.scalar(query) or 987654

        return {
            "meeting_id": meeting_id,
            "item_id": first(AgendaItem, meeting_id=meeting_id),
            "motion_id": first(Motion, meeting_id=meeting_id),
            "speaker_id": first(Speaker, meeting_id=meeting_id),
            "task_id": first(Task, meeting_id=meeting_id),
            "member_id": world.members["mem_a"],
            "unit_id": world.units["A"],
            "request_id": request.id,
            "article_id": draft,
            "assignment_id": first(RoleAssignment, user_id=world.users["staff_d2"]),
            "kind": "news",
        }


def test_nonsense_in_every_form_never_causes_a_server_error(app, objects, client_for):
    names = sorted(_field_names())
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    rules.sort(key=lambda r: r.endpoint in LAST)
    clients = {}
    failures = []
    for rule in rules:
        url = rule.build({k: objects.get(k, 987654) for k in rule.arguments})[1]
        for role in _roles(rule.endpoint):
            if role not in clients:
                clients[role] = (c := client_for(role), csrf_token(c, "/"))
            c, token = clients[role]
            for i, value in enumerate([*NONSENSE, FAKE_PDF]):
                data = {n: _value(value) for n in names} | {"csrf_token": token}
                # Every other round as htmx sends it, so both kinds of answer are exercised.
                headers = {"X-CSRFToken": token} | ({"HX-Request": "true"} if i % 2 else {})
                response = c.post(url, data=data, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{role} {url} {value[:30]!r} → {response.status_code}")
    assert not failures, failures
