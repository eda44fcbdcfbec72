"""`flask assistant import DIR`: the curated Q&A files and the glossary; safe to run again.

DIR holds `qa/<id>.md` (front matter: id, question, also, topic, sources, checked; then the
answer in Markdown) and optionally `glossary.tsv` (`term<TAB>expansion` per line, `#` starts
a comment) and `outside.txt` (one term a line naming something outside the Party's
procedures, "khai sinh", "sổ đỏ": outside.py). Every file is checked before anything is
written, so a bad file leaves the database as it was. Entries and terms the Ban Biên tập
changed in the app are kept as they are.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from blueprints.assistant.index import rebuild
from blueprints.assistant.models import TOPICS, GlossaryTerm, QAEntry
from blueprints.assistant.services import save_entry_text
from blueprints.handbook.models import Status
from blueprints.handbook.services import parse_front_matter
from core.extensions import db
from core.models import utcnow
from core.text import clean, fold

assistant_cli = AppGroup("assistant", help="Trợ lý ảo: nhập mục hỏi đáp và bảng từ viết tắt.")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def parse_entry(text: str, name: str) -> tuple[dict, str]:
    """The front matter and answer of one Q&A file, checked (ValueError says what is wrong)."""
    meta, body = parse_front_matter(text)
    for key in ("id", "question", "topic", "sources", "checked"):
        if not meta.get(key):
            raise ValueError(f"front matter lacks {key}")
    if not _ID.match(meta["id"]) or meta["id"] != name:
        raise ValueError(f"id {meta['id']!r} must be the file name in lowercase-words")
    if meta["topic"] not in TOPICS:
        raise ValueError(f"unknown topic {meta['topic']!r}")
    meta["checked_on"] = date.fromisoformat(meta["checked"])
    meta["also_list"] = [a.strip() for a in meta.get("also", "").split(" | ") if a.strip()]
    meta["sources_list"] = [s.strip() for s in meta["sources"].split(" ; ") if s.strip()]
    if not body.strip():
        raise ValueError("no answer")
    return meta, body


def read_entries(directory: Path) -> list[tuple[dict, str]]:
    """Every Q&A file of `directory/qa`, parsed; any error stops before the database."""
    parsed = []
    for path in sorted((directory / "qa").glob("*.md")):
        try:
            parsed.append(parse_entry(path.read_text(encoding="utf-8"), path.stem))
        except (ValueError, UnicodeDecodeError) as error:
            raise click.ClickException(f"{path.name}: {error}") from error
    return parsed


def _import_entries(parsed: list[tuple[dict, str]]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    for meta, body in parsed:
        entry = db.session.scalar(select(QAEntry).where(QAEntry.slug == meta["id"]))
        fields = {
            "question": meta["question"],
            "alternatives": meta["also_list"],
            "answer": body,
            "sources": meta["sources_list"],
            "topic": meta["topic"],
            "checked": meta["checked_on"],
        }
        if entry is None:
            entry = QAEntry(slug=meta["id"], status=Status.PUBLISHED, published_at=utcnow())
            save_entry_text(entry, **fields)
            counts["created"] += 1
        elif entry.edited_by_id is not None:
            counts["kept"] += 1  # the Ban Biên tập's version wins over the file
        elif (
            entry.question,
            entry.alternatives,
            entry.answer,
            entry.sources,
            entry.topic,
            entry.checked_on,
        ) != tuple(fields.values()):
            save_entry_text(entry, **fields)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def import_glossary(path: Path) -> int:
    """Add the terms of `path` not in the glossary yet (editors' changes are kept)."""
    if not path.is_file():
        return 0
    added = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        term, sep, expansion = line.partition("\t")
        term, expansion = clean(term), clean(expansion)
        if not sep or not term or not expansion or line.lstrip().startswith("#"):
            continue
        key = " ".join(fold(term).split())
        if db.session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.folded == key)):
            continue
        db.session.add(GlossaryTerm(term=term, folded=key, expansion=expansion))
        db.session.flush()
        added += 1
    return added


def import_outside(path: Path) -> int:
    """Add the outside-of-scope terms of `path` (one a line) not in the glossary yet."""
    if not path.is_file():
        return 0
    added = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        term = clean(line)
        if not term or term.startswith("#"):
            continue
        key = " ".join(fold(term).split())
        if db.session.scalar(select(GlossaryTerm.id).where(GlossaryTerm.folded == key)):
            continue
        db.session.add(GlossaryTerm(term=term, folded=key, expansion="", outside=True))
        db.session.flush()
        added += 1
    return added


def import_directory(directory: Path) -> dict[str, int]:
    """Entries and glossary of `directory`, then every passage rebuilt, in one transaction."""
    parsed = read_entries(directory)
    counts = _import_entries(parsed)
    counts["terms"] = import_glossary(directory / "glossary.tsv")
    counts["terms"] += import_outside(directory / "outside.txt")
    db.session.flush()
    counts["passages"] = rebuild(db.session)
    db.session.commit()
    return counts


@assistant_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(directory: Path) -> None:
    """Load Q&A entries from qa/*.md and terms from glossary.tsv (safe to run again)."""
    counts = import_directory(directory)
    click.echo(
        f"Mục hỏi đáp mới: {counts['created']}, cập nhật: {counts['updated']}, "
        f"không đổi: {counts['unchanged']}, giữ bản Ban Biên tập đã sửa: {counts['kept']}; "
        f"từ viết tắt mới: {counts['terms']}; đoạn đã lập chỉ mục: {counts['passages']}"
    )
