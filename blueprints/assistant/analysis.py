"""Turning text into the terms the assistant indexes and looks up.

Text is folded exactly as search folds it (`core.text.fold`: NFC, lower case, no diacritics,
đ→d) and cut into words of letters and digits. Vietnamese meaning sits in pairs of syllables
("sinh hoạt", "đảng phí"), so each text is also indexed with its word bigrams, written as one
token ("sinhhoat"). A question is first repaired (leftover Telex tone keys such as "dangr
phis"), then the glossary replaces abbreviations and synonyms by their expansion ("shcb" →
"sinh hoat chi bo"), longest phrase first. The same steps run on the phone (static/js/
assistant.js), from the glossary the offline export carries.
"""

from __future__ import annotations

import re
from itertools import pairwise

from core.text import fold

MAX_QUERY_WORDS = 24
_WORD = re.compile(r"[a-z0-9]+")
# Words of questions that say nothing about the subject. They stay in bigrams (a phrase such
# as "bao nhieu" still helps ranking) but do not count towards the confidence.
STOPWORDS = frozenset(
    """a ah ai cho co cua da de duoc gi giup hay hoi khi khong la lam luc ma may minh muon nao
    neu nha nhe nhi nhieu nhu nhung oi o ong ba ra roi sao se thi theo toi tui em anh cac cai con va
    ve vay vi voi xin cam on u ha ak dc k ko j""".split()
)
# Telex leaves tone keys behind when the keyboard is in the wrong mode ("dangr phis"). No
# Vietnamese syllable ends in s, f, r, x or j, so a trailing one is a tone key; "w" after a
# vowel and doubled vowels are Telex for ư/ơ/ă and â/ê/ô, "dd" is đ.
_TELEX_TAIL = re.compile(r"(?<=[aeiouychtpmng])[sfrxj]$")
_TELEX_W = re.compile(r"(?<=[aou])w")
_TELEX_DOUBLE = re.compile(r"([aeo])\1")


def words(value: str) -> list[str]:
    """Folded words of `value`, in order."""
    return _WORD.findall(fold(value))


def repair(word: str) -> str:
    """Undo Telex leftovers in one folded word ("phis" → "phi", "dduwowcj" → "duoc")."""
    if len(word) < 3 or word.isdigit():
        return word
    if word.startswith("dd"):
        word = word[1:]
    word = _TELEX_W.sub("", word)
    word = _TELEX_DOUBLE.sub(r"\1", word)
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


def expand(tokens: list[str], glossary: Glossary) -> list[str]:
    """Replace each glossary term found in `tokens` by its expansion (one pass, longest first)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for term, expansion in glossary:
            if tokens[i : i + len(term)] == term:
                out.extend(expansion)
                i += len(term)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def query_terms(question: str, glossary: Glossary) -> tuple[list[str], list[str]]:
    """(content words, bigrams as "a b") of a question: repaired, glossary applied, stopwords left
    out of the content words; each list without repeats, in order."""
    raw = words(question)[:MAX_QUERY_WORDS]
    tokens = expand([repair(w) for w in raw], glossary)
    content = list(dict.fromkeys(t for t in tokens if t not in STOPWORDS))
    return content, list(dict.fromkeys(bigrams(tokens)))
