"""`flask translate …`: extract, update, check and compile the message catalogues.

The source strings are written in Vietnamese, so the Vietnamese catalogue holds each string
as its own translation; `update` fills that in for new strings. English needs real work:
`flask translate missing` lists what still lacks an English translation.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Translation commands.")
ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
IGNORE = ".venv tests bench content node_modules migrations"


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def catalog_path(locale: str) -> Path:
    """Path of a locale's .po file."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _fill_vietnamese() -> int:
    path = catalog_path("vi")
    with path.open("rb") as f:
        catalog = read_po(f, locale="vi")
    filled = 0
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100)
    return filled


@translate_cli.command("update")
def update() -> None:
    """Extract strings and merge them into translations/*/messages.po."""
    pot = str(TRANSLATIONS / "messages.pot")
    _babel("-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", pot, "--ignore-dirs", IGNORE, ".")
    _babel(
        "-q",
        "update",
        "-i",
        pot,
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "-w",
        "100",
    )
    click.echo(f"Updated catalogues; {_fill_vietnamese()} new Vietnamese entries filled.")


@translate_cli.command("missing")
def missing() -> None:
    """List strings without an English translation."""
    with catalog_path("en").open("rb") as f:
        catalog = read_po(f, locale="en")
    todo = [m.id for m in catalog if m.id and not m.string]
    for msgid in todo:
        click.echo(msgid)
    click.echo(f"{len(todo)} strings lack an English translation.", err=True)


@translate_cli.command("compile")
def compile_() -> None:
    """Compile the .po catalogues into .mo files (not committed; built by make)."""
    _babel("compile", "-d", str(TRANSLATIONS))
