"""Benchmark: the common meeting day — N phones in M simultaneous meetings through the push
gateway (nginx + nchan, Server-Sent Events), then the same kind of run polling, for comparison.

    .venv/bin/python bench/peak.py [--phones 20000] [--meetings 1000] [--seconds 60]
        [--interval 20] [--procs 4] [--act N] [--polling-phones 2000] [--polling-meetings 100]
        [--skip-polling] [--redis] [--keep DIR [--prepare-only]]

--act N: only N phones per meeting check in and vote (all listen): the app answers ~30 ms of
CPU per check-in or vote, so 22.000 check-ins alone take minutes on 2 shared cores; --keep DIR
reuses a prepared database of the same size (filling 20.000 accounts takes ~8 minutes).

Everything on loopback, started here and stopped at the end (bounded by --max-minutes):
a prepared SQLite database (WAL), gunicorn as `make run` starts it (3 sync workers) with
NCHAN_PUBLISH_URL set, and nginx with nchan in front (deploy/nginx/nchan.conf.in; memory
store, or Redis with --redis). The load generator is --procs processes of asyncio streams
(hand-written HTTP/1.1: neither aiohttp nor httpx is in the venv, and raw streams are the
cheapest client anyway); each holds its share of the phones' EventSource connections, on its
own loopback source address (127.0.0.x) so that 20.000 long connections plus the actions fit
in the ephemeral port range. The file-descriptor limit is raised to the hard limit (20.000
here: one process could not hold 20.000 connections, hence several).

Phases, as on the evening: (A) every phone connects its stream (authorised by the app through
nchan's authorize request) and checks in with the code, 10% of them twice; (B) every console
moves to the next agenda item every --interval seconds while the phones listen; the delay of
a change for a phone is from the console's request to the stream message carrying a version
at least as new; (C) every console opens a vote (every other one secret) and every phone
votes, 10% twice. Check-ins and votes are then counted in the database: each acknowledged
exactly once (lost = acknowledged but missing, doubled = counted more than once).

Printed: connection time, p50/p95/max change-to-visible for push (and the part of it that is
the console's own answer, i.e. the app), for polling (polling at
the smaller --polling-phones scale: 20.000 phones polling every second would need 20.000
answers a second from a machine whose ceiling is ~1.200), and the CPU the load generator
itself used, the CPU per phase of the app, nginx, the generator and the whole machine (shared
with other work), the bytes of a poll and a stream message and what they make per phone over a
90-minute meeting. The last line is the summary:
`peak: N phones in M meetings, push p95 X s, polling p95 Y s, lost 0, doubled 0`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    bench_env,
    code_now,
    free_port,
    meeting_secrets,
    prepare,
    start_gunicorn,
    stop,
)
from bench.live_meetings import (
    codes_and_items,
    cookies_with_csrf,
    db_counts,
)
from deploy import cluster

VERSION_RE = re.compile(rb'"v":(\d+)')
RETRY_STATUSES = {0, 502, 503, 504}


def raise_fd_limit() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * p) - 1)] if values else float("nan")


class Http:
    """One-shot HTTP/1.1 requests on asyncio streams, from one loopback source address."""

    def __init__(self, port: int, source: str, limit: int):
        self.port, self.source = port, source
        self.sem = asyncio.Semaphore(limit)

    async def request(self, method, path, cookie, csrf=None, form=None):
        async with self.sem:
            # A callable form is made now, after the wait (a check-in code read off the console).
            return await self._send(method, path, cookie, csrf, form() if callable(form) else form)

    async def _send(self, method, path, cookie, csrf, form):
        body = urllib.parse.urlencode(form).encode() if form else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        lines += [f"Cookie: {cookie}", "HX-Request: true"]
        if csrf:
            lines.append(f"X-CSRFToken: {csrf}")
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        # No second `async with self.sem` here: `request` holds it already, and taking the same
        # semaphore twice deadlocked the generator as soon as every permit was held by a task
        # waiting for its second one (the 20.000-phone run stalled after 15 check-ins).
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.source, 0)
            )
            writer.write(raw)
            data = await asyncio.wait_for(reader.read(), 120)
            writer.close()
        except (TimeoutError, OSError):
            return 0, {}, b""
        head, _, payload = data.partition(b"\r\n\r\n")
        lines_ = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines_[0].split()[1])
        except (IndexError, ValueError):
            return 0, {}, b""
        headers = {}
        for line in lines_[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        return status, headers, payload

    async def until_done(self, path, cookie, csrf, form, stats):
        """POST as a phone does: retried with the same form while the server is unreachable."""
        for attempt in range(6):
            status, _, _ = await self.request("POST", path, cookie, csrf, form)
            if status not in RETRY_STATUSES:
                stats["retries"] += attempt
                return status == 200
            await asyncio.sleep(0.5 * (attempt + 1) * (0.5 + random.random()))
        return False


async def _open_stream(port, source, request):
    """Connect and read the headers; returns (reader, writer, chunked) or raises OSError."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(request)
    status = await reader.readline()
    if b" 200 " not in status:
        writer.close()
        raise OSError(status)
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            return reader, writer, chunked
        chunked = chunked or line.lower().startswith(b"transfer-encoding: chunked")


