"""The handbook, the demo documents and the assistant's Q&A cite only texts in force.

Superseded texts (content/superseded.md) may be named only inside a history note; every
chapter ends with its legal basis ("## Căn cứ") and the date it was last checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blueprints.handbook.commands import parse_chapter
from blueprints.handbook.superseded import (
    Superseded,
    find_superseded,
    history_mask,
    load_registry,
    parse_registry,
)

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "content" / "handbook").glob("[0-9][0-9]-*.md"))
DEMO = ROOT / "blueprints" / "demo" / "content.py"
QA = sorted((ROOT / "content" / "assistant" / "qa").glob("**/*.*"))
UPDATED = re.compile(r"^Cập nhật đến ngày (\d{2})/(\d{2})/(\d{4})\.?$", re.MULTILINE)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_registry_parses_and_names_the_known_replacements():
    codes = {(e.code, e.year) for e in load_registry()}
    for expected in [
        ("24-QĐ/TW", 2021),
        ("232-QĐ/TW", 2025),
        ("124-QĐ/TW", 2023),
        ("12-HD/BTCTW", 2018),
        ("342-QĐ/TW", 2010),
        ("22-QĐ/TW", 2021),
    ]:
        assert expected in codes
    for entry in load_registry():
        assert entry.replacement and entry.title


def test_finder_reads_numbers_exactly():
    registry = [
        Superseded("24-QĐ/TW", 2021, False, "t", "294-QĐ/TW"),
        Superseded("12-HD/BTCTW", 2018, True, "t", "42-HD/BTCTW"),
    ]
    assert find_superseded("Theo Quy định số 124-QĐ/TW năm 2023.", registry) == []
    assert find_superseded("Theo Quy định số 224-QĐ/TW.", registry) == []
    assert len(find_superseded("Theo Quy định số 24 - QĐ / TW ngày 30/7/2021.", registry)) == 1
    # A number shared by two texts counts only with the superseded one's year.
    assert find_superseded("Hướng dẫn 12-HD/BTCTW ngày 18/01/2022.", registry) == []
    hits = find_superseded("Hướng dẫn số 12-HD/BTCTW ngày 06/7/2018 của Ban Tổ chức.", registry)
    assert [h.code for h in hits] == ["12-HD/BTCTW"]
    # The year of the next text in the sentence does not count for this one.
    text = "Hướng dẫn 12-HD/BTCTW và Quy định 6-QĐ/TW năm 2018."
    assert find_superseded(text, registry) == []


def test_history_notes_are_exempt_and_end_where_they_should():
    registry = [Superseded("342-QĐ/TW", 2010, False, "t", "01-QĐ/TW")]
    text = "\n".join(
        [
            "Đảng phí theo Quy định 01-QĐ/TW.",
            "",
            "> **Ghi chú lịch sử:** Trước đây là Quyết định 342-QĐ/TW",
            "> ngày 28/12/2010; văn bản 342-QĐ/TW nay hết hiệu lực.",
            "Sau ghi chú, dẫn lại 342-QĐ/TW là sai.",
            "",
            "> **Lưu ý:** 342-QĐ/TW trong một lưu ý thường cũng là sai.",
            "",
            "Ghi chú lịch sử: trong mã nguồn, 342-QĐ/TW",
            "vẫn trong ghi chú đến dòng trống.",
            "",
            "Còn đây thì không: 342-QĐ/TW.",
        ]
    )
    assert history_mask(text.splitlines())[2:4] == [True, True]
    assert [f.line for f in find_superseded(text, registry)] == [5, 7, 12]


def test_parse_registry_refuses_a_broken_row():
    with pytest.raises(ValueError):
        parse_registry("| Số hiệu | Năm | Chỉ khi ghi năm | Tên | Thay bằng |\n|---|\n| x | y |")


@pytest.mark.parametrize("path", [*CHAPTERS, DEMO, *QA], ids=_rel)
def test_no_superseded_text_is_cited_outside_a_history_note(path):
    findings = find_superseded(path.read_text(encoding="utf-8"))
    assert not findings, "\n".join(
        f"{_rel(path)}:{f.line}: {f.code} ({f.year}) đã được thay bằng {f.replacement}: {f.excerpt}"
        for f in findings
    )


def test_every_chapter_file_is_checked():
    assert len(CHAPTERS) >= 15


@pytest.mark.parametrize("path", CHAPTERS, ids=_rel)
def test_chapter_ends_with_its_basis_and_update_date(path):
    _, body = parse_chapter(path.read_text(encoding="utf-8"))
    headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
    assert headings and headings[-1].strip() == "Căn cứ", f"{path.name}: last section is not Căn cứ"
    basis = body.rsplit("## Căn cứ", 1)[1]
    items = [line for line in basis.splitlines() if line.startswith("- ")]
    assert items, f"{path.name}: Căn cứ lists no document"
    for item in items:
        # Each item: a document named by number (or the Statute), its date and its issuer.
        assert re.search(
            r"\d{1,2}/\d{1,2}/\d{4}|tháng \d{1,2}/\d{4}|năm \d{4}|khóa [XVI]+", item
        ), item
    dates = UPDATED.findall(basis)
    assert dates, f"{path.name}: missing 'Cập nhật đến ngày dd/mm/yyyy'"
    assert body.rstrip().splitlines()[-1].startswith("Cập nhật đến ngày")


@pytest.mark.parametrize("path", CHAPTERS, ids=_rel)
def test_implementing_rules_are_cited_by_number(path):
    """ "Theo quy định thi hành Điều lệ" alone does not tell the reader which text: name 294."""
    _, body = parse_chapter(path.read_text(encoding="utf-8"))
    for sentence in re.split(r"(?<=[.;:])\s+", body):
        if re.search(r"quy định thi hành Điều lệ", sentence, re.IGNORECASE):
            assert "294-QĐ/TW" in sentence, f"{path.name}: {sentence.strip()[:160]}"
