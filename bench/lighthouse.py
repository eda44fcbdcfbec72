"""Lighthouse 12.2.3 (mobile settings) with Debian Chromium on the main pages; prints the scores
and the bytes each page costs on a first visit and on a repeat visit with the service worker warm.

Usage: .venv/bin/python bench/lighthouse.py
Installs Lighthouse into bench/.lighthouse on first use (npm; version 13 needs a newer Node;
LIGHTHOUSE_DIR points at another install), serves the app with gunicorn like `make run` on a
fresh seeded database (handbook imported, an ongoing meeting in the demo member's cell with a
document), logs in as the demo member and audits: login, home, a handbook chapter and the
member's meeting view, each LH_RUNS times (default 3; scores of the median run). Targets
(issue 6): Accessibility 100, Performance >= 95, Best Practices >= 95; at most 150 KB on a
first visit (empty cache) and 20 KB on a repeat visit.

Bytes are counted by the server itself (bench/_measured_app.py: status line, headers and the
body as sent, compressed when it is), for every request of the visit, the service worker's
included: Chromium (Playwright) opens the page in a fresh profile, waits until the network is
quiet and the worker has installed, then opens the page again. htmx is served locally
(USE_HTMX_CDN=0) so that its bytes are counted too.
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
LH_DIR = Path(os.environ.get("LIGHTHOUSE_DIR", ROOT / "bench" / ".lighthouse"))
LH_BIN = LH_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
MEMBER = ("52900003", "dang-vien-demo-2026")
RUNS = int(os.environ.get("LH_RUNS", "3"))  # scores are the median run


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
    subprocess.run(
        [sys.executable, "-c", MEETING_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True
    )


# An ongoing meeting of the demo member's cell with one document, as a secretary leaves it.
MEETING_SCRIPT = """
from datetime import timedelta
from sqlalchemy import select
from app import create_app
from blueprints.meetings import services as sv
from blueprints.meetings.models import Document, Meeting, MeetingStatus
from blueprints.members.models import Member
from core.extensions import db
from core.models import utcnow

app = create_app()
with app.test_request_context():
    member = db.session.scalar(select(Member).where(Member.card_number == "%s"))
    meeting = Meeting(cell_id=member.cell_id, kind="regular", topic="Sinh hoạt chi bộ tháng 12",
                      place="Nhà văn hóa thôn", starts_at=utcnow() - timedelta(minutes=5),
                      chair_id=member.id, clerk_id=member.id)
    db.session.add(meeting)
    sv.apply_template(meeting)
    db.session.flush()
    sv.sync_attendance(meeting)
    db.session.add(Document(meeting_id=meeting.id, item_id=meeting.items[2].id,
                            filename="nghi-quyet.pdf", content_type="application/pdf",
                            data=b"%PDF-1.4\\n" + b"0" * 20000 + b"\\n%%EOF\\n", size=20012))
    meeting.status = MeetingStatus.ONGOING
    meeting.started_at = utcnow()
    meeting.current_item_id = meeting.items[0].id
    db.session.commit()
""".replace("%s", MEMBER[0])


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
    """Pages to audit: login, home, the first handbook chapter and the member's meeting view."""
    pages = {"login": "/login", "home": "/"}
    request = urllib.request.Request(base + "/", headers={"Cookie": cookie})
    home = urllib.request.urlopen(request).read().decode()
    request = urllib.request.Request(base + "/handbook/", headers={"Cookie": cookie})
    toc = urllib.request.urlopen(request).read().decode()
    chapter = re.search(r'class="toc-title" href="(/handbook/[a-z0-9-]+)"', toc)
    if chapter:
        pages["chapter"] = chapter.group(1)
    meeting = re.search(r'href="(/meetings/\d+/live)"', home) or re.search(
        r'href="(/meetings/\d+)"', home
    )
    if meeting:
        pages["meeting"] = meeting.group(1)
    return pages


# Requests that save meeting documents for offline reading in the background (not the page).
SAVING = re.compile(r"^/pwa/offline/|^/meetings/\d+/documents/")


