"""Benchmark: the "nothing changed" poll of a live meeting vs a bare Flask view returning 204.

Both run under gunicorn as `make run` starts it (3 sync workers), in the same run, on
loopback. The meeting app runs on a prepared SQLite database; one member logs in through the
real login form and the load generator reuses that session cookie. Goal (issue 5): the poll
answers at >= 60% of the bare view's requests per second.

    .venv/bin/python bench/live_version.py [--seconds 8] [--connections 16]

Uses `wrk` when installed (apt-get install wrk), else a threaded Python load generator.

Measured (2-core machine shared with another developer, wrk, 5 s rounds, best of 2):
- before (28/11/2026, d94e255): bare 4.582 req/s, poll 4.030 req/s -> 88%;
- after (WAL + no pre-ping on SQLite): bare 4.173 req/s, poll 3.715 req/s -> 89%; with
  `&part=member` as phones now send: bare 5.629, poll 4.560 -> 81% (goal >= 60%).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PASSWORD,
    bench_env,
    free_port,
    prepare,
    start_gunicorn,
    stop,
)


def login(base: str, card: str) -> str:
    """Log in through the form; return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"login": card, "password": PASSWORD, "csrf_token": token})
    opener.open(base + "/login", data.encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str | None, seconds: int, connections: int) -> float:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  warning: {non2xx.group(1)} non-2xx answers from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def threaded(url: str, cookie: str | None, seconds: int, connections: int) -> float:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    count = [0] * connections
    stop_at = time.time() + seconds

    def run(i: int) -> None:
        while time.time() < stop_at:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 204:
                count[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    measure = wrk if shutil.which("wrk") else threaded
    print(f"load generator: {'wrk' if measure is wrk else 'Python threads'}")

    tmp = tempfile.mkdtemp(prefix="bench-live-version-")
    db_path = f"{tmp}/bench.sqlite3"
    ids = prepare(db_path, cells=1, members_per_cell=20, password=True)
    meeting_id = ids["meetings"][0]
    card = "9" + "0000" + "001"  # second member of the first cell (not the secretary)
    env = bench_env(db_path)
    app_port, bare_port = free_port(), free_port()
    app_proc = start_gunicorn("app:create_app()", app_port, env)
    bare_proc = start_gunicorn("bench.bare_app:app", bare_port, env)
    try:
        base = f"http://127.0.0.1:{app_port}"
        cookie = login(base, card)
        probe = urllib.request.Request(
            f"{base}/meetings/{meeting_id}/live/version?v=0", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(probe) as response:
            version = response.read().decode().strip()
        # Exactly what a member's phone sends (meetings.js asks for its region inline).
        url = f"{base}/meetings/{meeting_id}/live/version?v={version}&part=member"
        check = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(check) as response:
            if response.status != 204:
                raise SystemExit(f"unchanged poll answered {response.status}, not 204")
        bare_url = f"http://127.0.0.1:{bare_port}/nothing"
        live_rates, bare_rates = [], []
        for _ in range(args.rounds):
            bare_rates.append(measure(bare_url, None, args.seconds, args.connections))
            live_rates.append(measure(url, cookie, args.seconds, args.connections))
        bare, live = max(bare_rates), max(live_rates)
        print(f"bare Flask 204:            {bare:8.0f} req/s  (rounds: {bare_rates})")
        print(f"live version, unchanged:   {live:8.0f} req/s  (rounds: {live_rates})")
        print(f"ratio: {live / bare:.0%} (goal >= 60%)")
    finally:
        stop(app_proc)
        stop(bare_proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
