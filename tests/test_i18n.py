"""Vietnamese by default, English second; Vietnamese number and date formats; full catalogues."""

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from core.i18n import fmt_date, fmt_month, fmt_number, fmt_percent
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent


def test_vietnamese_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in html and "Đăng nhập" in html


def test_an_english_phone_still_gets_vietnamese(client):
    html = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="vi"' in html and "Đăng nhập" in html and "Sign in" not in html


def test_cookie_then_user_setting_choose_english(client, world, as_role):
    token = csrf_token(client)
    client.post("/preferences/language", data={"lang": "en", "csrf_token": token})
    assert "Sign in" in client.get("/login").get_data(as_text=True)  # the person's own choice
    client.post("/preferences/language", data={"lang": "vi", "csrf_token": csrf_token(client)})
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Đăng nhập" in html
    as_role("member_a")
    client.post("/preferences/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    client.delete_cookie("locale")
    assert "My record" in client.get("/me").get_data(as_text=True)  # saved on the account


def test_number_and_date_formats(app):
    with app.test_request_context("/"):
        assert fmt_number(51500) == "51.500"
        assert fmt_percent(0.923) == "92,3%"
        assert fmt_date(date(2023, 5, 19)) == "19/05/2023"
        # Months one way, like the month part of a date; a moment's month is Vietnam's.
        assert fmt_month(date(2026, 3, 1)) == "03/2026"
        assert fmt_month(datetime(2026, 3, 31, 18, 0)) == "04/2026"  # 01:00 on 1/4 in Vietnam
    with app.test_request_context("/", headers={"Cookie": "locale=en"}):
        assert fmt_number(51500) == "51,500"
        assert fmt_percent(0.923) == "92.3%"
        assert fmt_date(date(2023, 5, 19)) == "19/05/2023"


def _extract(tmp_path) -> Path:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--ignore-dirs",
            ".venv tests bench content node_modules migrations",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    return pot


def test_every_string_has_vietnamese_and_english_translations(tmp_path):
    with _extract(tmp_path).open("rb") as f:
        template = read_po(f)
    missing = {}
    for locale in ("vi", "en"):
        with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=locale)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            if found is None or not found.string or found.fuzzy:
                missing.setdefault(locale, []).append(message.id)
    assert not missing, f"untranslated strings (run `flask translate update`): {missing}"


def test_every_wtforms_message_has_our_translation():
    """WTForms ships no Vietnamese: each message it can produce must be in core.form_messages."""
    from wtforms.i18n import messages_path

    from core.form_messages import MESSAGES

    with open(Path(messages_path()) / "wtforms.pot", "rb") as handle:
        catalog = read_po(handle)
    wanted = set()
    for message in catalog:
        if message.id:
            wanted |= set(message.id) if isinstance(message.id, tuple) else {message.id}
    assert len(wanted) > 40
    assert sorted(wanted - MESSAGES.keys()) == []


def test_wtforms_messages_reach_the_user_in_their_language(client, world, as_role):
    """A field over its length limit, with no message of its own, answers in Vietnamese."""
    as_role("admin")
    token = csrf_token(client, "/admin/roles")
    data = {"login": "5" * 80, "role": "deputy", "unit_code": "A", "csrf_token": token}
    html = client.post("/admin/roles", data=data).get_data(as_text=True)
    assert "Mục này dài quá 64 ký tự." in html and "Field cannot be longer" not in html
    client.post("/preferences/language", data={"lang": "en", "csrf_token": token})
    english = client.post("/admin/roles", data=data).get_data(as_text=True)
    assert "Field cannot be longer than 64 characters." in english