def _bytes_since(log: Path, mark: int, path: str) -> tuple[int, int, list[str]]:
    """Bytes of the page and its service worker, and bytes saved for offline, since `mark`."""
    lines = log.read_text(encoding="utf-8").splitlines()[mark:]
    page = saving = 0
    for line in lines:
        size, _method, url = line.split(maxsplit=2)
        background = SAVING.search(url) or (re.fullmatch(r"/meetings/\d+", url) and url != path)
        if background:
            saving += int(size)
        else:
            page += int(size)
    return page, saving, lines


def _log_mark(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def _settle(page, quiet_ms: int = 1500) -> None:
    """Wait until the page has loaded and nothing more is requested for a while."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(quiet_ms)


def transfer(base: str, path: str, cookie: str | None, log: Path, tmp: str) -> tuple[int, int, int]:
    """Bytes of a first visit (fresh profile), of a repeat visit with the worker warm, and of
    what the first visit saved for offline reading in the background."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(dir=tmp),
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            viewport={"width": 360, "height": 740},
            locale="vi-VN",
        )
        try:
            if cookie:
                name, _, value = cookie.partition("=")
                context.add_cookies([{"name": name, "value": value, "url": base}])
            page = context.pages[0] if context.pages else context.new_page()
            mark = _log_mark(log)
            page.goto(base + path)
            page.evaluate("() => navigator.serviceWorker.ready")
            _settle(page)
            first, saved, lines = _bytes_since(log, mark, path)
            if os.environ.get("BENCH_VERBOSE"):
                print("   first:", *lines, sep="\n    ")
            mark = _log_mark(log)
            page.goto(base + path)
            _settle(page)
            repeat, saved_again, lines = _bytes_since(log, mark, path)
            if os.environ.get("BENCH_VERBOSE"):
                print("   repeat:", *lines, sep="\n    ")
        finally:
            context.close()
    return first, repeat + saved_again, saved


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
    for attempt in range(3):  # Chrome sometimes fails to start on a busy machine
        if subprocess.run(cmd, env=env, capture_output=True).returncode == 0:
            break
        if attempt == 2:
            raise RuntimeError(f"Lighthouse failed three times on {url}")
    return json.loads(out.read_text())


def median_audit(url: str, cookie: str | None, out: Path, runs: int) -> dict:
    """The report of median performance over `runs` runs (Lighthouse varies with CPU load)."""
    reports = [audit(url, cookie, out.with_suffix(f".{i}.json")) for i in range(runs)]
    reports.sort(key=lambda r: r["categories"]["performance"]["score"])
    return reports[len(reports) // 2]


def main() -> None:
    ensure_lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "bytes.log"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/lh.sqlite3",
            "USE_HTMX_CDN": "0",
            "BENCH_BYTES_LOG": str(log),
        }
        prepare_database(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                "3",
                "--bind",
                f"127.0.0.1:{port}",
                "bench._measured_app:app",
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
            print(
                f"{'page':8} {'perf':>5} {'a11y':>5} {'best':>5} {'LH KB':>6} "
                f"{'first KB':>9} {'repeat KB':>9} {'saved KB':>8}  url"
            )
            for name, path in discover(base, cookie).items():
                page_cookie = None if name == "login" else cookie
                out = Path(os.environ.get("BENCH_REPORTS", tmp)) / f"{name}.json"
                report = median_audit(base + path, page_cookie, out, RUNS)
                scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
                weight = report["audits"]["total-byte-weight"]["numericValue"] / 1024
                first, repeat, saved = transfer(base, path, page_cookie, log, tmp)
                print(
                    f"{name:8} {scores['performance']:>5} {scores['accessibility']:>5} "
                    f"{scores['best-practices']:>5} {weight:>6.1f} {first / 1024:>9.1f} "
                    f"{repeat / 1024:>9.1f} {saved / 1024:>8.1f}  {path}"
                )
                if os.environ.get("BENCH_VERBOSE"):
                    for audit_id, item in report["audits"].items():
                        if item.get("score") is not None and item["score"] < 0.9:
                            print(f"   {audit_id}: {item['score']} {item.get('displayValue', '')}")
        finally:
            server.terminate()
            server.wait(10)
    print("targets: accessibility 100, performance >= 95, best practices >= 95;")
    print("         first visit <= 150 KB, repeat visit with the service worker warm <= 20 KB")


if __name__ == "__main__":
    main()
