"""Tests for core.legacy_vn: legacy Vietnamese encodings (TCVN3, VNI, cp1258) -> Unicode."""

import random
import shutil
import subprocess
import unicodedata

import pytest

from core import legacy_vn as lv

# ----------------------------------------------------------------------- test helpers

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # -, huyền, hỏi, ngã, sắc, nặng
BASES = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
LOWER_LETTERS = sorted(
    ({unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES} - set("aeiouy")) | {"đ"}
)
ALL_LETTERS = LOWER_LETTERS + [c.upper() for c in LOWER_LETTERS]

# Inverse tables built from the module's public tables.
VN3_INV = {ch: b for b, ch in lv.TCVN3_TABLE.items() if not unicodedata.combining(ch)}
VN1_INV = {ch: b for b, ch in lv.TCVN3_VN1_CAPITALS.items()}

PHRASES = [
    "Nguyễn Văn Ánh",
    "Trần Thị Hồng Nhung",
    "Chi bộ Thôn Phú Lộc",
    "Đảng bộ xã Tịnh Ấn Tây",
    "Lê Quý Đôn",
]
ROSTER = (
    "STT,Họ và tên,Ngày sinh,Chi bộ,Chức vụ\r\n"
    "1,Nguyễn Văn Ánh,12/03/1975,Chi bộ Thôn Phú Lộc,Bí thư chi bộ\r\n"
    "2,Trần Thị Hồng Nhung,01/11/1988,Chi bộ Thôn Phú Lộc,Đảng viên\r\n"
    "3,Lê Quý Đôn,25/07/1990,Đảng bộ xã Tịnh Ấn Tây,Phó bí thư\r\n"
    "4,Phạm Đức Thắng,09/09/1969,Chi bộ Khu phố Ượt,Đảng viên dự bị\r\n"
)


def vnvnh_fold(text: str) -> str:
    """What survives a VN3-only (.VnTime/.VnTimeH) round trip: capitals outside VN3 fold."""
    return "".join(c.lower() if not c.isascii() and c not in VN3_INV else c for c in text)


def to_tcvn3(text: str, *, vn1: bool = True) -> bytes:
    """Unicode -> TCVN3 bytes; without ``vn1`` toned capitals use lowercase codes."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ord(ch))
        elif ch in VN3_INV:
            out.append(VN3_INV[ch])
        else:
            out.append(VN1_INV[ch] if vn1 else VN3_INV[ch.lower()])
    return bytes(out)


def to_vni(text: str) -> bytes:
    """Unicode -> VNI-Windows bytes."""
    nfc = unicodedata.normalize("NFC", text)
    return "".join(lv.VNI_TABLE.get(ch, ch) for ch in nfc).encode("cp1252")


def to_cp1258(text: str) -> bytes:
    """Unicode -> Windows-1258: precomposed where possible, else base + combining tone."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in nfd if c in TONES[1:])
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES[1:]))
            out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def random_bytes(seed: int, low: int, high: int, count: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, high) for _ in range(count))


def as_excel_cell(data: bytes) -> str:
    """Bytes typed with a legacy font, as they appear in an .xlsx cell (Windows-1252)."""
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in data)


# ------------------------------------------------------------------------ the tables


def test_letter_inventory_is_134():
    assert len(LOWER_LETTERS) == 67
    assert len(set(ALL_LETTERS)) == 134


def test_vni_table_covers_exactly_the_134_letters():
    assert set(lv.VNI_TABLE) == set(ALL_LETTERS)
    sequences = list(lv.VNI_TABLE.values())
    assert len(set(sequences)) == 134  # unambiguous
    for seq in sequences:
        assert 1 <= len(seq) <= 2
        seq.encode("cp1252")  # every VNI sequence is 8-bit text


def test_tcvn3_tables_cover_the_134_letters():
    vn3 = set(VN3_INV)
    assert vn3 == set(LOWER_LETTERS) | set("ĂÂÊÔƠƯĐ")
    assert all(0xA1 <= b <= 0xFE for b in lv.TCVN3_TABLE)
    assert {lv.TCVN3_TABLE[b] for b in range(0xA1, 0xA8)} == set("ĂÂÊÔƠƯĐ")
    assert vn3 | set(VN1_INV) == set(ALL_LETTERS)
    assert not set(lv.TCVN3_TABLE) & set(lv.TCVN3_VN1_CAPITALS)


@pytest.mark.parametrize(
    ("letter", "sequence"),
    [
        ("á", "aù"), ("à", "aø"), ("ả", "aû"), ("ã", "aõ"), ("ạ", "aï"),
        ("ă", "aê"), ("ắ", "aé"), ("ặ", "aë"), ("â", "aâ"), ("ấ", "aá"), ("ậ", "aä"),
        ("ễ", "eã"), ("ô", "oâ"), ("ơ", "ô"), ("ớ", "ôù"), ("ư", "ö"), ("ự", "öï"),
        ("í", "í"), ("ỉ", "æ"), ("ĩ", "ó"), ("ị", "ò"), ("ỵ", "î"), ("ý", "yù"),
        ("đ", "ñ"), ("Đ", "Ñ"), ("Ấ", "AÁ"), ("Ơ", "Ô"), ("Ư", "Ö"), ("Ỵ", "Î"),
    ],
)  # fmt: skip
def test_vni_known_sequences(letter, sequence):
    assert lv.VNI_TABLE[letter] == sequence


