"""`flask translate …`: extract, update and compile the message catalogues."""

from __future__ import annotations

import subprocess
import sys

import click
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Translation commands.")


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


@translate_cli.command("update")
def update() -> None:
    """Extract strings from the code and merge them into translations/*/messages.po."""
    _babel("extract", "-F", "babel.cfg", "-k", "_l", "-o", "translations/messages.pot", ".")
    _babel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")
    click.echo("Updated translations/*/LC_MESSAGES/messages.po")


@translate_cli.command("compile")
def compile_() -> None:
    """Compile the .po catalogues into .mo files (not committed; built by make)."""
    _babel("compile", "-d", "translations")