async def _next_bytes(reader, chunked: bool) -> bytes:
    """The next piece of the stream's body (b"" at its end)."""
    if not chunked:
        return await reader.read(65536)
    size_line = await reader.readline()
    size = int(size_line.strip() or b"0", 16) if size_line else 0
    return (await reader.readexactly(size + 2))[:-2] if size else b""


async def sse_phone(port, source, key, cookie, seen, connected, stop_at, ramp=0.0, wire=None):
    """One phone's stream: connect (with backoff), then note (time, version) of each message.
    `wire` counts the bytes of the stream's body as they arrive (framing included)."""
    request = (
        f"GET /push/meeting/{key[0]} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    ).encode()
    delay = 0.5
    await asyncio.sleep(random.random() * ramp)  # phones open the page over the first minute
    while time.monotonic() < stop_at:
        try:
            reader, writer, chunked = await _open_stream(port, source, request)
            connected.add(key)
            delay = 0.5
            buffer = b""
            while piece := await _next_bytes(reader, chunked):
                if wire is not None:
                    wire[0] += len(piece)
                buffer += piece
                *events, buffer = buffer.split(b"\n\n")
                for event in events:
                    match = VERSION_RE.search(event)
                    if match:
                        seen.append((time.monotonic(), int(match.group(1))))
            writer.close()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        # Reconnect as live-push.js does: jitter, growing delay, a cap.
        await asyncio.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 10)