def test_known_legacy_byte_values():
    assert to_vni("đĐ") == b"\xf1\xd1"
    assert lv.decode_as(b"Nguy\xd4n V\xa8n An", "tcvn3") == "Nguyễn Văn An"
    assert lv.decode_as(b"Nguye\xe3n Va\xean An", "vni") == "Nguyễn Văn An"
    assert lv.decode_as(b"\xa7\xb6ng b\xe9 x\xb7", "tcvn3") == "Đảng bộ xã"
    # TCVN3 combining tone bytes 0xB0-0xB4 compose to NFC
    assert lv.decode_as(b"a\xb3 e\xb4", "tcvn3") == "á ẹ"


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_round_trip_every_letter(letter):
    assert lv.decode_as(to_vni(letter), "vni") == letter
    assert lv.decode_as(to_tcvn3(letter), "tcvn3") == letter
    assert lv.decode_as(to_cp1258(letter), "cp1258") == letter
    # .VnTimeH style: toned capitals stored with lowercase codes fold to lowercase alone,
    # and are restored inside an all-capital word.
    assert lv.decode_as(to_tcvn3(letter, vn1=False), "tcvn3") == vnvnh_fold(letter)
    assert lv.decode_as(to_tcvn3("NG" + letter.upper(), vn1=False), "tcvn3") == "NG" + (
        letter.upper()
    )


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn3_table_matches_glibc_tcvn5712_1():
    if (
        subprocess.run(["iconv", "-l"], capture_output=True, text=True).stdout.find("TCVN5712-1")
        < 0
    ):
        pytest.skip("iconv has no TCVN5712-1")
    table = {**lv.TCVN3_TABLE, **lv.TCVN3_VN1_CAPITALS}
    for byte, char in table.items():
        res = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([byte]), capture_output=True
        )
        assert unicodedata.normalize("NFC", res.stdout.decode()) == char, hex(byte)


# ---------------------------------------------------------------------- decode_bytes


@pytest.mark.parametrize("phrase", PHRASES)
def test_decode_bytes_phrases_in_every_encoding(phrase):
    assert lv.decode_bytes(phrase.encode()) == (phrase, "utf-8")
    assert lv.decode_bytes(phrase.encode("utf-8-sig")) == (phrase, "utf-8-sig")
    assert lv.decode_bytes(phrase.encode("utf-16")) == (phrase, "utf-16")
    assert lv.decode_bytes(b"\xfe\xff" + phrase.encode("utf-16-be")) == (phrase, "utf-16")
    assert lv.decode_bytes(to_cp1258(phrase)) == (phrase, "cp1258")
    assert lv.decode_bytes(to_vni(phrase)) == (phrase, "vni")
    assert lv.decode_bytes(to_tcvn3(phrase)) == (phrase, "tcvn3")
    assert lv.decode_bytes(to_tcvn3(phrase, vn1=False)) == (vnvnh_fold(phrase), "tcvn3")
    upper = phrase.upper()
    assert lv.decode_bytes(to_tcvn3(upper, vn1=False)) == (upper, "tcvn3")
    assert lv.decode_bytes(to_vni(upper)) == (upper, "vni")


@pytest.mark.parametrize(
    ("encode", "label"),
    [(to_cp1258, "cp1258"), (to_vni, "vni"), (to_tcvn3, "tcvn3"), (str.encode, "utf-8")],
)
def test_decode_bytes_full_roster(encode, label):
    assert lv.decode_bytes(encode(ROSTER)) == (ROSTER, label)


def test_decode_bytes_vnvnh_roster():
    assert lv.decode_bytes(to_tcvn3(ROSTER, vn1=False)) == (vnvnh_fold(ROSTER), "tcvn3")


def test_decode_bytes_returns_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert lv.decode_bytes(nfd.encode()) == ("Nguyễn Thị Ánh", "utf-8")


def test_decode_bytes_plain_english_csv_unchanged():
    csv = b"id,name,email,code\r\n1,John Smith,john@example.com,CB-001\r\n"
    assert lv.decode_bytes(csv) == (csv.decode(), "utf-8")
    assert lv.decode_bytes(b"") == ("", "utf-8")


def test_decode_bytes_windows_punctuation_without_words():
    assert lv.decode_bytes(b"name,note\nJohn,\x93ok\x94\n") == ("name,note\nJohn,“ok”\n", "cp1258")


