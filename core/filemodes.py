"""Private files: the instance folder (0700), its secret key and SQLite files (0600).

The secret key signs every session and the SQLite file holds the whole roster, so no other
account on the machine may read them. Modes are set explicitly after creation, whatever the
process umask is; files owned by someone else are left alone (a read-only deployment).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _restrict(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


def private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and parents) if needed and make it readable by its owner only."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _restrict(folder, PRIVATE_DIR)
    return folder


def write_private(path: Path, text: str) -> None:
    """Create `path` with `text`, readable by its owner only from the first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # the umask may have taken bits away; 0600 exactly
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def private_file(path: str | os.PathLike) -> None:
    """Make an existing file readable by its owner only."""
    _restrict(Path(path), PRIVATE_FILE)


def private_sqlite(database: str) -> None:
    """Restrict a SQLite database and its journal files (SQLite gives new WAL/SHM files the
    database file's mode, so restricting the database first covers them as they appear)."""
    for suffix in SQLITE_COMPANIONS:
        _restrict(Path(database + suffix), PRIVATE_FILE)