class LoadProc:
    """One load-generator process: its meetings' phones (streams) and consoles."""

    def __init__(self, index, args, port, meetings, members, secretary, secrets_, items, sync, out):
        self.args, self.port, self.meetings, self.members = args, port, meetings, members
        self.secretary, self.secrets, self.items = secretary, secrets_, items
        self.sync, self.out = sync, out
        self.source = f"127.0.0.{index + 2}"
        self.http = Http(port, self.source, limit=args.action_concurrency)
        self.seen = {(m, i): [] for m in meetings for i in range(len(members[m]))}
        self.connected: set = set()
        self.stats = {"retries": 0}
        self.changes: dict[int, list] = {m: [] for m in meetings}
        self.wire = [0]
        # The phones that check in and vote (all of them unless --act says how many per meeting).
        self.acting = {m: members[m][: args.act or None] for m in meetings}

    async def barrier(self) -> None:
        await asyncio.to_thread(self.sync.wait, self.args.max_minutes * 60)

    async def actions(self, jobs) -> int:
        """Send each (path, cookie, csrf, form), about 10% twice; the number acknowledged."""

        async def one(path, cookie, csrf, form):
            if form is None:  # a check-in: the code read off the console when it is sent
                meeting_id = int(path.split("/")[2])
                form = lambda: {"code": code_now(meeting_id, self.secrets[meeting_id])}  # noqa: E731
            times = 2 if random.random() < 0.1 else 1
            sends = (
                self.http.until_done(path, cookie, csrf, form, self.stats) for _ in range(times)
            )
            return any(await asyncio.gather(*sends))

        return sum(await asyncio.gather(*(one(*j) for j in jobs)))

    async def console(self, m: int, stop_at: float) -> None:
        await asyncio.sleep(1 + random.random() * self.args.interval)
        n = 1
        while time.monotonic() < stop_at - 3:
            entry = [time.monotonic(), None]
            self.changes[m].append(entry)
            form = {"item_id": self.items[m][n % len(self.items[m])]}
            n += 1
            await self.http.request("POST", f"/meetings/{m}/current", *self.secretary[m], form)
            entry.append(time.monotonic())  # the console has its answer: the app's part done
            # Only consoles change state in this phase: the version now is the one just made.
            _, headers, body = await self.http.request(
                "GET", f"/meetings/{m}/live/version?v=0", self.secretary[m][0]
            )
            entry[1] = int(headers.get("x-meeting-version") or body.strip() or 0)
            await asyncio.sleep(max(0.0, min(self.args.interval, stop_at - time.monotonic())))

    def delays(self) -> tuple[list[float], list[float], int]:
        """Per phone and change: console request → first message at least that new; and per
        change, the console's own answer time (the app's part: the publish is built before
        the answer leaves, so the rest of the delay is the gateway's fan-out)."""
        delays, answers, missed = [], [], 0
        for changes in self.changes.values():
            answers += [e[2] - e[0] for e in changes if e[1] is not None and len(e) > 2]
        for (m, _), observed in self.seen.items():
            for t0, target, *_ in self.changes[m]:
                if target is None:
                    continue
                first = next((t for t, v in observed if v >= target and t >= t0), None)
                if first is None:
                    missed += 1
                else:
                    delays.append(first - t0)
        return delays, answers, missed

    async def run(self) -> None:
        args, result = self.args, {}
        deadline = time.monotonic() + args.max_minutes * 60
        phones = [
            asyncio.ensure_future(
                sse_phone(
                    self.port,
                    self.source,
                    key,
                    self.members[key[0]][key[1]][0],
                    observed,
                    self.connected,
                    deadline,
                    args.ramp,
                    self.wire,
                )
            )
            for key, observed in self.seen.items()
        ]
        t = time.monotonic()
        while len(self.connected) < len(phones) and time.monotonic() - t < args.connect_timeout:
            await asyncio.sleep(0.25)
        result["connect_time"] = time.monotonic() - t
        await self.barrier()
        # (A) check-ins
        t = time.monotonic()
        result["checkins"] = await self.actions(
            [
                (f"/meetings/{m}/checkin", c, x, None)
                for m in self.meetings
                for c, x in self.acting[m]
            ]
        )
        result["checkin_time"] = time.monotonic() - t
        await self.barrier()
        # (B) consoles move through the agenda; phones listen.
        stop_at = time.monotonic() + args.seconds
        await asyncio.gather(*(self.console(m, stop_at) for m in self.meetings))
        await asyncio.sleep(3)  # the last messages of the phase
        result["delays"], result["answers"], result["missed"] = self.delays()
        await self.barrier()
        # (C) a motion per meeting (every other one secret), then every phone votes.
        for i, m in enumerate(self.meetings):
            form = {"text": "Thông qua nghị quyết", "majority": "all", "confirm_no_quorum": "1"}
            form |= {"secret": "y"} if (m + i) % 2 else {}
            await self.http.until_done(
                f"/meetings/{m}/motions", *self.secretary[m], form, self.stats
            )
        await self.barrier()
        motions = await asyncio.to_thread(self.out["motions"].get)
        t = time.monotonic()
        result["votes"] = await self.actions(
            [
                (
                    f"/meetings/{m}/motions/{motions[m]}/vote",
                    c,
                    x,
                    {"choice": random.choice(["yes", "no", "abstain"])},
                )
                for m in self.meetings
                for c, x in self.acting[m]
            ]
        )
        result["vote_time"] = time.monotonic() - t
        for phone in phones:
            phone.cancel()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result |= {
            "connected": len(self.connected),
            "phones": len(phones),
            "changes": sum(len(v) for v in self.changes.values()),
            "messages": sum(len(v) for v in self.seen.values()),
            "stream_bytes": self.wire[0],
            "retries": self.stats["retries"],
            "cpu": usage.ru_utime + usage.ru_stime,
        }
        self.out["results"].put(result)


def load_proc(*a):
    raise_fd_limit()
    asyncio.run(LoadProc(*a).run())


