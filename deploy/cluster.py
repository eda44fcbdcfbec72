"""The scaled-out form on loopback: `make cluster` / `make cluster-stop`.

    python deploy/cluster.py start | stop | status

Two "hosts" on one machine, each an nginx with the nchan module in front of its own gunicorn
(same SECRET_KEY, same PostgreSQL database `sotay_cluster`), and one Redis that both nchans
use as their shared store, so a change published on host A reaches a phone listening on host B.
Each nginx sends app requests to its own gunicorn, and to the other host's when its own is
down. Everything is from Debian (nginx-light, libnginx-mod-nchan, redis-server, postgresql)
and PyPI (gunicorn); files, logs and pids live under instance/cluster/.

    host A: http://127.0.0.1:8101  (gunicorn 8111, publishes to 127.0.0.1:8191)
    host B: http://127.0.0.1:8102  (gunicorn 8112, publishes to 127.0.0.1:8192)
    Redis:  127.0.0.1:8179

The helpers (render_nginx, start_nginx, start_redis, start_app, missing_tools) are also used
by tests/cluster/test_cluster.py and bench/peak.py with their own ports and directories.
"""

from __future__ import annotations

import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "nchan.conf.in"
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
VENV_BIN = Path(sys.executable).parent
DIR = ROOT / "instance" / "cluster"
DATABASE = "sotay_cluster"
PG_ADMIN_URL = os.environ.get(
    "CLUSTER_PG_URL", "postgresql+psycopg://sotay:sotay@127.0.0.1:5432/postgres"
)
HOSTS = {"a": (8101, 8111, 8191), "b": (8102, 8112, 8192)}
REDIS_PORT = 8179


def missing_tools() -> list[str]:
    """What of nginx, its nchan module and redis-server is not installed (empty: all there)."""
    missing = []
    if not shutil.which("nginx"):
        missing.append("nginx (apt-get install nginx-light)")
    if not NCHAN_MODULE.exists():
        missing.append("nchan (apt-get install libnginx-mod-nchan)")
    if not shutil.which("redis-server"):
        missing.append("redis-server (apt-get install redis-server)")
    return missing


def render_nginx(
    directory: Path,
    name: str,
    port: int,
    pub_port: int,
    app_port: int,
    other_app_port: int,
    redis_port: int | None = None,
    workers: int = 1,
    connections: int = 4096,
    access_log: str = "off",
) -> Path:
    """Write the nginx config of one host from the template; returns its path."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / f"tmp-{name}" / sub).mkdir(parents=True, exist_ok=True)
    values = {
        "NAME": name,
        "DIR": str(directory),
        "PORT": str(port),
        "PUB_PORT": str(pub_port),
        "APP_PORT": str(app_port),
        "OTHER_APP_PORT": str(other_app_port),
        "WORKERS": str(workers),
        "CONNECTIONS": str(connections),
        # Within the hard limit: a container may not raise it (no CAP_SYS_RESOURCE).
        "NOFILE": str(min(connections * 2, resource.getrlimit(resource.RLIMIT_NOFILE)[1])),
        "ACCESS_LOG": access_log,
        "REDIS": (
            f"upstream nchan_redis {{ nchan_redis_server redis://127.0.0.1:{redis_port}; }}"
            if redis_port
            else ""
        ),
        "USE_REDIS": "nchan_redis_pass nchan_redis;" if redis_port else "",
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    path = directory / f"nginx-{name}.conf"
    path.write_text(text)
    return path


def _wait_port(port: int, path: str = "/", seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def _started(proc: subprocess.Popen, port: int, path: str) -> None:
    """Wait until the process answers; stop it (never leave it behind) if it does not."""
    try:
        _wait_port(port, path)
    except RuntimeError:
        stop_pid(proc.pid)
        raise


def start_nginx(conf: Path, directory: Path, wait_port: int) -> subprocess.Popen:
    """nginx in the foreground of its own session (stopped by `stop`)."""
    log = open(directory / f"{conf.stem}.out", "ab")
    proc = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(directory),
            "-e",
            str(directory / f"{conf.stem}.error.log"),
            "-c",
            str(conf),
        ],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    _started(proc, wait_port, "/")
    return proc


def start_redis(port: int, directory: Path) -> subprocess.Popen:
    """A throwaway Redis (no persistence) for nchan's shared store and the app's caches."""
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--maxclients",
            "10000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 15
    import socket

    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"redis-server on port {port} did not start")


def app_env(database_url: str, secret: str, pub_port: int | None, redis_port=None) -> dict:
    """The environment of one app host."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret, FLASK_APP="app:create_app")
    env.pop("REDIS_URL", None)
    if redis_port:
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/1"
    if pub_port:
        env["NCHAN_PUBLISH_URL"] = f"http://127.0.0.1:{pub_port}/pub/meeting"
        env["NCHAN_SUBSCRIBE_URL"] = "/push/meeting"
    return env


