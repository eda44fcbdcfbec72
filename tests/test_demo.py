"""Demo data: the reference province's shape, deterministic, with working demo accounts."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from blueprints.demo.commands import DEMO_ACCOUNTS
from blueprints.members.models import Member
from blueprints.members.services import probation_end
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.models import utcnow
from tests.conftest import csrf_token


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_builds_the_province(app, runner):
    result = runner.invoke(args=["seed-demo", "--members", "800"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(Unit, Unit.kind == UnitKind.PROVINCE) == 1
        # No district level since 1/7/2025 (Quy định 294-QĐ/TW).
        assert _count(Unit, Unit.kind == UnitKind.COMMITTEE) == 0
        assert _count(Member) == 800
        communes = db.session.scalars(select(Unit.name).where(Unit.kind == "commune")).all()
        assert {"Đảng bộ xã Tịnh Khê", "Đảng bộ phường Cẩm Thành", "Đảng bộ đặc khu Lý Sơn"} <= set(
            communes
        )
        direct = db.session.scalars(select(Unit.name).where(Unit.kind == "direct")).all()
        assert (
            "Đảng bộ các cơ quan Đảng tỉnh" in direct and "Đảng bộ Ủy ban nhân dân tỉnh" in direct
        )
        # Everything directly under the Tỉnh ủy is a commune or a body directly under it.
        province = db.session.scalar(select(Unit).where(Unit.kind == "province"))
        top = {u.kind for u in province.children}
        assert top == {"commune", "direct"}
        # Cells hang under commune committees (hamlets) and under grassroots committees.
        parent = aliased(Unit)
        parents = db.session.scalars(
            select(parent.kind)
            .join(Unit, Unit.parent_id == parent.id)
            .where(Unit.kind == UnitKind.CELL)
            .distinct()
        ).all()
        assert set(parents) == {"grassroots", "commune"}
        # Official on the day the twelve months of probation end, never joining + 365 days.
        for joined, official in db.session.execute(
            select(Member.joined_on, Member.official_on).where(Member.official_on.is_not(None))
        ):
            assert official == probation_end(joined)
        assert _count(Member, Member.status == "probationary", Member.official_on.is_not(None)) == 0
        names = db.session.scalars(select(Member.full_name).limit(50)).all()
        assert all(len(n.split()) >= 3 for n in names)
        first = names[:5]
    # Running it again changes nothing; a second database with the same seed is identical.
    assert "skipped" in runner.invoke(args=["seed-demo"]).output
    with app.app_context():
        assert _count(Member) == 800
        assert db.session.scalars(select(Member.full_name).limit(5)).all() == first


def test_demo_accounts_log_in(app, runner, client):
    runner.invoke(args=["seed-demo", "--members", "300"])
    for account in DEMO_ACCOUNTS:
        response = client.post(
            "/login",
            data={
                "login": account.login,
                "password": account.password,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.status_code == 302, account.login
        expected = "/account/password" if account.must_change else "/"
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, expected)})


def test_demo_content_shows_meetings_news_and_documents(app, runner, client):
    """The demo member sees next week's meeting, last month's locked minutes, news, documents."""
    from blueprints.meetings.models import Meeting, Minutes, MinutesRevision

    runner.invoke(args=["seed-demo", "--members", "300"])
    with app.app_context():
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
        assert [m.status for m in meetings] == ["closed", "scheduled"]
        minutes = db.session.scalar(select(Minutes))
        assert minutes.locked_at and minutes.content_hash
        revision = db.session.scalar(select(MinutesRevision))
        assert "105 phút" in minutes.body and revision.body == minutes.body
        past, upcoming = meetings[0].id, meetings[1].id
    client.post(
        "/login",
        data={
            "login": "52900003",
            "password": "dang-vien-demo-2026",
            "csrf_token": csrf_token(client),
        },
    )
    home = client.get("/").get_data(as_text=True)
    with app.app_context():
        starts = db.session.get(Meeting, upcoming).starts_at
    assert timedelta(hours=2) <= starts - utcnow() <= timedelta(hours=2, minutes=31)
    day = (starts + timedelta(hours=7)).date()  # named by its month in Vietnam
    assert f"Sinh hoạt chi bộ định kỳ tháng {day:%m/%Y}" in home  # months as MM/yyyy
    assert "du-thao-nghi-quyet.pdf" in client.get(f"/meetings/{upcoming}").get_data(as_text=True)
    pdf = client.get(f"/meetings/{past}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Tỉnh ủy đưa Sổ tay" in client.get("/news/").get_data(as_text=True)
    assert "01-KH/TU (mẫu)" in client.get("/documents/").get_data(as_text=True)
    # The member of another cell sees neither meeting.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.post(
        "/login",
        data={
            "login": "52900005",
            "password": "chi-bo-khac-2026",
            "csrf_token": csrf_token(client),
        },
    )
    assert client.get(f"/meetings/{upcoming}").status_code in (403, 404)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 2, 11, 30, 0), datetime(2026, 12, 2, 13, 30)),
        (datetime(2026, 12, 2, 11, 30, 4, 542774), datetime(2026, 12, 2, 14, 0)),
        (datetime(2026, 12, 2, 11, 59, 59), datetime(2026, 12, 2, 14, 0)),
        (datetime(2026, 12, 2, 22, 45), datetime(2026, 12, 3, 1, 0)),
    ],
)
def test_next_demo_meeting_is_never_less_than_two_hours_away(monkeypatch, now, expected):
    """The demo's next meeting rounds up to a half hour: seeded at 11:30:04 it is not 4 s early."""
    from blueprints.demo import content

    monkeypatch.setattr(content, "utcnow", lambda: now)
    assert content._soon() == expected
