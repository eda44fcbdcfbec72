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
            _("Mật khẩu không được chứa số thẻ, số điện thoại hoặc tên đăng nhập của bạn.")
        )
    return problems


# Short, easy-to-type Vietnamese syllables without diacritics for initial passwords.
_SYLLABLES = (
    "an ba bac binh cam chau dao dong gia ha hai hoa hong hung khanh lam lan linh long mai minh "
    "nam ngoc nhan phu phuc quang son tam tan thanh thu tien trung tuan vinh xuan yen"
).split()


def initial_password() -> str:
    """A random initial password such as "hoa-minh-4821-son": readable on a slip, ~38 bits."""
    words = [secrets.choice(_SYLLABLES) for _ in range(3)]
    return f"{words[0]}-{words[1]}-{secrets.randbelow(9000) + 1000}-{words[2]}"