def start_app(port: int, env: dict, directory: Path, workers: int = 3) -> subprocess.Popen:
    """gunicorn as `make run` starts it, on its own port and session."""
    log = open(directory / f"gunicorn-{port}.log", "ab")
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    _started(proc, port, "/healthz")
    return proc


def stop_pid(pid: int, seconds: float = 10) -> None:
    """Stop one process we started (by its id): TERM, then KILL if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _database_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def _ensure_database() -> None:
    """PostgreSQL's existing cluster (started if it is not), and the database sotay_cluster."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        conn = engine.connect()
    except Exception:  # noqa: BLE001 - not running: start Debian's cluster, then retry
        version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
        subprocess.run(["pg_ctlcluster", version, "main", "start"], check=False)
        time.sleep(2)
        conn = engine.connect()
    with conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}):
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    env = app_env(_database_url(), "x", None)
    flask = str(VENV_BIN / "flask")
    for args in (["db", "upgrade"], ["seed-demo"], ["handbook", "import", "content/handbook"]):
        subprocess.run([flask, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start() -> None:
    """Start PostgreSQL's database, Redis, two app hosts and their nginx+nchan."""
    missing = missing_tools()
    if missing:
        sys.exit("Missing: " + ", ".join(missing))
    if (DIR / "pids").exists():
        sys.exit("The cluster seems to be running already: make cluster-stop first.")
    DIR.mkdir(parents=True, exist_ok=True)
    secret_file = DIR / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(32))
        secret_file.chmod(0o600)
    secret = secret_file.read_text().strip()
    _ensure_database()
    pids = [start_redis(REDIS_PORT, DIR).pid]
    (DIR / "pids").write_text("\n".join(map(str, pids)))
    ports = [p[1] for p in HOSTS.values()]
    for name, (port, app_port, pub_port) in HOSTS.items():
        env = app_env(_database_url(), secret, pub_port, REDIS_PORT)
        pids.append(start_app(app_port, env, DIR).pid)
        (DIR / "pids").write_text("\n".join(map(str, pids)))
        other = next(p for p in ports if p != app_port)
        conf = render_nginx(DIR, name, port, pub_port, app_port, other, REDIS_PORT)
        pids.append(start_nginx(conf, DIR, port).pid)
        (DIR / "pids").write_text("\n".join(map(str, pids)))
    print("Cluster up: host A http://127.0.0.1:8101, host B http://127.0.0.1:8102")
    print(f"(gunicorn 8111/8112, Redis {REDIS_PORT}, database {DATABASE}; logs in {DIR})")


def stop() -> None:
    """Stop every process `start` started, newest first, by the ids it wrote down."""
    pid_file = DIR / "pids"
    if not pid_file.exists():
        print("No cluster running.")
        return
    for pid in reversed([int(p) for p in pid_file.read_text().split()]):
        stop_pid(pid)
    pid_file.unlink()
    print("Cluster stopped.")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    else:
        print("running" if (DIR / "pids").exists() else "stopped")
