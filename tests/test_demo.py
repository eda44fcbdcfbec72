"""Demo data: the reference province's shape, deterministic, with working demo accounts."""

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from blueprints.demo.commands import DEMO_ACCOUNTS
from blueprints.members.models import Member
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from tests.conftest import csrf_token


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_builds_the_province(app, runner):
    result = runner.invoke(args=["seed-demo", "--members", "800"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(Unit, Unit.kind == UnitKind.PROVINCE) == 1
        assert _count(Unit, Unit.kind == UnitKind.COMMITTEE) == 17
        assert _count(Member) == 800
        committees = db.session.scalars(select(Unit.name).where(Unit.kind == "committee")).all()
        assert "Huyện ủy Lý Sơn" in committees and "Thị ủy Đức Phổ" in committees
        # Cells hang under grassroots committees and, for each committee's office, directly
        # under the committee.
        parent = aliased(Unit)
        parents = db.session.scalars(
            select(parent.kind)
            .join(Unit, Unit.parent_id == parent.id)
            .where(Unit.kind == UnitKind.CELL)
            .distinct()
        ).all()
        assert {"grassroots", "committee"} <= set(parents)
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
