"""Steps that several browser tests take through the real UI, written once.

Unlike `content.py` (which writes straight to the database), these drive the screens a
secretary uses, finding everything by its Vietnamese label, as a new user would.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import login_in_browser
from tests.conftest import PASSWORD, vietnam_now


def schedule(console, base, secretary: str = "52100001") -> datetime:
    """Log the secretary of Chi bộ thôn An Phú in and schedule this month's meeting in half an
    hour with Trần Thị Ánh as clerk; the console is left on the new meeting's page.

    Returns the start time typed into the form (Vietnam time)."""
    login_in_browser(console, base, secretary, PASSWORD)
    console.goto(base + "/meetings/")
    console.get_by_role("link", name=re.compile("Lên lịch cho Chi bộ thôn An Phú")).click()
    console.get_by_label("Chủ đề").fill("Sinh hoạt chi bộ tháng 12/2026")
    # Half an hour from now in Vietnam: a meeting can be started from 12 hours before.
    starts = vietnam_now() + timedelta(minutes=30)
    console.get_by_label("Ngày giờ bắt đầu").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    console.get_by_label("Địa điểm").fill("Nhà văn hóa thôn An Phú")
    console.get_by_label("Thư ký").select_option(label="Trần Thị Ánh")
    console.get_by_role("button", name="Lên lịch").click()
    return starts


def start(console) -> None:
    """Start the scheduled meeting shown on the console's page and land on the console."""
    console.get_by_role("button", name="Bắt đầu buổi sinh hoạt").click()
    expect(console).to_have_url(re.compile(r"/console$"))


def schedule_and_start(console, base, secretary: str = "52100001") -> datetime:
    """`schedule`, then `start`; returns the start time typed into the form."""
    starts = schedule(console, base, secretary)
    start(console)
    return starts
