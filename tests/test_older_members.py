"""Older members: Vietnamese whatever the phone, large text kept at login, "Hồ sơ của tôi"
with tuổi đảng and the next Huy hiệu Đảng, days shown with their weekday."""

from datetime import date, datetime

from blueprints.auth.models import User
from blueprints.members.models import Member
from blueprints.members.services import party_age, probation_end
from core.extensions import db
from core.i18n import fmt_day, fmt_day_time
from tests.conftest import csrf_token, login


def test_probation_ends_twelve_calendar_months_after_joining():
    assert probation_end(date(2025, 7, 26)) == date(2026, 7, 26)
    # 365 days would end one day early across 29 February.
    assert probation_end(date(2023, 3, 10)) == date(2024, 3, 10)
    assert probation_end(date(2024, 2, 29)) == date(2025, 2, 28)


def test_party_age_counts_official_members_from_joining_minus_interruptions():
    today = date(2026, 12, 1)
    assert party_age(date(2026, 3, 1), None, today) is None  # still probationary
    age = party_age(date(1996, 12, 2), date(1997, 12, 2), today)
    assert (age.years, age.months, age.next_badge) == (29, 11, 30)
    assert age.next_badge_on == date(2026, 12, 2)
    age = party_age(date(1986, 5, 19), date(1987, 5, 19), today)
    assert (age.years, age.next_badge, age.next_badge_on) == (40, 45, date(2031, 5, 19))
    # A year out of Party activity pushes every badge a year later.
    later = party_age(date(1986, 5, 19), date(1987, 5, 19), today, interrupted_days=365)
    assert later.years == 39 and later.next_badge == 40


def test_days_are_shown_with_their_weekday(app):
    with app.test_request_context("/"):
        assert fmt_day(date(2026, 12, 4)) == "Thứ Sáu, 04/12/2026"
        assert fmt_day(date(2026, 12, 6)) == "Chủ Nhật, 06/12/2026"
        # a stored UTC moment is shown as the day in Vietnam
        assert fmt_day_time(datetime(2026, 12, 3, 17, 30)) == "Thứ Sáu, 04/12/2026 lúc 00:30"


def test_an_english_phone_gets_vietnamese(client):
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="vi"' in html and "Đăng nhập" in html


def test_large_text_chosen_on_the_login_page_is_kept_after_login(app, client, world):
    token = csrf_token(client)
    client.post(
        "/preferences/display",
        data={"setting": "large_text", "value": "1", "next": "/login", "csrf_token": token},
    )
    assert 'class="large-text' in client.get("/login").get_data(as_text=True)
    assert login(client, world.logins["member_a"]).status_code == 302
    assert 'class="large-text' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users["member_a"]).large_text


def test_my_record_shows_the_national_fields_party_age_and_next_badge(app, client, world, as_role):
    with app.app_context():
        member = db.session.get(Member, world.members["mem_a"])
        member.birth_date, member.gender = date(1958, 4, 30), "F"
        member.joined_on, member.official_on = date(1990, 1, 15), date(1991, 1, 15)
        db.session.commit()
    as_role("member_a")
    html = client.get("/me").get_data(as_text=True)
    assert "Hồ sơ của tôi" in html
    for text in ("Trần Thị Ánh", "52100002", "Chi bộ thôn An Phú", "30/04/1958", "Nữ"):
        assert text in html
    assert "15/01/1990" in html and "15/01/1991" in html and "0905000002" in html
    assert "Tuổi đảng" in html and "Huy hiệu 40 năm tuổi đảng" in html
    assert "15/01/2030" in html


def test_probationary_member_is_told_party_age_starts_when_official(app, client, world, as_role):
    with app.app_context():
        member = db.session.get(Member, world.members["mem_a"])
        member.status, member.joined_on, member.official_on = "probationary", date.today(), None
        db.session.commit()
    as_role("member_a")
    assert "thời kỳ dự bị" in client.get("/me").get_data(as_text=True)


def test_install_page_says_how_this_app_sits_beside_the_national_one(client):
    html = client.get("/install").get_data(as_text=True)
    assert "Quy định 339-QĐ/TW ngày 10/7/2025" in html
    assert "không thay thế ứng dụng của Trung ương" in html
