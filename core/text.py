"""Vietnamese text done right: NFC input, diacritic-free search keys, Vietnamese name sorting.

Every text a user or a file gives us passes through `clean` (NFC, collapsed whitespace, no
control characters). Search compares `fold`ed text (no diacritics, đ→d, lower case). People
are sorted by `name_sort_key`: given name first, then middle names, then family name, in the
Vietnamese alphabet (a ă â b c d đ e ê …) with tones as a secondary difference in dictionary
order (ngang, huyền, hỏi, ngã, sắc, nặng), as ICU's `vi` collation does.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str | None) -> str:
    """NFC-normalise, drop control characters and collapse runs of whitespace."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", str(value))
    value = _CONTROL.sub("", value)
    return _SPACES.sub(" ", value).strip()


def clean_multiline(value: str | None) -> str:
    """Like `clean` but keeps line breaks (for opinions, reasons, bodies of text)."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fold(value: str | None) -> str:
    """Search key: lower case, no diacritics, đ/Đ folded to d (which NFD alone does not do)."""
    value = clean(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Base letters in Vietnamese alphabetical order; f, j, w, z (foreign letters) in Latin position.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_CODE = {ch: chr(ord("A") + i) for i, ch in enumerate(_ALPHABET)}
_LETTER_CODE.update({str(d): str(d) for d in range(10)})
# Tone marks in Vietnamese dictionary order; "0" is no tone.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Marks that make a distinct letter (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_WORD_SEP = "!"  # sorts below every letter code, so "An" < "Anh"
_PART_SEP = " "  # sorts below the word separator, so "An" < "An Bình"


def _syllable_key(word: str) -> tuple[str, str]:
    """Primary (letters) and secondary (tones) key of one word."""
    primary, tones = [], []
    for cluster in re.findall(r".[\u0300-\u036f]*", unicodedata.normalize("NFD", word.lower())):
        base, marks = cluster[0], cluster[1:]
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m in _LETTER_MARKS)
        )
        code = _LETTER_CODE.get(letter)
        if code is None:
            continue  # punctuation such as hyphens and apostrophes does not affect order
        primary.append(code)
        tones.append(next((_TONES[m] for m in marks if m in _TONES), "0"))
    return "".join(primary), "".join(tones)


def _words_key(words: list[str]) -> str:
    keys = [_syllable_key(w) for w in words if w]
    primary = _WORD_SEP.join(k[0] for k in keys)
    secondary = _WORD_SEP.join(k[1] for k in keys)
    return (primary + _PART_SEP + secondary)[:250]


def name_sort_key(full_name: str) -> str:
    """Sort key for a Vietnamese full name: given name, then middle names, then family name."""
    words = clean(full_name).split(" ")
    if len(words) > 1:
        words = [words[-1], *words[1:-1], words[0]]
    return _words_key(words)


def text_sort_key(text: str) -> str:
    """Sort key for Vietnamese text read in order (unit names): "Đảng bộ…" before "Huyện ủy…"."""
    return _words_key(clean(text).split(" "))


def normalise_card_number(value: str | None) -> str:
    """Canonical card number: upper-case letters and digits only ("12.345 678" → "12345678")."""
    return re.sub(r"[^0-9A-Z]", "", clean(value).upper())


_PHONE_OK = re.compile(r"^0(3|5|7|8|9)\d{8}$|^02\d{9}$")


def normalise_phone(value: str | None) -> str | None:
    """Canonical Vietnamese phone number (0xxxxxxxxx), or None when it is not a valid one.

    Accepts spaces, dots, dashes and the +84 / 84 prefix.
    """
    digits = re.sub(r"[^\d+]", "", clean(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    digits = digits.replace("+", "")
    return digits if _PHONE_OK.match(digits) else None
