"""Time `flask seed-demo --members 55795` (the full reference province) on a fresh database.

Usage: .venv/bin/python bench/seed_full.py [--members N] [--database-url URL]
Prints the wall time and the resulting counts. Target (issue 2): under one minute.
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
    parser.add_argument("--members", type=int, default=55795)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": url}
        flask = [sys.executable, "-m", "flask", "--app", "app:create_app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        result = subprocess.run(
            [*flask, "seed-demo", "--members", str(args.members)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
    print(result.stdout.strip())
    print(f"seed-demo --members {args.members}: {elapsed:.1f} s wall (process start included)")
    print("target: < 60 s ->", "OK" if elapsed < 60 else "TOO SLOW")


if __name__ == "__main__":
    main()
