"""Turning text into the terms the assistant indexes and looks up.

Text is folded exactly as search folds it (`core.text.fold`: NFC, lower case, no diacritics,
đ→d) and cut into words of letters and digits. Vietnamese meaning sits in pairs of syllables
("sinh hoạt", "đảng phí"), so each text is also indexed with its word bigrams, written as one
token ("sinhhoat"). Numbers typed in words or with their unit ("sáu mươi", "90p") are read as
the digits and unit words the texts use, and "ký"/"kí", "lý"/"lí" as one word. A question is
first repaired (leftover Telex tone keys such as "dangr phis", a key pressed twice), then the
glossary replaces abbreviations and synonyms by their expansion ("shcb" → "sinh hoat chi bo"),
longest phrase first; the engine reads the passages it ranks with the same glossary. The same
steps run on the phone (static/js/assistant.js), from the glossary the offline export carries.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from core.text import fold

MAX_QUERY_WORDS = 24
PHRASING_SEPARATOR = " | "  # between the phrasings of a passage's folded question field
_WORD = re.compile(r"[a-z0-9]+")
# Words of questions that say nothing about the subject. They stay in bigrams (a phrase such
# as "bao nhieu" still helps ranking) but do not count towards the confidence. The last ones are
# Southern and Central particles ("dzậy", "nhen", "nghen", "hen"; "răng" = sao, "rứa" = vậy).
STOPWORDS = frozenset(
    """a ah ai cho co cua da de duoc gi giup hay hoi khi khong la lam luc ma may minh muon nao
    neu nha nhe nhi nhieu nhu nhung oi o ong ba ra roi sao se thi theo toi tui em anh cac cai con va
    ve vay vi voi xin cam on u ha ak dc k ko j dzay zay nhen nghen hen rang rua""".split()
)
# Telex leaves tone keys behind when the keyboard is in the wrong mode ("dangr phis"). No
# Vietnamese syllable ends in s, f, r, x or j, so a trailing one is a tone key; "w" after a
# vowel and doubled vowels are Telex for ư/ơ/ă and â/ê/ô, "dd" is đ.
_TELEX_TAIL = re.compile(r"(?<=[aeiouychtpmng])[sfrxj]$")
_TELEX_W = re.compile(r"(?<=[aou])w")
_TELEX_DOUBLE = re.compile(r"([aeo])\1")
# No Vietnamese syllable doubles a consonant (but "dd", Telex for đ, handled first): a key
# pressed twice ("thoi giann").
_TYPED_TWICE = re.compile(r"([bcghklmnpqrstvx])\1")


# Numbers written in words ("sáu mươi", "mười hai"), as members type them, become digits like
# the texts write them ("60", "12"). Only tens with "mươi"/"mười" are read: alone, "ba", "năm",
# "sáu", "tám", "tư" are also "father", "year", "after", "temporary", "self".
_DIGITS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6}
_DIGITS |= {"bay": 7, "tam": 8, "chin": 9}
_TENS = "muoi"


# A number typed with its unit ("90p", "5tr", "50k", "3thang") is the number and the unit.
_NUMBER_UNIT = re.compile(r"^(\d+)([a-z]+)$")
_UNITS = {"p": "phut", "ph": "phut", "tr": "trieu", "k": "nghin", "h": "gio", "d": "dong"}


def _split_units(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        match = _NUMBER_UNIT.match(token)
        if match:
            out += [match[1], _UNITS.get(match[2], match[2])]
        else:
            out.append(token)
    return out


def _numbers(tokens: list[str]) -> list[str]:
    tokens = _split_units(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tens = None
        if tokens[i] == _TENS:  # "mười hai" → 12
            tens, i = 1, i + 1
        elif tokens[i] in _DIGITS and i + 1 < len(tokens) and tokens[i + 1] == _TENS:
            tens, i = _DIGITS[tokens[i]], i + 2  # "sáu mươi" → 60
        if tens is None:
            out.append(tokens[i])
            i += 1
            continue
        # after the tens, five is "lăm": "ba mươi năm" is thirty years
        unit = _DIGITS.get(tokens[i], 0) if i < len(tokens) and tokens[i] != "nam" else 0
        i += 1 if unit else 0
        out.append(str(tens * 10 + unit))
    return out


# Vietnamese writes a syllable of one consonant (or "qu") and the vowel i/y both ways: "kỹ" and
# "kĩ", "lý" and "lí", "quy định" and "qui định", "tỷ" and "tỉ". Members type either ("biên bản
# ai phải kí tên"); texts and questions are read with the i.
_I_OR_Y = re.compile(r"^(k|l|m|s|t|h|v|qu)y$")


def words(value: str) -> list[str]:
    """Folded words of `value`, in order, numbers written in words as digits, a lone "y"
    after one consonant read as "i"."""
    return _numbers([_I_OR_Y.sub(r"\1i", w) for w in _WORD.findall(fold(value))])


def repair(word: str) -> str:
    """Undo Telex leftovers in one folded word ("phis" → "phi", "dduwowcj" → "duoc")."""
    if len(word) < 3 or word.isdigit():
        return word
    if word.startswith("dd"):
        word = word[1:]
    word = _TELEX_W.sub("", word)
    word = _TYPED_TWICE.sub(r"\1", _TELEX_DOUBLE.sub(r"\1", word))
    return _TELEX_TAIL.sub("", word) if len(word) > 2 else word


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent pairs ("sinh hoat"); pairs of two stopwords say nothing."""
    return [a + " " + b for a, b in pairwise(tokens) if not (a in STOPWORDS and b in STOPWORDS)]


