"""Lighthouse 12.2.3 (mobile settings) with Debian Chromium on the main pages; prints the scores.

Usage: .venv/bin/python bench/lighthouse.py
Installs Lighthouse into bench/.lighthouse on first use (npm; version 13 needs a newer Node),
serves the app with gunicorn like `make run` on a fresh seeded database, logs in as the demo
member and audits: login, home, a handbook chapter and the member's meeting view (the last two
when those features exist). Targets (issue 6): Accessibility 100, Performance ≥ 95,
Best Practices ≥ 95.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LH_DIR = ROOT / "bench" / ".lighthouse"
LH_BIN = LH_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
MEMBER = ("52900003", "dang-vien-demo-2026")


def ensure_lighthouse() -> None:
    """Install the pinned Lighthouse once."""
    if not LH_BIN.exists():
        LH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(LH_DIR),
                "lighthouse@12.2.3",
            ],
            check=True,
        )


def free_port() -> int:
    """An unused local port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> None:
    """Migrate and seed a fresh database, loading handbook content when the feature exists."""
    flask = [sys.executable, "-m", "flask", "--app", "app:create_app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "seed-demo", "--members", "600"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*flask, "handbook", "import", "content/handbook"], cwd=ROOT, env=env, capture_output=True
    )  # absent before the handbook feature: ignored


def login_cookie(base: str) -> str:
    """Log the demo member in through the form; returns the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"login": MEMBER[0], "password": MEMBER[1], "csrf_token": token}
    ).encode()
    opener.open(base + "/login", data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def discover(base: str, cookie: str) -> dict[str, str]:
    """Pages to audit: fixed ones plus a chapter and a meeting view if the app links them."""
    pages = {"login": "/login", "home": "/"}
    request = urllib.request.Request(base + "/", headers={"Cookie": cookie})
    home = urllib.request.urlopen(request).read().decode()
    chapter = re.search(r'href="(/handbook/[a-z0-9-]+)"', home)
    if not chapter:
        request = urllib.request.Request(base + "/handbook", headers={"Cookie": cookie})
        try:
            toc = urllib.request.urlopen(request).read().decode()
            chapter = re.search(r'href="(/handbook/[a-z0-9-]+)"', toc)
        except OSError:
            chapter = None
    if chapter:
        pages["chapter"] = chapter.group(1)
    meeting = re.search(r'href="(/meetings/\d+(?:/[a-z-]+)?)"', home)
    if meeting:
        pages["meeting"] = meeting.group(1)
    return pages


def audit(url: str, cookie: str | None, out: Path) -> dict:
    """Run Lighthouse once; returns its JSON report."""
    cmd = [
        str(LH_BIN),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=performance,accessibility,best-practices",
    ]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return json.loads(out.read_text())


def main() -> None:
    ensure_lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/lh.sqlite3"}
        prepare_database(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--workers",
                "3",
                "--bind",
                f"127.0.0.1:{port}",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
            cookie = login_cookie(base)
            print(f"{'page':10} {'perf':>5} {'a11y':>5} {'best':>5} {'KB':>6}  url")
            for name, path in discover(base, cookie).items():
                report = audit(
                    base + path, None if name == "login" else cookie, Path(tmp) / f"{name}.json"
                )
                scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
                weight = report["audits"]["total-byte-weight"]["numericValue"] / 1024
                print(
                    f"{name:10} {scores['performance']:>5} {scores['accessibility']:>5} "
                    f"{scores['best-practices']:>5} {weight:>6.1f}  {path}"
                )
        finally:
            server.terminate()
            server.wait(10)
    print("targets: accessibility 100, performance >= 95, best practices >= 95")


if __name__ == "__main__":
    main()
