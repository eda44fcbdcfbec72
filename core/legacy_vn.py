"""Convert Vietnamese text in legacy encodings to Unicode (NFC).

Roster files imported by committee staff are often saved in pre-Unicode Vietnamese
encodings.  This module (standard library only) recognises and converts:

* ``cp1258`` - Windows-1258, with combining tone marks (result is NFC-composed);
* ``vni``    - VNI-Windows (``VNI-Times`` fonts): a base letter followed by one
  diacritic byte, e.g. ``"a" + "ù"`` = ``á``, ``"a" + "ê"`` = ``ă``;
* ``tcvn3``  - TCVN 5712:1993 VN3 (ABC, ``.VnTime`` fonts): one byte per letter.
  Uppercase toned letters are not part of VN3 (the ``.VnTimeH`` font draws the
  lowercase codes as capitals); VN1 capitals are decoded too when present.

Public API:

* :func:`decode_bytes` - decode a CSV/text file, detecting the encoding by scoring
  how Vietnamese each candidate decoding looks.
* :func:`decode_as` - decode bytes in an encoding chosen by the caller.
* :func:`fix_legacy_text` - repair one ``.xlsx`` cell typed with a TCVN3/VNI font.
* :func:`require_unicode` - like :func:`decode_bytes` but refuses legacy encodings.
* :class:`LegacyEncodingError` - raised with a Vietnamese message (module constants
  ``MSG_*`` use ``%(encoding)s`` placeholders so they can go through gettext).
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata

__all__ = [
    "ENCODING_NAMES",
    "LEGACY_ENCODINGS",
    "MSG_LEGACY_NOT_ALLOWED",
    "MSG_LEGACY_UNCONVERTIBLE",
    "MSG_MIXED_ENCODINGS",
    "MSG_UNKNOWN_ENCODING",
    "TCVN3_TABLE",
    "TCVN3_VN1_CAPITALS",
    "VNI_TABLE",
    "LegacyEncodingError",
    "decode_as",
    "decode_bytes",
    "fix_legacy_text",
    "require_unicode",
]

MSG_LEGACY_UNCONVERTIBLE = (
    "Tệp dùng bảng mã cũ (%(encoding)s) không chuyển đổi được; "
    "hãy lưu lại tệp ở dạng Unicode (UTF-8)."
)
MSG_LEGACY_NOT_ALLOWED = (
    "Tệp dùng bảng mã cũ (%(encoding)s); hãy lưu lại tệp ở dạng Unicode (UTF-8) rồi tải lên lại."
)
MSG_MIXED_ENCODINGS = (
    "Tệp trộn lẫn hai bảng mã: dòng %(utf8_line)s ở dạng Unicode (UTF-8) nhưng dòng "
    "%(legacy_line)s ở bảng mã cũ %(encoding)s; hãy lưu lại cả tệp ở dạng Unicode (UTF-8)."
)
MSG_UNKNOWN_ENCODING = (
    "Không nhận dạng được bảng mã của tệp (có thể không phải tệp văn bản); "
    "hãy lưu lại tệp ở dạng Unicode (UTF-8)."
)

#: Human-readable names of the encoding labels returned by this module.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "cp1258": "Windows-1258",
    "vni": "VNI",
    "tcvn3": "TCVN3",
}
LEGACY_ENCODINGS = frozenset({"cp1258", "vni", "tcvn3"})

# --------------------------------------------------------------------------- tables

#: TCVN3 (TCVN 5712:1993 VN3, ".VnTime" fonts): byte -> Unicode.  ASCII is unchanged.
TCVN3_TABLE: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    # combining tone marks: huyền, hỏi, ngã, sắc, nặng
    0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip

#: Toned capitals of TCVN 5712:1993 VN1 (absent from VN3): used only for decoding.
TCVN3_VN1_CAPITALS: dict[int, str] = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ",
    0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ",
    0x86: "Ậ", 0x87: "È", 0x88: "Ẻ", 0x89: "Ẽ", 0x8A: "É", 0x8B: "Ẹ",
    0x8C: "Ệ", 0x8D: "Ì", 0x8E: "Ỉ", 0x8F: "Ĩ", 0x90: "Í", 0x91: "Ị",
    0x92: "Ò", 0x93: "Ỏ", 0x94: "Õ", 0x95: "Ó", 0x96: "Ọ", 0x97: "Ộ",
    0x98: "Ờ", 0x99: "Ở", 0x9A: "Ỡ", 0x9B: "Ớ", 0x9C: "Ợ", 0x9D: "Ù",
    0x9E: "Ủ", 0x9F: "Ũ", 0xAF: "Ằ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ",
    0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xCD: "Ể",
    0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
}  # fmt: skip

# VNI-Windows, lowercase; each sequence is shown as its Windows-1252 characters.
# Tone bytes: ø huyền, û hỏi, õ ngã, ù sắc, ï nặng.  After "a"/"e"/"o": â = circumflex
# (à á å ã ä = circumflex + tone); after "a": ê = breve (è é ú ü ë = breve + tone).
# Single bytes: ô = ơ, ö = ư, ñ = đ, and the i-row (ì æ ó í ò) plus î = ỵ.
_VNI_LOWER = {
    "à": "aø", "ả": "aû", "ã": "aõ", "á": "aù", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ắ": "aé", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ấ": "aá", "ậ": "aä",
    "è": "eø", "ẻ": "eû", "ẽ": "eõ", "é": "eù", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ể": "eå", "ễ": "eã", "ế": "eá", "ệ": "eä",
    "ì": "ì", "ỉ": "æ", "ĩ": "ó", "í": "í", "ị": "ò",
    "ò": "oø", "ỏ": "oû", "õ": "oõ", "ó": "où", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ố": "oá", "ộ": "oä",
    "ơ": "ô", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ớ": "ôù", "ợ": "ôï",
    "ù": "uø", "ủ": "uû", "ũ": "uõ", "ú": "uù", "ụ": "uï",
    "ư": "ö", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ứ": "öù", "ự": "öï",
    "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ý": "yù", "ỵ": "î",
    "đ": "ñ",
}  # fmt: skip

#: VNI-Windows: Unicode letter -> VNI sequence (as Windows-1252 characters), all 134
#: letters.  Capitals use the capital forms of every byte (e.g. "Ấ" = "AÁ", "Ơ" = "Ô").
VNI_TABLE: dict[str, str] = {**_VNI_LOWER, **{k.upper(): v.upper() for k, v in _VNI_LOWER.items()}}

# ------------------------------------------------------------------ decoding helpers

_CP1252_CHARS = {b: bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0xA0)}
_CP1252_TRANS = dict(_CP1252_CHARS)
_CP1252_SPECIALS = frozenset(_CP1252_CHARS.values())

_TCVN3_DECODE = {**TCVN3_TABLE, **TCVN3_VN1_CAPITALS}
# str.translate table for text whose legacy bytes were read as Latin-1 or Windows-1252.
_TCVN3_TRANS = dict(_TCVN3_DECODE)
_TCVN3_TRANS.update(
    {ord(_CP1252_CHARS[b]): c for b, c in _TCVN3_DECODE.items() if 0x80 <= b < 0xA0}
)

_VNI_DECODE = {seq: letter for letter, seq in VNI_TABLE.items()}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_DECODE), key=len, reverse=True)))

_RUN_RE = re.compile(r"\w+(?: +\w+)*")  # words separated only by spaces


@functools.lru_cache(maxsize=16384)
def _caps_kind(word: str) -> int:
    """0: has a lowercase ASCII letter; 2: two or more ASCII letters, all capitals; else 1."""
    letters = [c for c in word if c.isascii() and c.isalpha()]
    if any(c.islower() for c in letters):
        return 0
    return 2 if len(letters) >= 2 else 1


def _restore_capitals(text: str) -> str:
    """Upper-case ``.VnTimeH`` words, typed as capital ASCII plus lowercase letter codes.

    A word is upper-cased when its ASCII letters are all capitals and there are at
    least two of them ("NGUYễN" -> "NGUYỄN"); a run of space-separated words is
    upper-cased when no word in it has a lowercase ASCII letter and one word has two
    capitals ("CHI Bộ Xã" -> "CHI BỘ XÃ").  "Lê", "Hà Nội", "TP Hà Nội" stay as they are.
    """

    def fix_run(match: re.Match[str]) -> str:
        run = match.group()
        words = run.split(" ")
        kinds = [_caps_kind(w) for w in words]
        if 2 not in kinds:
            return run
        if 0 not in kinds:
            return run.upper()
        return " ".join(w.upper() if k == 2 else w for w, k in zip(words, kinds, strict=True))

    return _RUN_RE.sub(fix_run, text)


def _tcvn3_from_str(text: str) -> str:
    return _restore_capitals(unicodedata.normalize("NFC", text.translate(_TCVN3_TRANS)))


def _vni_from_str(text: str) -> str:
    decoded = _VNI_RE.sub(lambda m: _VNI_DECODE[m.group()], text)
    return unicodedata.normalize("NFC", decoded)


def decode_as(data: bytes, encoding: str) -> str:
    """Decode ``data`` in the given encoding label and return NFC text.

    ``encoding`` is one of ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1258"``,
    ``"vni"`` or ``"tcvn3"``.  Unicode encodings are strict (``UnicodeDecodeError``);
    ``cp1258`` replaces undefined bytes with U+FFFD; VNI/TCVN3 never fail.
    """
    if encoding == "tcvn3":
        return _tcvn3_from_str(data.decode("latin-1"))
    if encoding == "vni":
        return _vni_from_str(data.decode("latin-1").translate(_CP1252_TRANS))
    if encoding == "cp1258":
        return unicodedata.normalize("NFC", data.decode("cp1258", "replace"))
    if encoding in ("utf-8", "utf-8-sig", "utf-16"):
        return unicodedata.normalize("NFC", data.decode(encoding))
    raise ValueError(f"unknown encoding label: {encoding!r}")


# -------------------------------------------------------- Vietnamese-likeness scoring

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
_VOWEL_MODIFIERS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn
_ONSETS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_RHYMES = frozenset(
    """
    a ai ao au ay am an ang anh ap at ac ach ăm ăn ăng ăp ăt ăc
    âu ây âm ân âng âp ât âc e eo em en eng ep et ec ê êu êm ên ênh êp êt êch
    i ia iu im in inh ip it ich iêu iêm iên iêng iêp iêt iêc yêu yêm yên yêt y
    o oi om on ong op ot oc oong ooc ô ôi ôm ôn ông ôp ôt ôc ơ ơi ơm ơn ơp ơt
    u ua ui um un ung up ut uc uôi uôm uôn uông uôt uôc
    ư ưa ưi ưu ưm ưn ưng ưt ưc ươ ươi ươu ươm ươn ương ươp ươt ươc
    oa oai oao oay oam oan oang oanh oap oat oac oach oăm oăn oăng oăt oăc
    oe oeo oen oet uân uâng uât uây uê uênh uêch uơ
    uy uya uyu uyn uynh uyt uych uyp uyên uyêt
    """.split()
)
_CHECKED_ENDINGS = ("p", "t", "c", "ch")  # such syllables only take sắc or nặng
#: Frequent words in rosters and party documents (bonus when scoring decodings).
_COMMON_WORDS = frozenset(
    """
    nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh
    văn thị hữu đức thành minh hồng thanh ngọc quốc xuân
    chi bộ đảng viên ủy ban xã phường thị trấn huyện quận tỉnh thôn ấp tổ khu phố
    họ tên ngày tháng năm sinh quê quán dân tộc chức vụ đồng chí và của các là có không
    """.split()
)
_TOKEN_RE = re.compile(r"[^\s!-/:-@\[-`{-~\u2000-\u206f]+")


def _is_syllable(word: str) -> bool:
    """Return True if ``word`` is a well-formed Vietnamese syllable (any case)."""
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = [i for i, c in enumerate(nfd) if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    tone = None
    if tones:
        tone = nfd[tones[0]]
        before = nfd[: tones[0]].rstrip("".join(_VOWEL_MODIFIERS))
        if not before or before[-1] not in "aeiouy":
            return False
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if rhyme in _RHYMES or (onset == "qu" and "u" + rhyme in _RHYMES):
            if rhyme.endswith(_CHECKED_ENDINGS) and tone not in ("\u0301", "\u0323"):
                continue
            return True
    return False


@functools.lru_cache(maxsize=65536)
def _classify(token: str) -> tuple[int, int, int]:
    """Return (valid, invalid, common) for one token; (0, 0, 0) when it is not scored."""
    if token.isascii() or any(c.isdigit() for c in token):
        return 0, 0, 0
    if not _is_syllable(token):
        return 0, 1, 0
    return 1, 0, int(unicodedata.normalize("NFC", token.lower()) in _COMMON_WORDS)


def _analyse(text: str) -> tuple[int, int, int, int]:
    """Return (valid, invalid, common, longest) over words with non-ASCII characters.

    Words containing digits are ignored (``5µm``); ``longest`` is the length of the
    longest valid word.
    """
    valid = invalid = common = longest = 0
    for token in _TOKEN_RE.findall(text):
        v, i, c = _classify(token)
        valid, invalid, common = valid + v, invalid + i, common + c
        if v and len(token) > longest:
            longest = len(token)
    return valid, invalid, common, longest


# ------------------------------------------------------------------------ public API


class LegacyEncodingError(ValueError):
    """Bytes could not be decoded confidently (or a legacy encoding was refused).

    ``encoding`` is the suspected label (``"vni"``, ``"tcvn3"``, ``"cp1258"``...) or
    ``None`` when nothing looked like text.  ``str(exc)`` is a Vietnamese message;
    ``template`` and ``params`` allow re-translating it (``_(exc.template) % exc.params``).
    """

    def __init__(self, encoding: str | None, template: str | None = None, **params) -> None:
        if template is None:
            template = MSG_UNKNOWN_ENCODING if encoding is None else MSG_LEGACY_UNCONVERTIBLE
        self.encoding = encoding
        self.template = template
        self.params = {"encoding": ENCODING_NAMES.get(encoding or "", encoding or "?"), **params}
        super().__init__(template % self.params)


# Bytes that do not count as control characters when sniffing for binary data.
_NOT_CONTROL_BYTES = bytes(
    b
    for b in range(256)
    if 0x20 <= b != 0x7F or b in b"\t\n\r\x0b\x0c\x1a" or b in TCVN3_VN1_CAPITALS
)
_CANDIDATES = ("cp1258", "vni", "tcvn3")  # ties keep the earlier (most common) one
_SAMPLE_SIZE = 256 * 1024  # bytes scored to pick the encoding
_BAD_CHARS_RE = re.compile("[\ufffd\x80-\x9f]")


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    controls = len(data.translate(None, _NOT_CONTROL_BYTES))
    return controls > max(2, len(data) // 100)


def _best_legacy(sample: bytes) -> tuple[str, int, int]:
    """The legacy encoding under which `sample` looks most Vietnamese: (label, valid, invalid)."""
    scored = []
    for rank, encoding in enumerate(_CANDIDATES):
        text = decode_as(sample, encoding)
        valid, invalid, common, _ = _analyse(text)
        bad = len(_BAD_CHARS_RE.findall(text))
        scored.append((valid + common - 2 * invalid - 3 * bad, -rank, encoding, valid, invalid))
    _, _, encoding, valid, invalid = max(scored)
    return encoding, valid, invalid


def _mixed_lines(data: bytes) -> tuple[int, int, bytes] | None:
    """(first UTF-8 line, first legacy line, the legacy lines) of a file mixing both, or None.

    Decoding such a file one way would garble the other part; a legacy Vietnamese line
    (several accented letters) is practically never valid UTF-8 by accident.
    """
    found: dict[bool, list[tuple[int, bytes]]] = {True: [], False: []}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.isascii():
            found["\ufffd" not in line.decode("utf-8", "replace")].append((number, line))
    if not (found[True] and found[False]):
        return None
    return found[True][0][0], found[False][0][0], b"\n".join(x for _n, x in found[False])


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a CSV/text file and return ``(text_nfc, encoding_label)``.

    BOMs are honoured (``"utf-8-sig"``, ``"utf-16"``); otherwise strict UTF-8 is
    tried first (``"utf-8"``).  Failing that, Windows-1258, VNI and TCVN3 decodings
    are scored by how Vietnamese they look (valid syllables, common words) and the
    best one wins.  Raises :class:`LegacyEncodingError` for binary data or when no
    candidate is convincing.
    """
    if not data:
        return "", "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = decode_as(data, "utf-16")
        except UnicodeDecodeError:
            raise LegacyEncodingError(None) from None
        if "\x00" in text:
            raise LegacyEncodingError(None)
        return text, "utf-16"
    if _looks_binary(data):
        raise LegacyEncodingError(None)
    label = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    with contextlib.suppress(UnicodeDecodeError):
        return decode_as(data, label), label
    return _decode_legacy(data[3:] if label == "utf-8-sig" else data)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Pick the legacy encoding that reads most like Vietnamese, or refuse (see above)."""
    sample = data[:_SAMPLE_SIZE]
    if len(data) > _SAMPLE_SIZE and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n")]
    if (mixed := _mixed_lines(data)) is not None:
        utf8_line, legacy_line, lines = mixed
        encoding = _best_legacy(lines[:_SAMPLE_SIZE])[0]
        raise LegacyEncodingError(
            encoding, MSG_MIXED_ENCODINGS, utf8_line=utf8_line, legacy_line=legacy_line
        )
    encoding, valid, invalid = _best_legacy(sample)
    if invalid and not valid:
        raise LegacyEncodingError(None)
    if valid < 1.5 * invalid:  # fewer than 60 % of the accented words are Vietnamese
        raise LegacyEncodingError(encoding)
    text = decode_as(data, encoding)
    if _BAD_CHARS_RE.search(text):  # undefined bytes in the chosen encoding
        raise LegacyEncodingError(encoding)
    return text, encoding


def require_unicode(data: bytes) -> str:
    """Decode a file that must already be Unicode (UTF-8/UTF-16) and return NFC text.

    Raises :class:`LegacyEncodingError` (message :data:`MSG_LEGACY_NOT_ALLOWED`) when
    the file is in a legacy encoding, or as :func:`decode_bytes` does.
    """
    text, encoding = decode_bytes(data)
    if encoding in LEGACY_ENCODINGS:
        raise LegacyEncodingError(encoding, MSG_LEGACY_NOT_ALLOWED)
    return text


def fix_legacy_text(s: str) -> tuple[str, str | None]:
    """Repair one spreadsheet cell typed with a TCVN3 (.VnTime) or VNI font.

    Such text reaches Python as Latin-1/Windows-1252 mojibake, e.g. TCVN3
    ``"NguyÔn V¨n An"`` or VNI ``"Nguyeãn Vaên An"``.  Returns
    ``(fixed_nfc_text, "tcvn3" | "vni")`` when the cell is recognised, otherwise
    ``(s, None)`` unchanged.  Conservative: genuine Unicode (any character beyond
    Windows-1252), ASCII, and text whose accented words are already valid Vietnamese
    are never touched; a conversion is only accepted when every accented word becomes
    a valid Vietnamese syllable and at least one of them has two or more letters.
    """
    if not isinstance(s, str) or s.isascii():
        return s, None
    if any(ord(c) > 0xFF and c not in _CP1252_SPECIALS for c in s):
        return s, None
    if not _analyse(s)[1]:
        return s, None
    results = []
    for encoding, convert in (("tcvn3", _tcvn3_from_str), ("vni", _vni_from_str)):
        fixed = convert(s)
        valid, invalid, common, longest = _analyse(fixed)
        # a lone converted letter ("ñ" -> "ủ", "où" -> "ó") is too weak a signal
        if fixed != s and valid and not invalid and longest >= 2:
            results.append((valid + common, encoding, fixed))
    if not results:
        return s, None
    results.sort(reverse=True)
    if len(results) > 1 and results[0][0] == results[1][0]:
        return s, None  # ambiguous: better to leave it alone
    return results[0][2], results[0][1]