def indexed_text(value: str) -> str:
    """What the full-text index holds for a field: its folded words, then their bigrams."""
    tokens = words(value)
    return " ".join(tokens + [pair.replace(" ", "") for pair in bigrams(tokens)])


Glossary = list[tuple[list[str], list[str]]]


def compile_glossary(pairs) -> Glossary:
    """(folded words of the term, folded words of the expansion), longest term first."""
    compiled = [(words(term), words(expansion)) for term, expansion in pairs]
    compiled = [(t, e) for t, e in compiled if t and e]
    return sorted(compiled, key=lambda item: -len(item[0]))


def by_first_word(glossary: Glossary) -> dict[str, Glossary]:
    """The glossary's terms by their first word, longest first (`expand` looks up only the
    terms that can start at a word)."""
    index: dict[str, Glossary] = {}
    for term, expansion in glossary:
        index.setdefault(term[0], []).append((term, expansion))
    return index


def expand(tokens: list[str], glossary: Glossary, first: dict | None = None) -> list[str]:
    """Replace each glossary term found in `tokens` by its expansion (one pass, longest first);
    `first` is `by_first_word(glossary)` when the caller expands many texts."""
    first = by_first_word(glossary) if first is None else first
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for term, expansion in first.get(tokens[i], ()):
            if tokens[i : i + len(term)] == term:
                out.extend(expansion)
                i += len(term)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def written_forms(tokens: list[str], glossary: Glossary) -> list[str]:
    """Index terms of the glossary terms whose expansion `tokens` hold: the question asked
    "kết nạp đảng", an entry wrote "vào Đảng". The index holds texts as written, so the search
    also looks for the written forms (one word, or the bigrams of a longer term)."""
    text = f" {' '.join(tokens)} "
    found: list[str] = []
    for term, expansion in glossary:
        if f" {' '.join(expansion)} " in text:
            found += term if len(term) == 1 else [a + b for a, b in pairwise(term)]
    return found


# Southern "hông", "hổng" is "không"; folded, it is "hong", as in "hỏng" (broken). Typed with its
# marks the word tells itself; typed bare, a last "hong" after "có"/"được" closes a yes/no
# question ("có đủ người họp hông"), while "thẻ bị hỏng" asks about a broken card. Cut on what
# is neither a digit, an ASCII letter nor a letter from À to ỹ, as static/js/assistant.js can in
# the ES5 the cheap phones run.
_NOT_A_LETTER = re.compile("[^0-9a-z\u00c0-\u1ef9]+")
_SOUTHERN_NO = frozenset({"hông", "hổng"})
_YES_NO = frozenset({"co", "duoc", "dc"})


def question_words(question: str) -> list[str]:
    """The folded words of a question (`words`), a Southern "hông" read as "không"."""
    typed = [t for t in _NOT_A_LETTER.split(unicodedata.normalize("NFC", question).lower()) if t]
    typed = ["không" if t in _SOUTHERN_NO else t for t in typed]
    if typed and typed[-1] == "hong" and _YES_NO & set(words(" ".join(typed[:-1]))):
        typed[-1] = "khong"
    return words(" ".join(typed))


def query_terms(question: str, glossary: Glossary) -> tuple[list[str], list[str]]:
    """(content words, bigrams as "a b") of a question: repaired, glossary applied, stopwords left
    out of the content words; each list without repeats, in order."""
    raw = question_words(question)[:MAX_QUERY_WORDS]
    # a glossary word is written as the editors meant it: "app", "pass", "offline" are no key
    # pressed twice
    kept = {w for term, _expansion in glossary for w in term}
    tokens = expand([w if w in kept else repair(w) for w in raw], glossary)
    content = list(dict.fromkeys(t for t in tokens if t not in STOPWORDS))
    return content, list(dict.fromkeys(bigrams(tokens)))
