"""Push of live-meeting changes through a gateway (nginx with the nchan module), optional.

Without `NCHAN_PUBLISH_URL` nothing here runs: phones poll as they always have. With it, every
committed `live_change(meeting)` is published ONCE to the meeting's channel, by HTTP, after
the response's work is done and from a small thread pool with a short timeout, so a slow or
absent gateway never holds up the request (phones then simply keep polling). The message is
JSON: the new version, the language it was rendered in, the region's "shape" and the shared
parts of the member's region (fragments.member_shared, the same HTML the polling phones get).

A phone applies the shared parts in place without asking the app again. It fetches its own
region only when the shape moved — something personal may have changed for everyone (the
meeting started or closed, a motion opened or closed, the speakers' queue moved, the secretary
marked someone) — or when it reads another language. A member's own action answers with a
region refresh (`acknowledge`), so personal state comes back in the answer to that action.

Only changes committed while answering a request are pushed (a CLI command or a job is not):
a phone listening for pushes still polls every 30 s as a safety net, and at once whenever its
stream drops, so nothing is missed for longer than that.

Subscriptions are authorised by the app: nchan asks `meetings.push_auth` (answered by the WSGI
fast path for members of the cell) before a phone may listen to a meeting's channel.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, g, has_request_context
from flask_babel import get_locale
from sqlalchemy import event, func, or_, select

from core.extensions import db

PENDING_KEY = "push_meetings"
# At most this many publishes waiting per process: beyond it a change is not pushed (the
# phones' safety poll still brings it) rather than piling up threads on a dead gateway.
MAX_WAITING = 200

_pool: ThreadPoolExecutor | None = None
_waiting = threading.BoundedSemaphore(MAX_WAITING)


def mark(meeting_id: int) -> None:
    """Note that the meeting changed in the current transaction (called by `live_change`)."""
    if has_request_context() and current_app.config.get("NCHAN_PUBLISH_URL"):
        db.session.info.setdefault(PENDING_KEY, set()).add(meeting_id)


def _after_commit(session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids and has_request_context():
        g.setdefault("push_due", set()).update(ids)


def _after_soft_rollback(session, _transaction) -> None:
    session.info.pop(PENDING_KEY, None)


def shape(meeting, motions, queue) -> str:
    """What in the member's region is structural or set by someone else for a member: when it
    changes, each phone fetches its own region; when only the shared parts changed, it does
    not. A member checking in themselves does not change it (their own answer refreshes them).
    """
    from blueprints.meetings.models import Attend, Attendance

    marks = db.session.execute(
        select(Attendance.status, func.count())
        .where(
            Attendance.meeting_id == meeting.id,
            or_(Attendance.by_proxy, Attendance.status.not_in([Attend.PENDING, Attend.PRESENT])),
        )
        .group_by(Attendance.status)
        .order_by(Attendance.status)
    ).all()
    on_behalf = _votes_on_behalf([m.id for m in motions])
    # Items done are not part of it: the catch-up list is a shared block that every region
    # carries, empty at first (_r_member.html), so ending an item is a shared change.
    parts = [
        str(meeting.status),
        ",".join(f"{m.id}{m.status[0]}" for m in motions),
        ",".join(f"{s.id}{s.status[0]}" for s in queue),
        ",".join(f"{status}{n}" for status, n in marks),
        str(on_behalf),
    ]
    return "|".join(parts)


def _votes_on_behalf(motion_ids: list[int]) -> int:
    from blueprints.meetings.live_models import BallotReceipt, OpenVote

    if not motion_ids:
        return 0
    total = 0
    for model in (OpenVote, BallotReceipt):
        total += db.session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.motion_id.in_(motion_ids), model.by_proxy)
        )
    return total


def _body(meeting) -> str:
    """The JSON message for the meeting's current version, in the request's language."""
    from blueprints.meetings import fragments
    from blueprints.meetings.live_routes import member_lists

    motions, queue = member_lists(meeting)
    shared = fragments.member_shared(meeting, motions)
    body = {
        "v": meeting.version,
        "lang": str(get_locale() or "vi"),
        "shape": shape(meeting, motions, queue),
        "parts": {name: str(shared(name)) for name in ("head", "done")},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def message(meeting_id: int) -> bytes | None:
    """The JSON message for the meeting's current version, or None if it is gone."""
    from blueprints.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    return None if meeting is None else _body(meeting).encode("utf-8")


def poll_message(meeting) -> str:
    """The same message for polling phones: built by the first phone that asks after a
    change and stored for the version (the WSGI fast path gives it to the others)."""
    from blueprints.meetings import fragments

    locale = str(get_locale() or "vi")[:8]
    stored = fragments.stored_message(meeting.id, locale, meeting.version)
    if stored is not None:
        return stored
    text = _body(meeting)
    fragments.store_message(meeting.id, locale, meeting.version, text)
    return text


def _post(url: str, data: bytes, timeout: float, logger) -> None:
    try:
        # http(s) only: checked by install() on the configured URL.
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method="POST", headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            answer.read()
    except Exception:  # noqa: BLE001 - the gateway is optional: phones keep polling
        logger.warning("push to %s failed; phones will poll", url, exc_info=False)
    finally:
        _waiting.release()


def publish(meeting_id: int) -> None:
    """Build the message now (inside the request) and send it from the pool."""
    global _pool
    app = current_app._get_current_object()
    base = app.config["NCHAN_PUBLISH_URL"].rstrip("/")
    data = message(meeting_id)
    if data is None or not _waiting.acquire(blocking=False):
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push")
    timeout = float(app.config.get("NCHAN_PUBLISH_TIMEOUT", 0.5))
    try:
        _pool.submit(_post, f"{base}/{meeting_id}", data, timeout, app.logger)
    except RuntimeError:  # the pool is shutting down with the process
        _waiting.release()


def _publish_due(response):
    due = g.pop("push_due", None)
    if not due or not current_app.config.get("NCHAN_PUBLISH_URL"):
        return response
    for meeting_id in sorted(due):
        try:
            publish(meeting_id)
        except Exception:  # noqa: BLE001 - never fail the member's answer over a push
            current_app.logger.warning("push message not built", exc_info=True)
        finally:
            db.session.rollback()  # the read-only transaction of the message, ended
    return response


def install(app: Flask) -> None:
    """Hook the publish onto commits and responses. Always installed (cheap: nothing is noted
    while NCHAN_PUBLISH_URL is unset), so the setting can be read per request."""
    url = app.config.get("NCHAN_PUBLISH_URL")
    if url and not url.startswith(("http://", "https://")):
        raise ValueError("NCHAN_PUBLISH_URL must be an http:// or https:// URL")
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
    app.after_request(_publish_due)


def subscribe_url(meeting_id: int) -> str | None:
    """Where the phone listens for the meeting (None: no gateway, the phone polls)."""
    base = current_app.config.get("NCHAN_SUBSCRIBE_URL")
    return f"{base.rstrip('/')}/{meeting_id}" if base else None
