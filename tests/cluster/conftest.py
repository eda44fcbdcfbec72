"""A loopback cluster for the push-gateway tests: Redis, two gunicorn hosts on one SQLite
database (WAL) with the same SECRET_KEY, and an nginx+nchan in front of each host, both using
Redis as nchan's shared store (deploy/cluster.py builds the configs). Skipped, saying what to
install, where nginx, its nchan module or redis-server is missing."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench._common import SECRET, free_port, prepare
from bench.live_meetings import codes_and_items, cookies_with_csrf
from core.extensions import limiter
from deploy import cluster


def pytest_collection_modifyitems(items):
    missing = cluster.missing_tools()
    if not missing:
        return
    reason = "push gateway not installed: " + ", ".join(missing)
    for item in items:
        if "tests/cluster" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Host:
    name: str
    port: int  # nginx (what phones talk to)
    app_port: int
    pub_port: int
    app: object = None  # gunicorn master's Popen
    nginx: object = None


@dataclass
class Cluster:
    directory: Path
    db_path: str
    ids: dict
    creds: dict
    codes: dict
    items: dict
    hosts: dict = field(default_factory=dict)
    procs: list = field(default_factory=list)

    def env(self, host: Host) -> dict:
        return cluster.app_env(f"sqlite:///{self.db_path}", SECRET, host.pub_port)

    def code(self, meeting_id: int) -> str:
        """The check-in code on the console now (it changes every minute)."""
        from bench.peak import code_now, meeting_secrets

        return code_now(meeting_id, meeting_secrets(self.db_path)[meeting_id])

    def start_app(self, host: Host) -> None:
        host.app = cluster.start_app(host.app_port, self.env(host), self.directory, workers=2)
        self.procs.append(host.app)


class SSE:
    """A phone's EventSource, minimal: one GET through nginx, `data:` lines as JSON messages."""

    def __init__(self, port: int, meeting_id: int, cookie: str):
        self.messages: queue.Queue = queue.Queue()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        request = (
            f"GET /push/meeting/{meeting_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline().decode()
        self.status = int(status.split()[1])
        while self.file.readline() not in (b"\r\n", b""):
            pass
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        data = []
        try:
            for raw in self.file:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "" and data:
                    try:
                        self.messages.put(json.loads("\n".join(data)))
                    except ValueError:
                        pass
                    data = []
        except OSError:
            pass

    def wait_for(self, predicate, timeout: float = 20):
        """The first message satisfying `predicate` (older ones are dropped)."""
        while True:
            message = self.messages.get(timeout=timeout)
            if predicate(message):
                return message

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def push_cluster(tmp_path_factory, app):
    directory = tmp_path_factory.mktemp("cluster")
    db_path = str(directory / "cluster.sqlite3")
    saved = dict(os.environ)  # the bench helpers set DATABASE_URL for their own app
    try:
        ids = prepare(db_path, cells=2, members_per_cell=6)
        creds = cookies_with_csrf(db_path, list(ids["users"].values()))
        codes, items = codes_and_items(db_path, ids["meetings"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
        # prepare() built its own app in this process, and the limiter is one object shared by
        # every app: give it back to the suite's app (its check-in counters live there).
        limiter.init_app(app)
    c = Cluster(directory, db_path, ids, creds, codes, items)
    redis_port = free_port()
    c.procs.append(cluster.start_redis(redis_port, directory))
    ports = {name: (free_port(), free_port(), free_port()) for name in ("a", "b")}
    for name, (port, app_port, pub_port) in ports.items():
        c.hosts[name] = Host(name, port, app_port, pub_port)
    try:
        for name, host in c.hosts.items():
            c.start_app(host)
            other = next(h.app_port for h in c.hosts.values() if h is not host)
            conf = cluster.render_nginx(
                directory, name, host.port, host.pub_port, host.app_port, other, redis_port
            )
            host.nginx = cluster.start_nginx(conf, directory, host.port)
            c.procs.append(host.nginx)
        yield c
    finally:
        for proc in reversed(c.procs):
            cluster.stop_pid(proc.pid)