def cpu_of(pids: list[int]) -> float:
    """CPU seconds used so far by these processes and their children (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        todo = [pid]
        while todo:
            p = todo.pop()
            try:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
            except (OSError, ValueError, IndexError):
                pass
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, the other users' too)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Phases:
    """Where the time goes: per phase, the CPU of the app, nginx, the load generator and the
    whole machine (the other users' work included), sampled from /proc at each barrier."""

    NAMES = ("app", "nginx", "load generator", "machine")

    def __init__(self, app_pids, nginx_pids, generator_pids):
        self.groups = (app_pids, nginx_pids, generator_pids)
        self.rows: list[tuple[str, float, list[float]]] = []
        self.last = self._sample()

    def _sample(self) -> tuple[float, list[float]]:
        return time.monotonic(), [*(cpu_of(g) for g in self.groups), machine_busy()]

    def mark(self, name: str) -> None:
        now = self._sample()
        used = [b - a for a, b in zip(self.last[1], now[1], strict=True)]
        self.rows.append((name, now[0] - self.last[0], used))
        self.last = now

    def lines(self) -> list[str]:
        cores = os.cpu_count() or 1
        head = f"{'phase':<24}{'wall s':>8}" + "".join(f"{n:>16}" for n in self.NAMES)
        out = [head + "   (share of the machine's cores)"]
        for name, wall, used in self.rows:
            cells = "".join(f"{100 * u / (wall * cores):>15.0f}%" for u in used)
            out.append(f"{name:<24}{wall:>8.0f}{cells}")
        return out


def _raw_get(port: int, path: str, cookie: str) -> tuple[int, int, int, dict]:
    """One GET as the load generator sends it: (request bytes, response bytes, status, headers)."""
    import socket

    raw = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Cookie: {cookie}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
    return len(raw), len(data), int(head[0].split()[1]), headers


def wire_sizes(port: int, cookie: str, meeting_id: int) -> dict:
    """Bytes on the wire of a phone's poll that finds nothing new (204) and of one that brings
    its region (the version moved), through nginx, HTTP/1.1 without TLS."""
    path = f"/meetings/{meeting_id}/live/version?part=member&v="
    req, region, _, headers = _raw_get(port, path + "0", cookie)
    _, unchanged, status, _ = _raw_get(port, path + headers.get("x-meeting-version", "0"), cookie)
    return {"request": req, "region": region, "unchanged": unchanged, "status": status}


# A 90-minute meeting of 20 members, as the data estimate counts it: 20 check-ins, ~12 agenda
# moves, 4 motions (opened, 20 votes, closed) and ~10 moves of the speakers' queue ≈ 130
# changes, of which ~20 change the region's shape (motions opened/closed, the queue) and make
# a pushed phone fetch its region. A browser's own headers (user agent, Sec-Fetch-*, language)
# add about 500 bytes to each request the load generator sends; counted below.
MEETING_SECONDS, CHANGES, SHAPE_CHANGES, BROWSER_HEADERS = 90 * 60, 130, 20, 500


def data_per_phone(sizes: dict, message_bytes: float) -> tuple[float, float]:
    """KB per phone per 90-minute meeting: (polling every second, push with a 30 s safety poll)."""
    req = sizes["request"] + BROWSER_HEADERS
    polls = MEETING_SECONDS  # one a second
    polling = (polls - CHANGES) * (req + sizes["unchanged"]) + CHANGES * (req + sizes["region"])
    safety = MEETING_SECONDS // 30
    push = (
        req  # the stream's request (its response headers are in message_bytes' framing)
        + CHANGES * message_bytes
        + SHAPE_CHANGES * (req + sizes["region"])
        + safety * (req + sizes["unchanged"])
    )
    return polling / 1000, push / 1000


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, ValueError):
            pass
    return total / 1024


