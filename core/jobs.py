"""Background jobs on Huey: one queue that every web worker and host can feed.

Work that takes longer than a request should (a roster import, the nightly backup,
housekeeping) is declared with `@job` or `@periodic` in its feature and started with
`enqueue(fn, *args)`. The queue is Huey's: its SQLite storage in the instance folder by
default, Redis when `REDIS_URL` is set (several hosts) — one setting, the same task code. The
consumer runs as its own process (`flask jobs worker`, started by `make run` beside gunicorn).

Huey removes a task from the queue when a worker takes it, so a consumer killed mid-task loses
it. Features therefore keep their job's state in their own table (the ledger) and register a
`recover` function: the consumer calls every one at start and once a minute, and each
re-enqueues the work its ledger says was interrupted. The ledger's state changes are atomic
compare-and-set updates, so a job resumed this way still runs exactly once.

`JOBS_INLINE` (tests, command line) runs a job at once in the caller, without a queue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale
from huey import Huey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)

_jobs: dict[str, Callable] = {}
_periodic: list[tuple[str, dict, Callable]] = []
_recoverers: list[Callable[[], int]] = []
HEARTBEAT_KEY = "consumer-heartbeat"


def job(fn: Callable) -> Callable:
    """Declare `fn` a background job (its arguments must be JSON-like: ids, lists, strings)."""
    _jobs[_name(fn)] = fn
    return fn


def periodic(**schedule) -> Callable[[Callable], Callable]:
    """Declare `fn` a job the consumer runs on a crontab schedule (minute=, hour=, …)."""

    def register(fn: Callable) -> Callable:
        _periodic.append((_name(fn), schedule, fn))
        return fn

    return register


def recoverer(fn: Callable[[], int]) -> Callable[[], int]:
    """Declare `fn` (returning how many jobs it re-enqueued) to run at consumer start and
    every minute."""
    _recoverers.append(fn)
    return fn


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def make_huey(app: Flask) -> Huey:
    """The queue for this configuration: Redis when REDIS_URL is set, else SQLite."""
    url = app.config.get("REDIS_URL")
    if url:
        return RedisHuey("sotay", url=url)
    path = Path(app.config.get("JOBS_DB") or Path(app.instance_path) / "jobs.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("sotay", filename=str(path))


def init_app(app: Flask) -> None:
    """Bind every declared job to this app's queue (call after the features are imported)."""
    huey = make_huey(app)
    tasks: dict[str, Callable] = {}

    def in_app(fn: Callable) -> Callable:
        def run(*args, locale: str = "vi", **kwargs):
            with app.app_context(), force_locale(locale):
                try:
                    fn(*args, **kwargs)  # no result kept: Huey's store would only grow
                finally:
                    from core.extensions import db

                    db.session.remove()

        return run

    for name, fn in _jobs.items():
        tasks[name] = huey.task(name=name)(in_app(fn))
    for name, schedule, fn in _periodic:
        huey.periodic_task(crontab(**schedule), name=name)(in_app(fn))

    @huey.periodic_task(crontab(minute="*"), name="core.jobs.minutely")
    def minutely():
        with app.app_context():
            huey.put(HEARTBEAT_KEY, time.time())
            recover_all()

    @huey.on_startup()
    def started():
        with app.app_context():
            huey.put(HEARTBEAT_KEY, time.time())
            recover_all()

    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = tasks


def recover_all() -> int:
    """Run every feature's recovery; the number of jobs put back on the queue."""
    from core.extensions import db

    total = 0
    for fn in _recoverers:
        try:
            total += fn()
        except Exception:
            log.exception("job recovery %s failed", _name(fn))
        finally:
            db.session.remove()
    return total


def enqueue(fn: Callable, *args, locale: str = "vi") -> None:
    """Start `fn(*args)` in the background (at once in the caller with JOBS_INLINE)."""
    if current_app.config.get("JOBS_INLINE"):
        with force_locale(locale):
            fn(*args)
        return
    current_app.extensions["huey_tasks"][_name(fn)](*args, locale=locale)


def consumer_age() -> float | None:
    """Seconds since the consumer last said it was alive, or None if it never did."""
    huey: Huey = current_app.extensions["huey"]
    try:
        beat = huey.get(HEARTBEAT_KEY, peek=True)
    except Exception:  # noqa: BLE001 - an unreachable queue is reported as "no consumer"
        return None
    return None if beat is None else max(0.0, time.time() - float(beat))


def run_consumer(workers: int = 2) -> None:
    """Run the consumer in this process until it is stopped (SIGINT/SIGTERM)."""
    huey: Huey = current_app.extensions["huey"]
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
