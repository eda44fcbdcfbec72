"""Backups that restore: the whole database (uploads and minutes live in it) in one file.

SQLite is copied with its online backup API (a consistent copy while workers keep writing);
PostgreSQL with `pg_dump -Fc`. Files go to BACKUP_DIR with mode 0600, named by the UTC moment
(`sotay-20261201-0200.sqlite3` / `.pgdump`), optionally encrypted with BACKUP_KEY (AES-256-GCM
in 1 MiB chunks, each bound to its position so chunks cannot be reordered or cut off; `.enc`
is appended). Rotation keeps the newest file of each of the last 7 days, 4 weeks and 12 months
(BACKUP_KEEP). `restore` refuses a database that already has tables: it is for an empty one.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.extensions import db
from core.filemodes import private_dir
from core.jobs import periodic

log = logging.getLogger(__name__)

MAGIC = b"SOTAYBK1"
CHUNK = 1024 * 1024
_NAME = "sotay-%Y%m%d-%H%M%S"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _key() -> bytes | None:
    text = current_app.config.get("BACKUP_KEY")
    if not text:
        return None
    key = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    if len(key) != 32:
        raise BackupError("BACKUP_KEY must be 32 bytes in base64url (see `flask backup-key`).")
    return key


def new_key() -> str:
    """A fresh random key for BACKUP_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def _libpq_url() -> str:
    url = make_url(db.engine.url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _client(program: str) -> str:
    path = shutil.which(program)
    if not path:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        )
    return path


def _dump(target: Path) -> None:
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    done = subprocess.run(  # noqa: S603 - our program and arguments, no user input
        [_client("pg_dump"), "-Fc", "--no-owner", "--file", str(target), _libpq_url()],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError("pg_dump failed: " + done.stderr.strip()[-500:])


def _encrypt(plain: Path, sealed: Path, key: bytes) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    with plain.open("rb") as src, sealed.open("wb") as out:
        out.write(MAGIC)
        index = 0
        while True:
            chunk = src.read(CHUNK)
            last = len(chunk) < CHUNK
            nonce = os.urandom(12)
            # The chunk's number and whether it is the last are authenticated with it.
            sealed_chunk = aes.encrypt(nonce, chunk, struct.pack(">Q?", index, last))
            out.write(nonce + struct.pack(">I", len(sealed_chunk)) + sealed_chunk)
            index += 1
            if last:
                return


def _decrypt(sealed: Path, plain: Path, key: bytes) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    with sealed.open("rb") as src, plain.open("wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("Not an encrypted backup of this app.")
        index = 0
        while True:
            head = src.read(16)
            if len(head) < 16:
                raise BackupError("The backup file is cut off.")
            size = struct.unpack(">I", head[12:])[0]
            body = src.read(size)
            more = src.read(1)
            if more:
                src.seek(-1, os.SEEK_CUR)
            last = not more
            try:
                chunk = aes.decrypt(head[:12], body, struct.pack(">Q?", index, last))
            except InvalidTag:
                raise BackupError("Wrong BACKUP_KEY, or the backup file was changed.") from None
            out.write(chunk)
            index += 1
            if last:
                return


def backup_dir() -> Path:
    """The backup folder (created 0700)."""
    return private_dir(current_app.config["BACKUP_DIR"])


def make_backup(now: datetime | None = None) -> Path:
    """Write one backup file and return its path (mode 0600)."""
    now = now or datetime.now(UTC)
    folder = backup_dir()
    suffix = ".sqlite3" if db.engine.dialect.name == "sqlite" else ".pgdump"
    name = now.strftime(_NAME) + suffix
    key = _key()
    with tempfile.TemporaryDirectory(dir=folder) as work:
        raw = Path(work) / name
        _dump(raw)
        os.chmod(raw, 0o600)
        final = folder / (name + (".enc" if key else ""))
        if key:
            _encrypt(raw, Path(work) / "sealed", key)
            raw = Path(work) / "sealed"
        os.chmod(raw, 0o600)
        os.replace(raw, final)  # appears whole or not at all
    return final


def backups() -> list[Path]:
    """Backup files, newest first."""
    return sorted(backup_dir().glob("sotay-*"), reverse=True)


def _moment(path: Path) -> datetime:
    return datetime.strptime(path.name[: len("sotay-20261201-020000")], _NAME)


def rotate(keep: tuple[int, ...] | None = None) -> list[Path]:
    """Delete backups outside the daily / weekly / monthly windows; the deleted files."""
    daily, weekly, monthly = (*(keep or current_app.config["BACKUP_KEEP"]), 7, 4, 12)[:3]
    kept: set[Path] = set()
    for count, bucket in (
        (daily, lambda d: d.strftime("%Y-%m-%d")),
        (weekly, lambda d: "{}-{:02d}".format(*d.isocalendar()[:2])),
        (monthly, lambda d: d.strftime("%Y-%m")),
    ):
        seen: list[str] = []
        for path in backups():  # newest first: the newest of each period is kept
            label = bucket(_moment(path))
            if label in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(label)
            kept.add(path)
    removed = [p for p in backups() if p not in kept]
    for path in removed:
        path.unlink()
    return removed


def last_backup_age() -> float | None:
    """Seconds since the newest backup was written, or None if there is none."""
    files = backups()
    if not files:
        return None
    return max(0.0, datetime.now(UTC).timestamp() - files[0].stat().st_mtime)


def restore(path: Path) -> None:
    """Load a backup file into the configured database, which must have no tables yet."""
    if not path.is_file():
        raise BackupError(f"No such file: {path}")
    if inspect(db.engine).get_table_names():
        raise BackupError("The database already has tables: restore into an empty database.")
    db.session.remove()
    with tempfile.TemporaryDirectory() as work:
        plain = path
        if path.name.endswith(".enc"):
            key = _key()
            if not key:
                raise BackupError("This backup is encrypted: set BACKUP_KEY.")
            plain = Path(work) / "plain"
            _decrypt(path, plain, key)
        _load(plain)


def _load(plain: Path) -> None:
    if db.engine.dialect.name == "sqlite":
        with plain.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError("This is not a SQLite backup.")
        db.engine.dispose()
        target = Path(db.engine.url.database)
        shutil.copyfile(plain, target)
        os.chmod(target, 0o600)
        check = sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError("The restored database fails its integrity check: " + check)
        return
    done = subprocess.run(  # noqa: S603 - our program and arguments, no user input
        [
            _client("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            _libpq_url(),
            str(plain),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError("pg_restore failed: " + done.stderr.strip()[-500:])


@periodic(hour="2", minute="0")
def nightly_backup() -> None:
    """The nightly backup and rotation (the consumer schedules it)."""
    path = make_backup()
    rotate()
    log.info("backup written: %s", path.name)
