"""Shared helpers of the meeting benchmarks: a prepared SQLite database, gunicorn started as
`make run` starts it, and session cookies made the way a real login makes them."""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 - throwaway benchmark key
PASSWORD = "mat-khau-do-hieu-nang-2026"  # noqa: S105 - benchmark accounts only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(db_path: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{db_path}", SECRET_KEY=SECRET, FLASK_APP="app:create_app")
    env.pop("REDIS_URL", None)
    return env


def make_app(db_path: str):
    os.environ.update(bench_env(db_path))
    from app import create_app

    return create_app({"SECRET_KEY": SECRET})


def prepare(
    db_path: str, cells: int, members_per_cell: int, *, password: bool = False, wal: bool = True
) -> dict:
    """Migrate a fresh database and fill it: cells with members, accounts, ongoing meetings.

    Returns ids: {"meetings": [...], "members": {meeting_id: [member ids]},
    "users": {member_id: user_id}, "secretaries": {meeting_id: user_id}}.
    """
    if os.path.exists(db_path):
        os.remove(db_path)
    app = make_app(db_path)
    from flask_migrate import upgrade
    from sqlalchemy import text

    from blueprints.auth.models import RoleAssignment, User
    from blueprints.meetings import services as sv
    from blueprints.meetings.models import Meeting, MeetingStatus
    from blueprints.members.models import Member
    from blueprints.units.models import Unit, UnitKind
    from core.extensions import db
    from core.models import utcnow

    out: dict = {"meetings": [], "members": {}, "users": {}, "secretaries": {}}
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        if wal:
            # Write-ahead log: readers (the polls) never wait for a writer's commit. The mode
            # is stored in the database file, so gunicorn's workers use it too.
            db.session.execute(text("PRAGMA journal_mode=WAL"))
            db.session.commit()
        province = Unit.create("BP", "Tỉnh ủy Đo hiệu năng", UnitKind.PROVINCE, None)
        for c in range(cells):
            cell = Unit.create(f"BC{c}", f"Chi bộ số {c + 1}", UnitKind.CELL, province)
            members = []
            for m in range(members_per_cell):
                member = Member(card_number=f"9{c:04d}{m:03d}", cell=cell, status="official")
                member.set_name(f"Nguyễn Văn Thử {c}-{m}")
                db.session.add(member)
                members.append(member)
            db.session.flush()
            users = []
            for member in members:
                user = User(member=member, must_change_password=False)
                if password:
                    user.set_password(PASSWORD)
                db.session.add(user)
                users.append(user)
            db.session.add(RoleAssignment(user=users[0], role="secretary", unit=cell))
            meeting = Meeting(
                cell_id=cell.id,
                topic=f"Sinh hoạt chi bộ {c + 1}",
                place="Hội trường",
                starts_at=utcnow(),
                chair_id=members[0].id,
                clerk_id=members[1].id,
                status=MeetingStatus.ONGOING,
                started_at=utcnow() - timedelta(minutes=5),
            )
            db.session.add(meeting)
            sv.apply_template(meeting)
            db.session.flush()
            meeting.current_item_id = meeting.items[0].id
            sv.sync_attendance(meeting)
            db.session.flush()
            out["meetings"].append(meeting.id)
            out["members"][meeting.id] = [m.id for m in members]
            out["secretaries"][meeting.id] = users[0].id
            for member, user in zip(members, users, strict=True):
                out["users"][member.id] = user.id
        db.session.commit()
    return out


def session_cookies(db_path: str, user_ids: list[int]) -> dict[int, str]:
    """A signed session cookie per user, backed by a server-side login session row.

    This is exactly what a successful login leaves in the browser (see blueprints/auth/sessions.py),
    without paying for a password hash per simulated member.
    """
    app = make_app(db_path)
    from blueprints.auth.models import UserSession
    from core.extensions import db
    from core.models import utcnow

    cookies = {}
    with app.app_context(), app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        for user_id in user_ids:
            token = UserSession.new_token()
            db.session.add(
                UserSession(
                    token_hash=UserSession.hash_token(token),
                    user_id=user_id,
                    expires_at=utcnow() + timedelta(hours=12),
                )
            )
            value = serializer.dumps({"_user_id": token, "_fresh": True})
            cookies[user_id] = f"{app.config['SESSION_COOKIE_NAME']}={value}"
        db.session.commit()
    return cookies


def start_gunicorn(
    app_spec: str, port: int, env: dict, workers: int = 3, threads: int = 0
) -> subprocess.Popen:
    """gunicorn as in `make run` (3 sync workers, access log to stdout), output discarded;
    `threads` > 0 runs gthread workers instead (they keep connections alive)."""
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads else []),
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            os.environ.get("BENCH_ACCESS_LOG", "-"),
            *(
                ["--access-logformat", "%(m)s %(U)s %(s)s %(M)s"]
                if os.environ.get("BENCH_ACCESS_LOG")
                else []
            ),
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120  # a loaded machine boots the app slowly
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn on port {port} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def meeting_secrets(db_path: str) -> dict[int, str]:
    """Each meeting's check-in secret: a phone reads the code off the console when it checks
    in (it changes every minute), so the load generator derives it at that moment."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, checkin_secret FROM meetings")).all()
    engine.dispose()
    return dict(rows)


def code_now(meeting_id: int, secret: str) -> str:
    """blueprints.meetings.services.attendance.checkin_code, without an app."""
    from blueprints.meetings.services.attendance import CODE_WINDOW_SECONDS

    window = int(time.time() // CODE_WINDOW_SECONDS)
    key = (SECRET + secret).encode()
    digest = hmac.new(key, f"{meeting_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"
