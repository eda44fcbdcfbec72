"""Vietnamese text helpers: NFC cleaning, search folding, name sorting, card and phone numbers."""

import unicodedata

from core.text import (
    clean,
    clean_multiline,
    fold,
    name_sort_key,
    normalise_card_number,
    normalise_phone,
    text_sort_key,
)


def test_clean_makes_nfc_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn\tĐức \x00 ")
    assert clean(decomposed) == "Nguyễn Văn Đức"
    assert unicodedata.is_normalized("NFC", clean(decomposed))


def test_clean_multiline_keeps_paragraphs():
    assert clean_multiline("Dòng một  \r\n\r\n\r\n  Dòng   hai") == "Dòng một\n\nDòng hai"


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Đảng viên Đặng Thị Ấn") == "dang vien dang thi an"
    assert fold(unicodedata.normalize("NFD", "Sinh hoạt chi bộ")) == "sinh hoat chi bo"


def _sorted(names):
    return sorted(names, key=name_sort_key)


def test_sort_by_given_name_then_middle_then_family():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An", "Nguyễn Văn An"]
    # An (Lê Văn, Nguyễn Thị, Nguyễn Văn) before Bình; among "An": middle name Thị < Văn,
    # then family name Lê < Nguyễn.
    assert _sorted(names) == ["Nguyễn Thị An", "Lê Văn An", "Nguyễn Văn An", "Trần Văn Bình"]


def test_vietnamese_alphabet_order():
    # a < ă < â, d < đ, o < ô < ơ, u < ư: plain code-point order gets several of these wrong.
    given = ["Ánh", "Ân", "Ăn", "An", "Đức", "Dũng", "Ơn", "Ôn", "On", "Ưng", "Uyên"]
    names = [f"Nguyễn Văn {g}" for g in given]
    order = [n.split()[-1] for n in _sorted(names)]
    assert order == ["An", "Ánh", "Ăn", "Ân", "Dũng", "Đức", "On", "Ôn", "Ơn", "Uyên", "Ưng"]


def test_tones_are_secondary_in_dictionary_order():
    # Same letters: no tone < huyền < hỏi < ngã < sắc < nặng.
    given = ["Lạc", "Lác", "Lãc", "Lảc", "Làc", "Lac"]
    order = [n.split()[-1] for n in _sorted([f"Lê Văn {g}" for g in given])]
    assert order == ["Lac", "Làc", "Lảc", "Lãc", "Lác", "Lạc"]
    # A difference in letters outweighs any tone: "Ân" sorts after every "An…" with tones.
    assert name_sort_key("Lê Văn Ạn") < name_sort_key("Lê Văn Ân")


def test_shorter_given_name_first():
    assert _sorted(["Phạm Anh", "Phạm An"]) == ["Phạm An", "Phạm Anh"]


def test_card_number_normalised():
    assert normalise_card_number(" 52.100 001 ") == "52100001"
    assert normalise_card_number("ab-12") == "AB12"


def test_phone_normalised_or_rejected():
    assert normalise_phone("+84 905 000 001") == "0905000001"
    assert normalise_phone("84905000001") == "0905000001"
    assert normalise_phone("0905.000.001") == "0905000001"
    assert normalise_phone("0255 3822 123") == "02553822123"
    assert normalise_phone("12345") is None
    assert normalise_phone("0105000001") is None


def test_unit_names_sort_the_vietnamese_way():
    names = [
        "Thị ủy Đức Phổ",
        "Đảng bộ Công an tỉnh",
        "Huyện ủy Ba Tơ",
        "Dân vận",
        "Ấp Bắc",
        "An Nhơn",
    ]
    assert sorted(names, key=text_sort_key) == [
        "An Nhơn",
        "Ấp Bắc",  # Â after A
        "Dân vận",
        "Đảng bộ Công an tỉnh",  # Đ after D, before E
        "Huyện ủy Ba Tơ",
        "Thị ủy Đức Phổ",
    ]