def prepared(db_path: str, meetings: int, per: int, keep: str | None) -> tuple[dict, dict]:
    """A fresh prepared database and the phones' credentials; with --keep, a copy of the one
    kept from an earlier run of the same size (filling 20.000 accounts takes minutes)."""
    import json
    import pickle

    kept = Path(keep) / f"peak-{meetings}x{per}" if keep else None
    if kept and kept.with_suffix(".pickle").exists():
        import sqlite3
        from datetime import UTC, datetime

        shutil.copyfile(kept.with_suffix(".sqlite3"), db_path)
        # Seen just now, as a phone that has just opened the meeting page is: a session last
        # seen over 5 minutes ago sends every phone's first request, the stream's authorisation
        # included, through Flask to refresh it (one write each), which no real evening does.
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        with sqlite3.connect(db_path) as conn:
            conn.execute("UPDATE user_sessions SET last_seen_at = ?", (now,))
        ids, creds = pickle.loads(kept.with_suffix(".pickle").read_bytes())  # noqa: S301 - ours
        return ids, creds
    ids = prepare(db_path, cells=meetings, members_per_cell=per)
    creds = cookies_with_csrf(db_path, list(ids["users"].values()))
    if kept:
        import sqlite3

        with sqlite3.connect(db_path) as conn:  # everything into the file itself, then copy
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_path, kept.with_suffix(".sqlite3"))
        kept.with_suffix(".pickle").write_bytes(pickle.dumps((ids, creds)))
        kept.with_suffix(".json").write_text(json.dumps({"meetings": meetings, "per": per}))
    return ids, creds


