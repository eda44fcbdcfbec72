"""Password policy after OWASP ASVS 5: length, not common, not the user's own identifiers.

No composition rules and no forced rotation; pasting is allowed. Initial passwords handed out
on login slips are long random words that pass this policy and must be changed at first login.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from itertools import pairwise
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128
_DATA = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def _common() -> frozenset[str]:
    lines = _DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _squash(value: str) -> str:
    from core.text import fold

    return re.sub(r"[\s._-]+", "", fold(value))


def _is_pattern(squashed: str) -> bool:
    """A single repeated character, or a run of consecutive digits or letters."""
    if len(set(squashed)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in pairwise(squashed)}
    return steps in ({1}, {-1})


def password_problems(password: str, *, identifiers: tuple[str, ...] = ()) -> list[str]:
    """Reasons (translated) why `password` is refused; an empty list means it is accepted."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Mật khẩu dài quá %(n)d ký tự.", n=MAX_LENGTH))
    squashed = _squash(password)
    if squashed in _common() or _is_pattern(squashed):
        problems.append(_("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."))
    idents = {_squash(i) for i in identifiers if i}
    if any(i and (i in squashed or squashed in i) for i in idents if len(i) >= 4):
        problems.append(
            _("Mật khẩu không được chứa số thẻ, số điện thoại hoặc tên đăng nhập của đồng chí.")
        )
    return problems


# Short Vietnamese syllables without diacritics for initial passwords: easy to read aloud and
# to type on a phone keyboard. Digits 2-9 only, so 0/O and 1/l/I are never confused.
_SYLLABLES = tuple(
    sorted(
        set(
            """
    an ba bac bang banh bao bay ben binh bong ca cam canh cao chau che chi chinh chu chung co
    con cuc cuong da dai dan dang danh dao dat dieu dinh do doan dong du duc dung duong gia
    giang hai han hanh hao hau hien hieu hoa hoan hoang hoi hong hue hung huong huy khai khang
    khanh khoa khoi kien kim lac lam lan lang lanh le lien linh loan loc loi long luan luong
    mai manh mien minh nam nga ngan nghia ngoc nguyen nhan nhat nhu ninh oanh phat phong phu
    phuc phuong quan quang que quoc quy sang sinh son suong tai tam tan tang thai thanh thao
    thi thien thinh thu thuan thuy tien tin toan trang tri trinh trong trung truong tu tuan
    tung tuong uyen van viet vinh vu vuong xuan yen hau bich cuc diep giao hop kha lua mo
    """.split()
        )
    )
)
_DIGITS = "23456789"
WORDS_PER_PASSWORD = 4
DIGITS_PER_PASSWORD = 4


def initial_password_bits() -> float:
    """Entropy of `initial_password` in bits (at least 40, as the tests check)."""
    import math

    return WORDS_PER_PASSWORD * math.log2(len(_SYLLABLES)) + DIGITS_PER_PASSWORD * math.log2(
        len(_DIGITS)
    )


def initial_password() -> str:
    """A random initial password such as "hoa-minh-4825-son-lan": readable, ≥ 40 bits."""
    words = [secrets.choice(_SYLLABLES) for _ in range(WORDS_PER_PASSWORD)]
    digits = "".join(secrets.choice(_DIGITS) for _ in range(DIGITS_PER_PASSWORD))
    return f"{words[0]}-{words[1]}-{digits}-{words[2]}-{words[3]}"
