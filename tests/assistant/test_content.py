"""The curated Q&A files: well formed, on known topics, and resting on texts in force only.

The superseded-text rule (GUIDE §9) applied to the assistant: no entry cites a text that has
been replaced, and every `handbook:` source names a chapter that exists. The list below is
this test's own minimal copy of the replaced texts (the handbook keeps the full registry).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blueprints.assistant.commands import import_directory, parse_entry
from blueprints.handbook.superseded import find_superseded

ROOT = Path(__file__).resolve().parents[2]
QA = ROOT / "content" / "assistant"
FILES = sorted((QA / "qa").glob("*.md"))
CHAPTERS = {
    m.group(1)
    for p in (ROOT / "content" / "handbook").glob("*.md")
    if (m := re.search(r"^slug: (\S+)", p.read_text("utf-8"), re.M))
}


def _file(slug: str, sources: str) -> str:
    meta = f"id: {slug}\nquestion: Q?\nalso: a\ntopic: dang-phi\nsources: {sources}\n"
    return "---\n" + meta + "checked: 2026-12-01\n---\nA."


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_entry_is_well_formed_and_cites_texts_in_force(path):
    meta, body = parse_entry(path.read_text("utf-8"), path.stem)
    assert 1 <= len(meta["also_list"]) <= 8, "3–6 other phrasings"
    for source in meta["sources_list"]:
        if source.startswith("handbook:"):
            assert source.removeprefix("handbook:") in CHAPTERS, source
        else:
            # A date, or the month when the day is not published (06-QĐ/TW, 2/2026).
            assert re.search(r"\d{1,2}/\d{4}|Điều lệ Đảng", source), f"date or Statute: {source}"
    # The one registry of replaced texts (content/superseded.md); history notes are allowed.
    assert not find_superseded(meta["sources"]), f"{path.name} cites a replaced text"
    assert not find_superseded(body), f"{path.name} relies on a replaced text"


def test_the_rule_catches_a_replaced_text():
    text = _file("x", "Quyết định số 342-QĐ/TW ngày 28/12/2010 của Bộ Chính trị")
    meta, _body = parse_entry(text, "x")
    assert find_superseded(meta["sources"]) and not find_superseded("Quy định 366-QĐ/TW")


def test_import_is_idempotent_and_keeps_editors_changes(app, world):
    from sqlalchemy import select

    from blueprints.assistant.models import QAEntry
    from core.extensions import db

    with app.app_context():
        first = import_directory(QA)
        assert first["created"] == len(FILES) and first["terms"] > 10
        entry = db.session.scalar(select(QAEntry).order_by(QAEntry.id))
        entry.edited_by_id, entry.question = world.users["editor"], "Sửa trong ứng dụng"
        db.session.commit()
        again = import_directory(QA)
        assert again["created"] == 0 and again["kept"] == 1 and again["terms"] == 0
        assert db.session.get(QAEntry, entry.id).question == "Sửa trong ứng dụng"


def test_a_bad_file_imports_nothing(app, world, tmp_path):
    import click
    from sqlalchemy import func, select

    from blueprints.assistant.models import QAEntry
    from core.extensions import db

    (tmp_path / "qa").mkdir()
    (tmp_path / "qa" / "tot.md").write_text(
        _file("tot", "handbook:dang-phi"),
        "utf-8",
    )
    (tmp_path / "qa" / "hong.md").write_text("---\nid: hong\ntopic: khong-co\n---\nA.", "utf-8")
    with app.app_context():
        with pytest.raises(click.ClickException):
            import_directory(tmp_path)
        assert db.session.scalar(select(func.count()).select_from(QAEntry)) == 0
