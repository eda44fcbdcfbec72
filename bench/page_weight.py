"""Weight of the HTML of the pages members open most: raw bytes and gzip/brotli sizes.

Usage: .venv/bin/python bench/page_weight.py

Builds the demo province and the handbook in a temporary SQLite database, logs in as the demo
member and fetches every handbook chapter, the handbook index, home, news, documents and the
member's meeting page. Issue 4's goal: a chapter page's HTML ≤ 30 KB compressed. The app
itself leaves HTML uncompressed (BREACH: pages carry the CSRF token beside reflected input);
the compressed figure is what a reverse proxy or the transfer would carry if enabled, and the
raw figure is what the phone receives from the app as configured.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT = 30 * 1024


def _brotli(data: bytes) -> int | None:
    try:
        import brotli
    except ImportError:
        return None
    return len(brotli.compress(data))


def main() -> None:
    folder = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/weight.sqlite3"
    from app import create_app
    from blueprints.handbook.models import Article, Kind, Status
    from blueprints.meetings.models import Meeting
    from core.extensions import db

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["handbook", "import", str(ROOT / "content" / "handbook")])
    client = app.test_client()
    client.post("/login", data={"login": "52900003", "password": "dang-vien-demo-2026"})
    with app.app_context():
        slugs = db.session.scalars(
            db.select(Article.slug)
            .where(Article.kind == Kind.CHAPTER, Article.status == Status.PUBLISHED)
            .order_by(Article.position)
        ).all()
        meeting_id = db.session.scalar(db.select(Meeting.id).order_by(Meeting.starts_at.desc()))
    pages = ["/", "/handbook/", "/news/", "/documents/", f"/meetings/{meeting_id}"]
    pages += [f"/handbook/{slug}" for slug in slugs]
    print(f"{'page':44} {'raw':>8} {'gzip':>8} {'brotli':>8}")
    worst = 0
    for path in pages:
        response = client.get(path)
        body = response.get_data()
        packed = len(gzip.compress(body, 6))
        br = _brotli(body)
        if path.startswith("/handbook/") and path != "/handbook/":
            worst = max(worst, packed)
        print(
            f"{path[:44]:44} {len(body) / 1024:7.1f}K {packed / 1024:7.1f}K "
            f"{(br or 0) / 1024:7.1f}K  {response.status_code}"
        )
    verdict = "met" if worst <= LIMIT else "NOT met"
    print(f"largest chapter page, gzip: {worst / 1024:.1f} KB (goal ≤ 30 KB: {verdict})")


if __name__ == "__main__":
    main()
