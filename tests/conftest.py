"""Shared fixtures: the app on a real database, clients, and a small province with all roles.

The database is SQLite in a temporary folder, or PostgreSQL when `TEST_DATABASE_URL` (or
`DATABASE_URL`) is set, which is how CI runs the suite a second time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from blueprints.auth.models import RoleAssignment, User
from blueprints.members.models import Member, MemberStatus
from blueprints.units.models import Unit, UnitKind
from core.config import database_uri
from core.extensions import db, limiter

PASSWORD = "mat-khau-thu-nghiem-2026"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
        return database_uri("")
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the whole run, on a freshly created schema."""
    uri = _database_url(tmp_path_factory)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "RATELIMIT_STORAGE_OPTIONS": {"database_url": uri},
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SECRET_KEY": "test-secret",
            "USE_HTMX_CDN": False,
            # Jobs run in the caller (no consumer in the suite; tests/test_jobs.py starts one).
            "JOBS_INLINE": True,
            "JOBS_DB": str(tmp_path_factory.mktemp("jobs") / "jobs.sqlite3"),
            "BACKUP_DIR": str(tmp_path_factory.mktemp("backups")),
        }
    )
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _limiter_on_the_suite_app(app):
    """The limiter is one object shared by every app in a process: a test that builds another
    app (a restore target, a bench helper, a bad configuration) re-binds it to that app's
    database. Give it back, so counters (logins, check-in attempts) live where tests clean."""
    storage = limiter._storage
    yield
    if limiter._storage is not storage:
        limiter.init_app(app)


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Every test starts with empty tables (faster than recreating the schema)."""
    yield
    with app.app_context():
        db.session.rollback()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            _truncate_postgresql(tables)
        else:
            for name in tables:
                db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - table names from metadata
        db.session.commit()


_BLOCKERS = text(
    "SELECT pid, state, now() - xact_start AS age, left(query, 200) AS query"
    " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    " AND xact_start IS NOT NULL"
)


def _truncate_postgresql(tables: list[str]) -> None:
    """TRUNCATE every table, never waiting for ever.

    TRUNCATE needs every table to itself. A connection left inside a transaction (a request of
    the browser tests' server thread that a test abandoned) would make it wait without end and
    the run would hang until CI kills it. So wait at most 20 s, print who held the lock (so
    the cause can be found), end those connections (the pools ping and replace them), and try
    once more.
    """
    statement = text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
    try:
        db.session.execute(text("SET LOCAL lock_timeout = '20s'"))
        db.session.execute(statement)
        return
    except OperationalError:
        db.session.rollback()
    blockers = db.session.execute(_BLOCKERS).all()
    print("\nTRUNCATE waited 20 s; connections in a transaction:", *blockers, sep="\n  ")
    for blocker in blockers:
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": blocker.pid})
    db.session.execute(statement)


@pytest.fixture
def client(app):
    """A test client (CSRF protection stays on, as in production)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that touch the database directly."""
    with app.app_context():
        yield


@dataclass
class World:
    """A small province: P → D1 → G1 → cells A, B; P → D2 → cell C; one user per role.

    Holds ids and login names only, so tests never touch objects from a closed session.
    """

    units: dict[str, int]
    members: dict[str, int]
    users: dict[str, int]
    logins: dict[str, str]


def make_member(card: str, name: str, cell: Unit, **kw) -> Member:
    """Add a member with sensible defaults."""
    status = kw.pop("status", MemberStatus.OFFICIAL)
    member = Member(card_number=card, cell=cell, status=status, **kw)
    member.set_name(name)
    db.session.add(member)
    return member


def make_user(
    member: Member | None = None,
    *,
    username: str | None = None,
    role=None,
    unit=None,
    must_change: bool = False,
) -> User:
    """Add an account with the shared test password and an optional role."""
    user = User(member=member, username=username, display_name=username or "")
    user.set_password(PASSWORD, must_change=must_change)
    db.session.add(user)
    if role:
        db.session.add(RoleAssignment(user=user, role=role, unit=unit))
    return user


def build_world() -> World:
    """Create the small province in the current app context and commit it."""
    p = Unit.create("P", "Tỉnh ủy Thử nghiệm", UnitKind.PROVINCE, None)
    d1 = Unit.create("D1", "Huyện ủy Sơn Tịnh", UnitKind.COMMITTEE, p)
    d2 = Unit.create("D2", "Huyện ủy Lý Sơn", UnitKind.COMMITTEE, p)
    g1 = Unit.create("G1", "Đảng bộ xã Tịnh Hà", UnitKind.GRASSROOTS, d1)
    a = Unit.create("A", "Chi bộ thôn An Phú", UnitKind.CELL, g1)
    b = Unit.create("B", "Chi bộ thôn Phước Lộc", UnitKind.CELL, g1)
    c = Unit.create("C", "Chi bộ thôn An Vĩnh", UnitKind.CELL, d2)
    units = {"P": p, "D1": d1, "D2": d2, "G1": g1, "A": a, "B": b, "C": c}
    m = {
        "sec_a": make_member("52100001", "Nguyễn Văn Bình", a, phone="0905000001"),
        "mem_a": make_member("52100002", "Trần Thị Ánh", a, phone="0905000002"),
        "new_a": make_member("52100003", "Lê Đức Anh", a),
        "mem_b": make_member("52100004", "Phạm Thị Đào", b, phone="0905000004"),
        "mem_c": make_member("52100005", "Võ Minh Châu", c),
    }
    u = {
        "admin": make_user(username="quantri", role="admin", unit=p),
        "staff_p": make_user(username="tochuc", role="staff", unit=p),
        "staff_d1": make_user(username="tochuc.d1", role="staff", unit=d1),
        "staff_d2": make_user(username="tochuc.d2", role="staff", unit=d2),
        "editor": make_user(username="bientap", role="editor", unit=p),
        "secretary_a": make_user(m["sec_a"], role="secretary", unit=a),
        "member_a": make_user(m["mem_a"]),
        "newbie_a": make_user(m["new_a"], must_change=True),
        "member_b": make_user(m["mem_b"]),
        "member_c": make_user(m["mem_c"]),
    }
    db.session.commit()
    return World(
        units={k: v.id for k, v in units.items()},
        members={k: v.id for k, v in m.items()},
        users={k: v.id for k, v in u.items()},
        logins={k: v.username or v.member.card_number for k, v in u.items()},
    )


@pytest.fixture
def world(app) -> World:
    """The small province, committed."""
    with app.app_context():
        return build_world()


def vietnam_now() -> datetime:
    """The wall-clock time in Vietnam (naive), the way a user there fills in a time field."""
    return datetime.now(VIETNAM).replace(tzinfo=None)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a rendered form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, identifier: str, password: str = PASSWORD, **extra):
    """Log in through the real login form."""
    token = csrf_token(client)
    return client.post(
        "/login", data={"login": identifier, "password": password, "csrf_token": token, **extra}
    )


@pytest.fixture
def as_role(client, world):
    """Log the client in as one of the world's users: `as_role("staff_d1")`."""

    def _as(name: str) -> int:
        response = login(client, world.logins[name])
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return world.users[name]

    return _as


@pytest.fixture
def client_for(app, world):
    """A separate logged-in client per person: `client_for("member_a")`."""

    def _make(name: str):
        c = app.test_client()
        response = login(c, world.logins[name])
        assert response.status_code == 302, name
        return c

    return _make


def post_new_meeting(client, world, starts, **overrides):
    """Post the new-meeting form for cell A as its secretary fills it in (starting at
    `starts`, Vietnam time); `overrides` replace or add fields. Returns the response."""
    data = {
        "csrf_token": csrf_token(client, f"/meetings/new?cell_id={world.units['A']}"),
        "cell_id": world.units["A"],
        "kind": "regular",
        "topic": "Sinh hoạt chi bộ tháng 12",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Nhà văn hóa thôn An Phú",
        "chair_id": world.members["sec_a"],
        "clerk_id": world.members["mem_a"],
        "guests": "",
        "quorum_percent": "67",
    } | overrides
    return client.post("/meetings/new", data=data)


@pytest.fixture
def schedule(client, world, as_role):
    """Log in as cell A's secretary and schedule a meeting; returns its id."""

    logged_in = []

    def _schedule(**overrides) -> int:
        if not logged_in:
            as_role("secretary_a")
            logged_in.append(True)
        # Two hours from now in Vietnam, as the secretary types it: in the future, and close
        # enough to be started (a meeting cannot be started 12 hours or more ahead).
        starts = overrides.pop("starts", vietnam_now() + timedelta(hours=2))
        response = post_new_meeting(client, world, starts, **overrides)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/meetings/(\d+)", response.headers["Location"]).group(1))

    return _schedule
