"""Time `flask seed-demo` at full size on a fresh database.

Usage: .venv/bin/python bench/seed_full.py [--members N] [--database-url URL]
`--members 55795` is the 2024 reference province (the default), `--members 92000` the merged
Quảng Ngãi of 2025 (96 commune-level units); `--members both` runs one after the other.
Prints the wall time and the resulting counts. Target (issue 2): under one minute each.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", default="55795", help="a number, or 'both'")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sizes = [55795, 92000] if args.members == "both" else [int(args.members)]
    for members in sizes:
        _run(members, args.database_url)


def _run(members: int, database_url: str) -> None:
    """Migrate a fresh database, seed `members` and print the timing."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": url}
        flask = [sys.executable, "-m", "flask", "--app", "app:create_app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        result = subprocess.run(
            [*flask, "seed-demo", "--members", str(members)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
    print(result.stdout.strip())
    print(f"seed-demo --members {members}: {elapsed:.1f} s wall (process start included)")
    print("target: < 60 s ->", "OK" if elapsed < 60 else "TOO SLOW")


if __name__ == "__main__":
    main()
