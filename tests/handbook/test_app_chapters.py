"""Chapters 14 and 15 describe this app as it is: every button or screen they name in bold
quotes (**“Điểm danh”**) must exist as a translatable string or template text, so renaming a
button without updating the handbook fails here."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_CHAPTERS = [
    ROOT / "content" / "handbook" / "14-su-dung-ung-dung-so-tay-dang-vien-dien-tu.md",
    ROOT / "content" / "handbook" / "15-hoi-dap-nhanh.md",
]
LABEL = re.compile(r"\*\*“([^”]+)”\*\*")
LITERAL = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
MSGID = re.compile(r'^msgid "(.*)"$', re.MULTILINE)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _app_strings() -> set[str]:
    """Every string literal of the templates, Python code and scripts, and every msgid."""
    found: set[str] = set()
    sources = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "blueprints").rglob("*.py"),
        *(ROOT / "core").rglob("*.py"),
        *(ROOT / "static" / "js").glob("*.js"),
    ]
    for path in sources:
        for single, double in LITERAL.findall(path.read_text(encoding="utf-8")):
            found.add(_nfc(single or double).strip())
    po = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    found.update(_nfc(m).strip() for m in MSGID.findall(po.read_text(encoding="utf-8")))
    return found


def _labels(path: Path) -> list[str]:
    return [_nfc(m).strip() for m in LABEL.findall(path.read_text(encoding="utf-8"))]


def test_the_chapters_name_the_main_controls():
    named = set(_labels(APP_CHAPTERS[0]))
    for label in (
        "Điểm danh",
        "Không biểu quyết",
        "Gửi kiến nghị",
        "Đọc to",
        "Lưu để đọc khi không có mạng",
        "Chữ lớn",
    ):
        assert label in named, f"chapter 14 no longer names {label!r}"


@pytest.mark.parametrize("path", APP_CHAPTERS, ids=lambda p: p.name)
def test_every_named_button_exists_in_the_app(path):
    labels = _labels(path)
    assert labels, f"{path.name} names no button in **“…”** form"
    strings = _app_strings()
    missing = sorted({label for label in labels if label not in strings})
    assert not missing, f"{path.name} names controls the app does not have: {missing}"


def test_a_renamed_button_is_caught(tmp_path):
    chapter = tmp_path / "99-x.md"
    chapter.write_text("Bấm **“Nút không hề có trong ứng dụng”**.", encoding="utf-8")
    assert _labels(chapter)[0] not in _app_strings()
