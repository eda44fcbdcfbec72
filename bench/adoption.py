"""Time the adoption page's figures on the full province (55.795 members, ~2.500 cells).

Usage: .venv/bin/python bench/adoption.py [--members N] [--repeat N]

Seeds the reference province in a temporary SQLite database, gives 70% of the members an
account (half of those logged in, a third installed) and one closed meeting to 60% of the
cells this month, then times `build_report` for the province and for one district.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=55795)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/adoption.sqlite3"
    from sqlalchemy import insert, select

    from app import create_app
    from blueprints.adoption.figures import build_report
    from blueprints.auth.models import User
    from blueprints.meetings.models import Meeting
    from blueprints.members.models import Member
    from blueprints.pwa.models import AppInstall
    from blueprints.units.models import Unit, UnitKind
    from core.extensions import db
    from core.models import utcnow

    app = create_app()
    with app.app_context():
        db.create_all()
        app.test_cli_runner().invoke(args=["seed-demo", "--members", str(args.members)])
        rng = random.Random(7)
        have = set(db.session.scalars(select(User.member_id).where(User.member_id.is_not(None))))
        now = utcnow()
        rows = [
            {
                "member_id": m,
                "password_hash": "x",
                "last_login_at": now if rng.random() < 0.5 else None,
            }
            for m in db.session.scalars(select(Member.id))
            if m not in have and rng.random() < 0.7
        ]
        db.session.execute(insert(User), rows)
        users = db.session.scalars(select(User.id).where(User.last_login_at.is_not(None))).all()
        db.session.execute(
            insert(AppInstall),
            [{"user_id": u, "platform": "android", "source": "standalone"} for u in users[::3]],
        )
        cells = db.session.scalars(select(Unit.id).where(Unit.kind == UnitKind.CELL)).all()
        db.session.execute(
            insert(Meeting),
            [
                {"cell_id": c, "topic": "Định kỳ", "starts_at": now, "started_at": now,
                 "status": "closed", "checkin_secret": "x"}
                for c in cells if rng.random() < 0.6
            ],
        )  # fmt: skip
        db.session.commit()
        province = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        district = province.children[0]
        month = (now.date()).replace(day=1)
        for unit in (province, district):
            times = []
            for _step in range(args.repeat):
                db.session.expire_all()
                started = time.perf_counter()
                report = build_report(unit, month)
                times.append((time.perf_counter() - started) * 1000)
            t = report.total
            print(
                f"{unit.name}: {t.members} members, {t.cells} cells, {t.accounts} accounts, "
                f"{t.installed} installed, {t.cells_met} cells met — "
                f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
            )


if __name__ == "__main__":
    main()
