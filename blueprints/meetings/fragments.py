"""Shared parts of the member's live region, rendered once per meeting version and language.

After a change on the console, the 20-odd phones of the meeting all ask for their region
within about a second. Most of it is the same for everyone (status, current item, quorum,
what has been done and decided); only the roll-call, vote and speaker cards are personal.
The first phone renders the shared parts and stores them; the others read them back with one
query. The store is shared by every worker and host: Redis when REDIS_URL is set, otherwise
the `meeting_live_fragments` table — never only this process's memory.

The meeting row (with its version) is read before the data of the fragment, so a stored
fragment is never older than the version it is filed under.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import select

from blueprints.meetings.live_models import LiveFragment
from blueprints.meetings.models import Choice, Meeting, MotionStatus
from blueprints.meetings.services.attendance import totals
from core.extensions import db

REDIS_TTL_SECONDS = 6 * 3600
# The row name of the polling phones' shared message (read by fastpath.MESSAGE_QUERY).
MESSAGE = "message"


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("meetings_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=0.5)
        current_app.extensions["meetings_redis"] = client
    return client


def _upsert(meeting_id: int, name: str, locale: str, version: int, html: str) -> None:
    """Store the fragment unless a newer version is already there (own short transaction)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = LiveFragment.__table__
    stmt = insert(table).values(
        meeting_id=meeting_id, name=name, locale=locale, version=version, html=html
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.meeting_id, table.c.name, table.c.locale],
        set_={"version": stmt.excluded.version, "html": stmt.excluded.html},
        where=table.c.version < stmt.excluded.version,
    )
    with engine.begin() as conn:
        conn.execute(stmt)


class SharedParts:
    """The shared fragments of one region, looked up together (one query) on first use."""

    def __init__(self, meeting: Meeting, renderers: dict[str, Callable[[], str]]):
        self.meeting = meeting
        self.renderers = renderers
        self.locale = str(get_locale() or "vi")[:8]
        self.found: dict[str, str] | None = None
        self.stored: dict[str, int] = {}

    def _key(self, name: str) -> str:
        m = self.meeting
        return f"sotay:meeting:{m.id}:{name}:{self.locale}:{m.version}"

    def _load(self) -> dict[str, str]:
        names = list(self.renderers)
        client = _redis()
        if client is not None:
            try:
                values = client.mget([self._key(n) for n in names])
            except Exception:  # noqa: BLE001 - Redis down: render, as without a cache
                values = [None] * len(names)
            return {n: v.decode("utf-8") for n, v in zip(names, values, strict=True) if v}
        rows = db.session.execute(
            select(LiveFragment.name, LiveFragment.version, LiveFragment.html).where(
                LiveFragment.meeting_id == self.meeting.id,
                LiveFragment.name.in_(names),
                LiveFragment.locale == self.locale,
            )
        ).all()
        self.stored = {row.name: row.version for row in rows}
        return {row.name: row.html for row in rows if row.version == self.meeting.version}

    def __call__(self, name: str) -> Markup:
        if self.found is None:
            self.found = self._load()
        # The HTML is our own autoescaped template output, stored only by this module.
        if name in self.found:
            return Markup(self.found[name])  # noqa: S704
        html = str(self.renderers[name]())
        self.found[name] = html
        self._store(name, html)
        return Markup(html)  # noqa: S704

    def _store(self, name: str, html: str) -> None:
        version = self.meeting.version
        client = _redis()
        try:
            if client is not None:
                client.set(self._key(name), html.encode("utf-8"), ex=REDIS_TTL_SECONDS)
            elif self.stored.get(name, 0) < version:
                _upsert(self.meeting.id, name, self.locale, version, html)
        except Exception:  # noqa: BLE001 - a busy store must not fail the page
            current_app.logger.warning("live fragment not stored", exc_info=True)


def member_shared(meeting: Meeting, motions) -> SharedParts:
    """The shared parts of the member's region: the top card ("head") and the catch-up list
    ("done"). Used by the phone's region and by the push message (push.py), so both show the
    same HTML for a version. `motions`: the meeting's non-draft motions, newest first."""
    return SharedParts(
        meeting,
        {
            "head": lambda: render_template(
                "meetings/_member_head.html", meeting=meeting, t=totals(meeting)
            ),
            "done": lambda: render_template(
                "meetings/_member_done.html",
                done_items=[i for i in meeting.items if i.done],
                closed_motions=[m for m in motions if m.status == MotionStatus.CLOSED],
                choice_labels=Choice.labels(),
            ),
        },
    )


def stored_message(meeting_id: int, locale: str, version: int) -> str | None:
    """The polling phones' shared message (push.poll_message) stored for this version."""
    return db.session.scalar(
        select(LiveFragment.html).where(
            LiveFragment.meeting_id == meeting_id,
            LiveFragment.name == MESSAGE,
            LiveFragment.locale == locale,
            LiveFragment.version == version,
        )
    )


def store_message(meeting_id: int, locale: str, version: int, text: str) -> None:
    """Keep the message where every worker and host (and the WSGI fast path, which reads the
    database directly) finds it; always in the database, whatever REDIS_URL says."""
    try:
        _upsert(meeting_id, MESSAGE, locale, version, text)
    except Exception:  # noqa: BLE001 - a busy store must not fail the poll
        current_app.logger.warning("live message not stored", exc_info=True)
