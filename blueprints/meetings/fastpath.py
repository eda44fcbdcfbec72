"""The "nothing changed" poll of a live meeting, answered before Flask does any work.

About a thousand phones per busy evening ask "has meeting N moved past version V?" every
1,5 seconds; almost always the answer is "no". This WSGI middleware answers that case with a
bare 204 after ONE database query that checks, together: the login session (valid, not
revoked, not expired, not due for its last-seen refresh), the account (active, no pending
password change), that the caller's member record is in the meeting's cell, and the meeting's
version. Every other case — version changed, someone from outside the cell (leaders above,
staff), an expired or missing session, anything unusual — falls through untouched to the
normal Flask view `meetings.live_version`, which applies the full permission checks.

When the version HAS moved and the phone said which "shape" its region has (`shape=`, with
`lang=`), a second query reads the meeting's shared message for the new version (built once
by the first phone that asked, `push.poll_message`): if the shapes match, that message is the
answer — the parts of the region that are the same for every member, which the phone applies
in place — so the other phones of the meeting cost one more query, not a region each.

No state lives in the process: the only thing remembered is the result of verifying a
cookie's signature (a pure function of the cookie and the secret key), in a small LRU cache.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qs

from sqlalchemy import text
from werkzeug.http import parse_cookie

from core.session import (
    LAST_SEEN_EVERY,
    SESSION_BINDS,
    valid_session_condition,
    valid_session_params,
)

PATH_RE = re.compile(r"^/meetings/(\d+)/live/version$")
# The push gateway's "may this phone listen?" (push.py): same session and cell check.
AUTH_RE = re.compile(r"^/meetings/(\d+)/live/push-auth$")
QUERY_RE = re.compile(r"(?:^|&)v=(\d+)(?:&|$)")
MESSAGE_QUERY = text(
    "SELECT html FROM meeting_live_fragments WHERE meeting_id = :meeting_id "
    "AND name = 'message' AND locale = :locale AND version = :version"
)
# The session-validity rule is core.session's, shared with the Flask user loader.
QUERY = text(
    "SELECT m.version, s.last_seen_at, u.must_change_password "
    "FROM user_sessions s JOIN users u ON u.id = s.user_id "
    "JOIN members mem ON mem.id = u.member_id "
    "JOIN meetings m ON m.cell_id = mem.cell_id AND m.id = :meeting_id "
    "WHERE s.token_hash = :token_hash AND " + valid_session_condition("s", "u")
).bindparams(*SESSION_BINDS)
JSON_HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Vary", "Cookie"),
]
HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Vary", "Cookie"),
    ("Content-Length", "0"),
]


def _naive(value):
    """Datetimes come back as strings from SQLite raw SQL and as datetimes elsewhere."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


class LiveVersionFastPath:
    """WSGI middleware in front of the Flask app (installed by app.py)."""

    def __init__(self, app, wsgi_app):
        self.flask_app = app
        self.wsgi_app = wsgi_app
        self.engine = None
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.max_age = int(app.permanent_session_lifetime.total_seconds())
        self.serializer = None
        self._token = lru_cache(maxsize=8192)(self._token_uncached)

    def _token_uncached(self, cookie: str) -> str | None:
        try:
            data = self.serializer.loads(cookie, max_age=self.max_age)
        except Exception:  # noqa: BLE001 - any bad cookie: let Flask deal with it
            return None
        token = data.get("_user_id") if isinstance(data, dict) else None
        return token if isinstance(token, str) else None

    def _setup(self) -> None:
        from core.extensions import db

        with self.flask_app.app_context():
            self.engine = db.engine
            self.serializer = self.flask_app.session_interface.get_signing_serializer(
                self.flask_app
            )

    def poll_answer(self, environ) -> bytes | None:
        """For a member's poll that is certainly allowed: b"" when the version is unchanged
        (a 204), the shared message when it moved and the phone's region has the message's
        shape; None in every other case (Flask answers)."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        match = PATH_RE.match(environ.get("PATH_INFO", ""))
        if not match:
            return None
        known = environ.get("HTTP_X_MEETING_VERSION")
        query = environ.get("QUERY_STRING", "")
        if known is None:
            q = QUERY_RE.search(query)
            known = q.group(1) if q else None
        if not known or not known.isdigit():
            return None
        meeting_id = int(match.group(1))
        version = self.member_version(environ, meeting_id)
        if version is None:
            return None
        if str(version) == known:
            return b""
        args = parse_qs(query)
        shape, locale = args.get("shape", [None])[0], args.get("lang", [None])[0]
        if shape is None or not locale:
            return None
        params = {"meeting_id": meeting_id, "locale": locale[:8], "version": version}
        with self.engine.connect() as conn:
            html = conn.execute(MESSAGE_QUERY, params).scalar()
        if not html or json.loads(html).get("shape") != shape:
            return None
        return html.encode("utf-8")

    def may_listen(self, environ) -> bool:
        """True only when it is certain the caller is a member of the meeting's cell."""
        if environ.get("REQUEST_METHOD") != "GET":
            return False
        match = AUTH_RE.match(environ.get("PATH_INFO", ""))
        return bool(match) and self.member_version(environ, int(match.group(1))) is not None

    def member_version(self, environ, meeting_id: int) -> int | None:
        """The meeting's version if the caller's session is certainly valid and their member
        record is in the meeting's cell; None in every other case (Flask decides then)."""
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(self.cookie_name)
        if not cookie:
            return None
        if self.engine is None:
            self._setup()
        token = self._token(cookie)
        if not token:
            return None
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        now = datetime.now(UTC).replace(tzinfo=None)
        params = {"meeting_id": meeting_id, "token_hash": token_hash}
        params.update(valid_session_params(self.flask_app.config, now))
        with self.engine.connect() as conn:
            row = conn.execute(QUERY, params).first()
        if row is None:
            return None  # no such session, not valid now, or not of this meeting's cell
        version, last_seen_at, must_change = row
        if must_change or now - _naive(last_seen_at) > LAST_SEEN_EVERY:
            return None  # Flask's user loader refreshes last-seen; let it
        return version

    def __call__(self, environ, start_response):
        try:
            answer = self.poll_answer(environ)
            if answer is None and self.may_listen(environ):
                answer = b""
        except Exception:  # noqa: BLE001 - the slow path is always correct
            answer = None
        if answer == b"":
            start_response("204 No Content", list(HEADERS))
            return []
        if answer is not None:
            start_response("200 OK", [*JSON_HEADERS, ("Content-Length", str(len(answer)))])
            return [answer]
        return self.wsgi_app(environ, start_response)


def install(app) -> None:
    """Wrap the app's WSGI callable (once)."""
    if not isinstance(app.wsgi_app, LiveVersionFastPath):
        app.wsgi_app = LiveVersionFastPath(app, app.wsgi_app)
