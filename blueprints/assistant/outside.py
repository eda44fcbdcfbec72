"""Questions about things outside the Party's procedures ("đăng ký kết hôn cần giấy tờ gì",
"sang tên sổ đỏ"): they share words and even pairs with the app's texts ("kết", "hồ sơ",
"giấy tờ"), and the best passage then covers enough of them to be offered. The editors mark
such things in the glossary (`GlossaryTerm.outside`); a question that names one and no Party
work is answered only by a passage written about it: one whose question field (an entry's
question and phrasings, a section's title and heading) holds the term. The same rule runs on
the phone (static/js/assistant.js), from the terms the offline export carries.
"""

from __future__ import annotations

from blueprints.assistant.analysis import Glossary, expand, words

# Words of Party work, folded, as the question is written or once the glossary has read it
# ("vào Đảng", "dv" → "đảng viên"): a question holding one asks about the Party, whatever else
# it names ("chuyển hộ khẩu về quê thì sinh hoạt đảng ở đâu"), and no term holds it back.
PARTY_WORDS = (
    "dang vien",
    "chi bo",
    "chi uy",
    "cap uy",
    "dang uy",
    "dang phi",
    "sinh hoat",
    "di hop",
    "the dang",
    "huy hieu",
    "tuoi dang",
    "ket nap dang",
    "vao dang",
    "ra khoi dang",
    "to chuc dang",
    "ho so dang",
    "ly lich dang",
    "ky luat dang",
)


def padded(tokens: list[str]) -> str:
    """Folded words as one string padded with spaces, for whole-word lookups."""
    return " " + " ".join(tokens) + " "


def outside_terms(question: str, terms: list[str], glossary: Glossary) -> list[str]:
    """The outside terms (folded) `question` names, or none when it names Party work."""
    if not terms:
        return []
    asked = words(question)
    read = (padded(asked), padded(expand(asked, glossary)))
    if any(f" {w} " in text for w in PARTY_WORDS for text in read):
        return []
    return [t for t in terms if f" {t} " in read[0]]


def written_about(qtext: str, terms: list[str]) -> bool:
    """True when a passage's folded question field holds every one of `terms`."""
    field = f" {qtext} "
    return all(f" {t} " in field for t in terms)