@pytest.mark.parametrize(
    "junk",
    [
        random.Random(1234).randbytes(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(512),
        b"PK\x03\x04\x14\x00\x06\x00" + random.Random(8).randbytes(256),
        bytes(range(256)),
        b"\x00" * 16,
        random_bytes(5, 0x80, 0x100, 2000),
        random_bytes(6, 0x01, 0x20, 300),
        random_bytes(9, 0x01, 0x100, 3000),
    ],
)
def test_decode_bytes_binary_junk_raises(junk):
    with pytest.raises(lv.LegacyEncodingError) as info:
        lv.decode_bytes(junk)
    assert info.value.encoding is None
    assert str(info.value) == lv.MSG_UNKNOWN_ENCODING
    assert isinstance(info.value, ValueError)


def test_decode_bytes_unconvincing_legacy_names_encoding():
    # Mostly non-Vietnamese accented words: a guess exists but it is not confident.
    data = b"H\xe0 N\xf4m,caf\xe9 na\xefve r\xe9sum\xe9 cr\xe8me br\xfbl\xe9e fa\xe7ade\n"
    with pytest.raises(lv.LegacyEncodingError) as info:
        lv.decode_bytes(data)
    assert info.value.encoding in lv.LEGACY_ENCODINGS
    assert "không chuyển đổi được" in str(info.value)
    assert lv.ENCODING_NAMES[info.value.encoding] in str(info.value)


# --------------------------------------------------------------------- require_unicode


def test_require_unicode():
    assert lv.require_unicode("Chi bộ Thôn Phú Lộc".encode()) == "Chi bộ Thôn Phú Lộc"
    with pytest.raises(lv.LegacyEncodingError) as info:
        lv.require_unicode(to_vni(ROSTER))
    assert info.value.encoding == "vni"
    assert str(info.value) == lv.MSG_LEGACY_NOT_ALLOWED % {"encoding": "VNI"}


def test_error_messages_are_vietnamese_templates():
    err = lv.LegacyEncodingError("vni")
    assert str(err) == (
        "Tệp dùng bảng mã cũ (VNI) không chuyển đổi được; hãy lưu lại tệp ở dạng Unicode (UTF-8)."
    )
    assert err.template == lv.MSG_LEGACY_UNCONVERTIBLE and err.params == {"encoding": "VNI"}
    assert "TCVN3" in str(lv.LegacyEncodingError("tcvn3"))
    for msg in (lv.MSG_LEGACY_UNCONVERTIBLE, lv.MSG_LEGACY_NOT_ALLOWED, lv.MSG_UNKNOWN_ENCODING):
        assert "Unicode (UTF-8)" in msg and "tệp" in msg


def test_decode_as_rejects_unknown_label():
    with pytest.raises(ValueError):
        lv.decode_as(b"abc", "koi8-r")


# ------------------------------------------------------------------- fix_legacy_text


def test_fix_legacy_text_brief_examples():
    assert lv.fix_legacy_text("NguyÔn V¨n An") == ("Nguyễn Văn An", "tcvn3")
    assert lv.fix_legacy_text("Nguyeãn Vaên An") == ("Nguyễn Văn An", "vni")


@pytest.mark.parametrize("phrase", PHRASES)
def test_fix_legacy_text_phrases(phrase):
    assert lv.fix_legacy_text(as_excel_cell(to_vni(phrase))) == (phrase, "vni")
    assert lv.fix_legacy_text(as_excel_cell(to_vni(phrase.upper()))) == (phrase.upper(), "vni")
    vn3 = as_excel_cell(to_tcvn3(phrase, vn1=False))
    assert lv.fix_legacy_text(vn3) == (vnvnh_fold(phrase), "tcvn3")
    vnh = as_excel_cell(to_tcvn3(phrase.upper(), vn1=False))
    assert lv.fix_legacy_text(vnh) == (phrase.upper(), "tcvn3")
    assert lv.fix_legacy_text(as_excel_cell(to_tcvn3(phrase))) == (phrase, "tcvn3")


def test_fix_legacy_text_keeps_surrounding_ascii():
    cell = as_excel_cell(to_vni("Đảng viên (CB-001), Chi bộ 3"))
    assert lv.fix_legacy_text(cell) == ("Đảng viên (CB-001), Chi bộ 3", "vni")


@pytest.mark.parametrize(
    "text",
    PHRASES
    + [p.upper() for p in PHRASES]
    + [
        unicodedata.normalize("NFD", "Nguyễn Văn Ánh"),
        "Tô Lâm", "Lê Hà", "Hà Tây", "Cà Mau", "Mê Linh", "Lê", "Hà", "Tô", "Hoà", "Lý",
        "Hà Nội", "Thừa Thiên Huế", "Đắk Lắk",
    ],
)  # fmt: skip
def test_fix_legacy_text_leaves_unicode_alone(text):
    assert lv.fix_legacy_text(text) == (text, None)


@pytest.mark.parametrize(
    "text",
    [
        "", "CB-001", "Nguyen Van A", "john@example.com", "0912 345 678", "Yes", "N/A",
        "café", "José García", "Müller", "François", "São Paulo", "naïve résumé", "Zürich",
        "crème brûlée", "Ångström", "Straße", "Björk", "où", "déjà vu", "ñ", "ü", "â",
        "5µm", "25°C", "3½", "© 2024", "«quote»", "¿Qué?",
    ],
)  # fmt: skip
def test_fix_legacy_text_leaves_ascii_and_foreign_alone(text):
    assert lv.fix_legacy_text(text) == (text, None)
