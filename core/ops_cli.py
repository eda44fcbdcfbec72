"""Operator commands: the job consumer, backups and restore, housekeeping.

flask jobs worker        run the background-job consumer (make run starts it)
flask jobs recover       put interrupted jobs back on the queue now
flask backup             write a backup to BACKUP_DIR and rotate the old ones
flask backup-key         print a new random BACKUP_KEY
flask restore FILE       load a backup into an empty database
flask housekeeping       remove rows that have done their work, with counts
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from core import backup as backups
from core import housekeeping
from core.jobs import recover_all, run_consumer

jobs_cli = AppGroup("jobs", help="Background jobs (Huey).")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run the job consumer until stopped (SIGTERM finishes the running jobs first)."""
    run_consumer(workers)


@jobs_cli.command("recover")
def recover_command() -> None:
    """Re-enqueue jobs whose consumer stopped."""
    click.echo(f"re-enqueued: {recover_all()}")


@click.command("backup")
@with_appcontext
@click.option("--no-rotate", is_flag=True, help="Keep every older backup.")
def backup_command(no_rotate: bool) -> None:
    """Write one backup file (mode 0600) and apply the rotation."""
    try:
        path = backups.make_backup()
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup: {path} ({path.stat().st_size} bytes)")
    if not no_rotate:
        for old in backups.rotate():
            click.echo(f"removed: {old.name}")


@click.command("backup-key")
def backup_key_command() -> None:
    """Print a new random key for BACKUP_KEY (keep it apart from the backups)."""
    click.echo(backups.new_key())


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load FILE into the configured database, which must be empty."""
    try:
        backups.restore(file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored: {file.name}")


@click.command("housekeeping")
@with_appcontext
def housekeeping_command() -> None:
    """Run every sweeper and print how many rows each removed."""
    for name, count in housekeeping.run_all().items():
        click.echo(f"{name}: {'failed' if count < 0 else count}")
