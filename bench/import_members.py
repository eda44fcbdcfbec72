"""Benchmark: import 55.795 members from one .xlsx into a fresh SQLite database.

Run from the project root:  .venv/bin/python bench/import_members.py [--rows N] [--keep]

It builds a province of 17 committees and ~2.500 cells, writes a 55.795-row workbook with
openpyxl, then times the same path as the web job and `flask members import`: reading the
file, checking every row against the database, and applying the plan in one transaction.
A second run of the same file (re-import, everything unchanged) is timed too. Target: the
first import in ≤ 30 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE = "Văn Thị Đức Minh Quốc Thanh Ngọc Hữu Xuân Kim".split()
GIVEN = "An Anh Bình Châu Dũng Đạt Hà Hải Hạnh Hoa Hùng Khánh Lan Long Mai Nam Phúc Sơn Tâm Tuấn Yến".split()  # noqa: E501


def build_province(db, unit_cls, kinds, cells_total: int) -> list[str]:
    root = unit_cls.create("QN", "Tỉnh ủy Quảng Ngãi", kinds.PROVINCE, None)
    codes = []
    per_committee = cells_total // 17 + 1
    for d in range(17):
        committee = unit_cls.create(f"H{d:02}", f"Huyện ủy số {d + 1}", kinds.COMMITTEE, root)
        for g in range(per_committee // 10 + 1):
            grassroots = unit_cls.create(
                f"X{d:02}{g:02}", f"Đảng bộ xã {g + 1}", kinds.GRASSROOTS, committee
            )
            for c in range(10):
                if len(codes) >= cells_total:
                    break
                code = f"CB{d:02}{g:02}{c}"
                unit_cls.create(code, f"Chi bộ thôn {c + 1}", kinds.CELL, grassroots)
                codes.append(code)
    db.session.commit()
    return codes


def write_workbook(path: Path, rows: int, cells: list[str]) -> None:
    from openpyxl import Workbook

    from blueprints.roster.reading import MEMBER_HEADERS

    rng = random.Random(1930)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(MEMBER_HEADERS)
    for i in range(rows):
        year = rng.randint(1940, 1998)
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        sheet.append([
            f"{52000000 + i}",
            name,
            f"{rng.randint(1, 28):02}/{rng.randint(1, 12):02}/{year}",
            rng.choice(("Nam", "Nữ")),
            f"09{rng.randint(10000000, 99999999)}",
            cells[i % len(cells)],
            f"{rng.randint(1, 28):02}/{rng.randint(1, 12):02}/{year + rng.randint(19, 25)}",
            "",
            rng.choice(("Chính thức",) * 9 + ("Dự bị",)),
        ])  # fmt: skip
    book.save(path)
    _add_dimension(path, f"A1:I{rows + 1}")


def _add_dimension(path: Path, ref: str) -> None:
    """Add the <dimension> element Excel and LibreOffice always write (openpyxl's write-only
    mode leaves it out, which makes every reader scan the sheet twice)."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, content in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetPr>", f'</sheetPr><dimension ref="{ref}"/>'.encode(), 1
                )
            dst.writestr(info, content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=55_795)
    parser.add_argument("--cells", type=int, default=2_500)
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["DATABASE_URL"] = "sqlite:///" + str(folder / "bench.sqlite3")

    from app import create_app
    from blueprints.roster.analyse_members import analyse_members
    from blueprints.roster.importer import apply_plan
    from blueprints.roster.reading import read_sheet
    from blueprints.units.models import Unit, UnitKind
    from core.extensions import db

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        cells = build_province(db, Unit, UnitKind, args.cells)
        xlsx = folder / "dang-vien.xlsx"
        started = time.perf_counter()
        write_workbook(xlsx, args.rows, cells)
        print(f"workbook: {args.rows:,} rows, {xlsx.stat().st_size / 1e6:.1f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")  # fmt: skip
        root = db.session.scalar(db.select(Unit).where(Unit.parent_id.is_(None)))
        for label in ("first import", "re-import"):
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            sheet = read_sheet(xlsx.read_bytes(), xlsx.name, "members")
            t1 = time.perf_counter()
            plan = analyse_members(sheet, root)
            t2 = time.perf_counter()
            apply_plan(plan)
            db.session.commit()
            t3 = time.perf_counter()
            print(
                f"{label}: read {t1 - t0:.1f} s, check {t2 - t1:.1f} s, write {t3 - t2:.1f} s, "
                f"total {t3 - t0:.1f} s (CPU {time.process_time() - cpu0:.1f} s) — {plan.counts}"
            )
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.keep:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
