"""An older member on a small phone in large text (320 x 640): large text chosen on the login
page is kept after login, the header takes one line, rating and vote targets are big enough,
and "Hồ sơ của tôi" shows tuổi đảng."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.meetings.models import Attendance, Meeting, MeetingStatus, Minutes, Motion
from blueprints.meetings.services.live import live_change
from blueprints.members.models import Member
from core.extensions import db
from core.models import utcnow
from tests.browser.conftest import assert_no_axe_violations, open_settings
from tests.browser.content import add_meeting
from tests.conftest import PASSWORD

SMALL = {"width": 320, "height": 640}
# Sizes of the targets a selector matches, for the ≥ 44 px check.
SIZES_JS = (
    "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.width, b.height]; })"
)


def _prepare(app, world) -> dict[str, int]:
    """Dates on member_a's record, an open vote she may answer, a closed meeting to rate."""
    ids = add_meeting(app, world)
    with app.app_context():
        member = db.session.get(Member, world.members["mem_a"])
        member.birth_date, member.gender = date(1957, 9, 2), "F"
        member.joined_on, member.official_on = date(1988, 3, 3), date(1989, 3, 3)
        meeting = db.session.get(Meeting, ids["meeting"])
        line = db.session.scalar(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.member_id == member.id
            )
        )
        line.status, line.checked_in_at = "present", utcnow()
        db.session.add(
            Motion(
                meeting_id=meeting.id,
                text="Thông qua nghị quyết",
                status="open",
                opened_at=utcnow(),
            )
        )
        live_change(meeting)
        db.session.commit()
    closed = add_meeting(app, world, ongoing=False)["meeting"]
    with app.app_context():
        meeting = db.session.get(Meeting, closed)
        meeting.status, meeting.started_at, meeting.ended_at = (
            MeetingStatus.CLOSED,
            utcnow(),
            utcnow(),
        )
        db.session.add(Minutes(meeting_id=meeting.id, body="Biên bản buổi sinh hoạt."))
        live_change(meeting)
        db.session.commit()
    return {"live": ids["meeting"], "closed": closed}


def test_older_member_on_a_small_phone_in_large_text(app, live_server, new_page):
    world = live_server.world
    ids = _prepare(app, world)
    page = new_page(viewport=SMALL)

    # Large text chosen on the login page, before signing in ...
    page.goto(live_server + "/login")
    open_settings(page)
    page.get_by_role("button", name=re.compile("Chữ lớn")).click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    page.get_by_label("Số thẻ đảng viên hoặc số điện thoại").fill(world.logins["member_a"])
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    # ... is kept after it.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))

    # The header is one line: well under a fifth of the 640 px screen; settings one tap away.
    height = page.locator("header").bounding_box()["height"]
    assert height < 640 / 5 * 0.75, f"header is {height:.0f} px high"
    toggle = page.get_by_role("button", name="Cài đặt")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.get_by_role("button", name=re.compile("Chữ lớn"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_no_axe_violations(page, "home, large text, 320 px, settings open")

    # "Hồ sơ của tôi" shows tuổi đảng and the next badge.
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    expect(page.locator("[data-party-age]")).to_contain_text(re.compile(r"\d+ năm"))
    expect(page.locator("main")).to_contain_text("Huy hiệu")
    assert_no_axe_violations(page, "my record, large text")

    # Vote choices (each label with its radio) and "Gửi phiếu" on the live page are ≥ 44 px.
    page.goto(live_server + f"/meetings/{ids['live']}/live")
    votes = page.locator(".vote-form label.choice, .vote-form button")
    expect(votes.first).to_be_visible()
    for width, tall in votes.evaluate_all(SIZES_JS):
        assert width >= 44 and tall >= 44

    # The rating says what 1 and 5 mean; each choice (label with its radio) is ≥ 44 px.
    page.goto(live_server + f"/meetings/{ids['closed']}/minutes")
    expect(page.locator("#rating-scale")).to_contain_text("1 là kém")
    expect(page.locator("#rating-scale")).to_contain_text("5 là rất tốt")
    options = page.locator(".rating label")
    expect(options.first).to_be_visible()
    for width, tall in options.evaluate_all(SIZES_JS):
        assert width >= 44 and tall >= 44
    # No English bubble: the form is checked by the server, which answers in Vietnamese.
    assert page.evaluate("[...document.forms].every(f => f.noValidate)")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("main")).not_to_contain_text("Please")