def push_run(args, tmp: str) -> dict:
    db_path = f"{tmp}/push.sqlite3"
    per = args.phones // args.meetings
    t = time.monotonic()
    ids, creds = prepared(db_path, args.meetings, per, args.keep)
    _, items = codes_and_items(db_path, ids["meetings"])
    codes = meeting_secrets(db_path)  # the check-in code is derived when each phone sends
    print(
        f"push: prepared {args.meetings} meetings x {per} members in {time.monotonic() - t:.0f} s"
    )
    directory = Path(tmp) / "gateway"
    directory.mkdir()
    port, pub_port, app_port = free_port(), free_port(), free_port()
    procs = []
    redis_port = None
    if args.redis:
        redis_port = free_port()
        procs.append(cluster.start_redis(redis_port, directory))
    # Four workers of at most 19.000 connections each (the hard fd limit is 20.000 a process):
    # an nginx worker out of connections starts reusing them, which nchan 1.3.6 does not
    # survive (assertion in longpoll.c, seen in the first 20.000-phone run).
    conf = cluster.render_nginx(
        directory,
        "peak",
        port,
        pub_port,
        app_port,
        app_port,
        redis_port,
        workers=4,
        connections=min(19000, args.phones // 2 + 4000),
    )
    env = bench_env(db_path) | {
        "NCHAN_PUBLISH_URL": f"http://127.0.0.1:{pub_port}/pub/meeting",
        "NCHAN_SUBSCRIBE_URL": "/push/meeting",
    }
    # The app first, then nginx: a worker that saw its upstream refuse a connection (the
    # readiness check before the app was up) was seen to crash later (nchan 1.3.6).
    try:
        app = start_gunicorn("app:create_app()", app_port, env)
    except RuntimeError:
        for proc in reversed(procs):
            cluster.stop_pid(proc.pid)
        raise
    try:
        procs.append(cluster.start_nginx(conf, directory, port))
    except RuntimeError:
        stop(app)
        for proc in reversed(procs):
            cluster.stop_pid(proc.pid)
        raise
    try:
        return _drive(args, ids, creds, codes, items, port, db_path, [app.pid, procs[-1].pid])
    finally:
        stop(app)
        for proc in reversed(procs):
            cluster.stop_pid(proc.pid)


def _drive(args, ids, creds, codes, items, port, db_path, server_pids) -> dict:
    meetings = ids["meetings"]
    members = {m: [creds[ids["users"][x]] for x in ids["members"][m]] for m in meetings}
    secretary = {m: creds[ids["secretaries"][m]] for m in meetings}
    ctx = mp.get_context("fork")
    sync = ctx.Barrier(args.procs + 1)
    out = {"results": ctx.Queue(), "motions": ctx.Queue()}
    workers = []
    for k in range(args.procs):
        mine = meetings[k :: args.procs]
        worker = ctx.Process(
            target=load_proc,
            args=(
                k,
                args,
                port,
                mine,
                {m: members[m] for m in mine},
                secretary,
                codes,
                items,
                sync,
                out,
            ),
        )
        worker.start()
        workers.append(worker)
    wall0, server0 = time.monotonic(), cpu_of(server_pids)
    phases = Phases([server_pids[0]], [server_pids[1]], [w.pid for w in workers])
    timeout = args.max_minutes * 60
    sync.wait(timeout=timeout)  # streams connected
    phases.mark("A1 streams connect")
    print(f"push: streams connected after {time.monotonic() - wall0:.0f} s; checking in…")
    sync.wait(timeout=timeout)  # check-ins done
    phases.mark("A2 check-ins")
    print(f"push: check-ins done after {time.monotonic() - wall0:.0f} s; consoles move…")
    t_b = time.monotonic()
    sync.wait(timeout=timeout)  # phase B done
    b_seconds = time.monotonic() - t_b
    phases.mark("B  agenda, phones listen")
    memory = {"app": rss_mb(server_pids[0]), "nginx": rss_mb(server_pids[1])}
    sync.wait(timeout=timeout)  # motions opened
    phases.mark("C1 motions opened")
    print(f"push: motions opened after {time.monotonic() - wall0:.0f} s; voting…")
    *_, motions = db_counts(db_path)
    for _ in workers:
        out["motions"].put(motions)
    results = [out["results"].get(timeout=timeout) for _ in workers]
    phases.mark("C2 votes")
    # Measured once nothing moves any more (the generators are done), so the second poll
    # finds the version the first one brought.
    sizes = wire_sizes(port, members[meetings[0]][-1][0], meetings[0])
    wall = time.monotonic() - wall0
    server_cpu = cpu_of(server_pids) - server0
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.kill()
    slowest = ("connect_time", "checkin_time", "vote_time")
    lists = ("delays", "answers")
    merged = {k: sum(r[k] for r in results) for k in results[0] if k not in (*slowest, *lists)}
    merged |= {k: max(r[k] for r in results) for k in slowest}
    merged |= {k: [d for r in results for d in r[k]] for k in lists}
    merged["wall"], merged["b_seconds"], merged["server_cpu"] = wall, b_seconds, server_cpu
    merged["memory"], merged["sizes"], merged["phases"] = memory, sizes, phases.lines()
    return merged


def counted(db_path: str, ok_checkins: int, ok_votes: int) -> tuple[int, int, str]:
    present, open_votes, receipts, ballots, _ = db_counts(db_path)
    lost = max(0, ok_checkins - present) + max(0, ok_votes - (open_votes + receipts))
    doubled = (
        max(0, present - ok_checkins)
        + max(0, open_votes + receipts - ok_votes)
        + abs(ballots - receipts)
    )
    text = (
        f"check-ins acknowledged {ok_checkins}, in database {present}; votes acknowledged "
        f"{ok_votes}, in database {open_votes} open + {receipts} secret (ballots {ballots})"
    )
    return lost, doubled, text


def polling_run(args, tmp: str):
    """bench/live_meetings.py's run at the polling scale; returns (p95, lost, doubled)."""
    from bench import live_meetings

    db_path = f"{tmp}/poll.sqlite3"
    per = args.polling_phones // args.polling_meetings
    ids = prepare(db_path, cells=args.polling_meetings, members_per_cell=per)
    creds = cookies_with_csrf(db_path, list(ids["users"].values()))
    port = free_port()
    proc = start_gunicorn("app:create_app()", port, bench_env(db_path))
    ns = argparse.Namespace(
        seconds=args.seconds, interval=args.interval / 2, poll=1.0, connections=64
    )
    try:
        ok_checkins, ok_votes = asyncio.run(live_meetings.run(ns, port, ids, creds, db_path))
    finally:
        stop(proc)
    lost, doubled, text = counted(db_path, ok_checkins, ok_votes)
    print(f"polling: {text}")
    return ns.p95, lost, doubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=20000)
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--interval", type=float, default=20.0)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--action-concurrency", type=int, default=8)
    parser.add_argument(
        "--act",
        type=int,
        default=0,
        help="phones per meeting that check in and vote, the others only listen (0: all)",
    )
    parser.add_argument("--connect-timeout", type=float, default=300)
    parser.add_argument("--ramp", type=float, default=60, help="seconds over which phones connect")
    parser.add_argument("--max-minutes", type=float, default=25)
    parser.add_argument("--polling-phones", type=int, default=2000)
    parser.add_argument("--polling-meetings", type=int, default=100)
    parser.add_argument("--skip-polling", action="store_true")
    parser.add_argument(
        "--keep", help="directory where prepared databases are kept and reused (same size only)"
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="fill the --keep database, then stop"
    )
    parser.add_argument("--redis", action="store_true", help="nchan on Redis (as in make cluster)")
    args = parser.parse_args()
    hard = raise_fd_limit()
    print(f"file descriptors: {hard} per process; load average at start {os.getloadavg()[0]:.1f}")
    missing = cluster.missing_tools()
    if missing:
        sys.exit("Missing: " + ", ".join(missing))
    tmp = tempfile.mkdtemp(prefix="bench-peak-")
    if args.prepare_only:
        prepared(f"{tmp}/push.sqlite3", args.meetings, args.phones // args.meetings, args.keep)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        r = push_run(args, tmp)
        delays = r["delays"]
        p95, p50, worst = (
            percentile(delays, 0.95),
            statistics.median(delays or [0]),
            max(delays or [0]),
        )
        lost, doubled, text = counted(f"{tmp}/push.sqlite3", r["checkins"], r["votes"])
        cores = os.cpu_count() or 1
        print(
            f"push: {r['connected']}/{r['phones']} streams connected in {r['connect_time']:.0f} s; "
            f"check-ins {r['checkin_time']:.0f} s, votes {r['vote_time']:.0f} s "
            f"(slowest process), {r['retries']} retried requests"
        )
        print(
            f"push: {r['changes']} console changes in {r['b_seconds']:.0f} s, {r['messages']} "
            f"stream messages received, {len(delays)} change observations, {r['missed']} missed"
        )
        print(
            f"push: change-to-visible p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s "
            f"(goal p95 <= 1,5 s, max <= 3 s)"
        )
        answers = r["answers"]
        print(
            f"push: of which the console's own answer (app: change + publish built) p50 "
            f"{statistics.median(answers or [0]):.2f} s, p95 {percentile(answers, 0.95):.2f} s, "
            f"max {max(answers or [0]):.2f} s"
        )
        print(f"push: {text}")
        print(
            f"load generator CPU: {r['cpu']:.0f} core-seconds over {r['wall']:.0f} s = "
            f"{100 * r['cpu'] / (r['wall'] * cores):.0f}% of the machine's {cores} cores; "
            f"app + nginx: {r['server_cpu']:.0f} core-seconds "
            f"({100 * r['server_cpu'] / (r['wall'] * cores):.0f}%); "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
        print(
            f"memory with every stream open: nginx+nchan {r['memory']['nginx']:.0f} MB, "
            f"gunicorn (3 workers) {r['memory']['app']:.0f} MB"
        )
        print("where the time goes (CPU per phase, from /proc):")
        for line in r["phases"]:
            print("  " + line)
        sizes = r["sizes"]
        message = r["stream_bytes"] / max(1, r["messages"])
        polling_kb, push_kb = data_per_phone(sizes, message)
        print(
            f"wire: poll with nothing new {sizes['request']} B sent + {sizes['unchanged']} B "
            f"received (status {sizes['status']}), with the region {sizes['region']} B; a stream "
            f"message {message:.0f} B on average"
        )
        print(
            f"data per phone, 90-minute meeting ({CHANGES} changes, {SHAPE_CHANGES} of them "
            f"reshaping the region, +{BROWSER_HEADERS} B of browser headers a request): polling "
            f"{polling_kb:.0f} KB ({MEETING_SECONDS} requests), push {push_kb:.0f} KB "
            f"({1 + SHAPE_CHANGES + MEETING_SECONDS // 30} requests + 1 stream)"
        )
        poll_p95 = "n/a"
        if not args.skip_polling:
            print(
                f"polling: {args.polling_phones} phones in {args.polling_meetings} meetings "
                f"(the polling scale: at {args.phones} phones polling cannot keep up)"
            )
            pp95, plost, pdoubled = polling_run(args, tmp)
            lost, doubled = lost + plost, doubled + pdoubled
            poll_p95 = f"{pp95:.2f}" if pp95 is not None else "n/a"
            print(
                f"polling: change-to-visible p95 {poll_p95} s at {args.polling_phones} phones "
                f"in {args.polling_meetings} meetings"
            )
        print(
            f"peak: {r['phones']} phones in {args.meetings} meetings, push p95 {p95:.2f} s, "
            f"polling p95 {poll_p95} s, lost {lost}, doubled {doubled}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
