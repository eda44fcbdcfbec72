"""The curated Q&A entries, the glossary and the assistant evaluation set stay well formed.

These are content files written by hand (content/assistant/, bench/assistant_eval.jsonl); the
format is shared with the assistant engine, so a broken file must fail here, not at import time.
"""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from blueprints.handbook.commands import parse_chapter

ROOT = Path(__file__).resolve().parent.parent
QA_DIR = ROOT / "content" / "assistant" / "qa"
EVAL = ROOT / "bench" / "assistant_eval.jsonl"
GLOSSARY = ROOT / "content" / "assistant" / "glossary.tsv"
TOPICS = {
    "sinh-hoat-chi-bo",
    "ket-nap",
    "du-bi-chinh-thuc",
    "chuyen-sinh-hoat",
    "dang-phi",
    "the-dang",
    "danh-gia-xep-loai",
    "mien-sinh-hoat",
    "quyen-nhiem-vu",
    "ky-luat",
    "huy-hieu",
    "ho-so",
    "tu-phe-binh",
    "ung-dung",
}
# Replaced texts (GUIDE §9): cited only in a "> **Ghi chú lịch sử:**" line.
SUPERSEDED = ("24-QĐ/TW", "232-QĐ/TW", "124-QĐ/TW", "342-QĐ/TW", "22-QĐ/TW", "12-HD/BTCTW")
HISTORY_NOTE = "> **Ghi chú lịch sử:**"
OFFICIAL = re.compile(
    r"Điều lệ Đảng Cộng sản Việt Nam \(Đại hội XI, 2011\), Điều \d+(, khoản \d+)?"
    r"|(Quy định|Chỉ thị|Hướng dẫn|Quyết định|Thông báo) số \S+"
    r" (ngày \d{2}/\d{2}/\d{4}|tháng \d{2}/\d{4})"
    r" của \S.*"
)


def _entries() -> dict[str, dict[str, str]]:
    """Every Q&A file's front matter, keyed by file stem (parse_chapter needs the chapter keys)."""
    entries = {}
    for path in sorted(QA_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta, body = parse_chapter(text.replace("---\n", "---\ntitle: x\nslug: x\norder: 1\n", 1))
        entries[path.stem] = meta | {"_text": text, "_body": body}
    return entries


def _chapter_slugs() -> set[str]:
    """Slugs of the handbook chapters that `handbook:<slug>` sources may name."""
    return {
        parse_chapter(p.read_text(encoding="utf-8"))[0]["slug"]
        for p in (ROOT / "content" / "handbook").glob("*.md")
        if p.name != "README.md"
    }


def test_qa_entries_are_well_formed():
    entries = _entries()
    assert len(entries) >= 100
    slugs = _chapter_slugs()
    for stem, meta in entries.items():
        assert meta["id"] == stem
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem)
        assert meta["topic"] in TOPICS, stem
        assert meta["question"] and meta["_body"].strip(), stem
        assert 3 <= len(meta["also"].split(" | ")) <= 8, stem
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["checked"]), stem
        assert unicodedata.normalize("NFC", meta["_text"]) == meta["_text"], stem
        assert "đồng chí" in meta["_body"].lower(), stem
        for source in meta["sources"].split(" ; "):
            if source.startswith("handbook:"):
                assert source.removeprefix("handbook:") in slugs, (stem, source)
            else:
                assert OFFICIAL.fullmatch(source), (stem, source)


@pytest.mark.parametrize("text", SUPERSEDED)
def test_superseded_texts_only_in_history_notes(text):
    for stem, meta in _entries().items():
        for line in meta["_text"].splitlines():
            assert text not in line or line.startswith(HISTORY_NOTE), (stem, line)


def _rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(
    "name", sorted(path.stem for path in EVAL.parent.glob("assistant_*.jsonl"))
)
def test_every_evaluation_set_names_entries_that_exist(name):
    ids = set(_entries())
    slugs = _chapter_slugs()
    # "uncovered": in the app's subject, but no text answers it yet (the editors' queue)
    kinds = {"nodiacritics", "abbrev", "paraphrase", "misspell", "diacritics", "out", "uncovered"}
    for row in _rows(EVAL.parent / f"{name}.jsonl"):
        assert set(row) == {"q", "expect", "kind"} and row["kind"] in kinds, row
        assert (row["kind"] in ("out", "uncovered")) == (row["expect"] == []), row
        for expected in row["expect"]:
            if expected.startswith("handbook:"):
                assert expected.removeprefix("handbook:") in slugs, row
            else:
                assert expected in ids, row


def test_evaluation_set_has_the_questions_members_ask():
    """The issue's make-up: 200 questions, 60 % without diacritics, 20 % abbreviated, 10 out
    of scope (what each names is checked above)."""
    rows = _rows(EVAL)
    assert len(rows) >= 200

    def plain(q: str) -> bool:
        folded = unicodedata.normalize("NFD", q)
        return not any(unicodedata.combining(c) for c in folded) and "đ" not in q.lower()

    assert sum(plain(r["q"]) for r in rows) >= 0.6 * len(rows)
    assert sum(r["kind"] == "abbrev" for r in rows) >= 0.2 * len(rows)
    assert sum(r["kind"] == "out" for r in rows) >= 10


def test_glossary_lines_are_term_tab_expansion():
    lines = [ln for ln in GLOSSARY.read_text(encoding="utf-8").splitlines() if ln.strip()]
    terms = [ln.split("\t") for ln in lines if not ln.startswith("#")]
    assert len(terms) >= 50
    assert all(len(t) == 2 and t[0] == t[0].lower() and t[1].strip() for t in terms)
    assert len({t[0] for t in terms}) == len(terms)
