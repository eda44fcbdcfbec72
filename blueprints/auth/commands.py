"""`flask create-admin USERNAME`: the first administrator, without any demo data.

A production install runs `flask db upgrade` then this command (`DEMO=0 make run` never
seeds the demo accounts, whose passwords are published). The password is prompted twice,
hidden, and must pass the same policy as in the app (core/passwords.py). An administrator's
role is held on the province, the root of the unit tree; when there is no unit yet, the
command asks for the province's code and name and creates it.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from blueprints.audit.models import record
from blueprints.auth.models import Role, RoleAssignment, User
from blueprints.units.models import Unit, UnitKind
from core.extensions import db
from core.passwords import password_problems
from core.text import clean


@click.command("create-admin")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Họ và tên hiển thị.")
@click.option("--province-code", default=None, help="Mã Tỉnh ủy, khi chưa có đơn vị nào.")
@click.option("--province-name", default=None, help="Tên Tỉnh ủy, khi chưa có đơn vị nào.")
@click.password_option(
    "--password",
    prompt="Mật khẩu",
    confirmation_prompt="Nhập lại mật khẩu",
    help="Hỏi khi chạy (ẩn, hai lần); đừng truyền trên dòng lệnh.",
)
@with_appcontext
def create_admin_command(
    username: str,
    display_name: str,
    province_code: str | None,
    province_name: str | None,
    password: str,
) -> None:
    """Create an administrator account holding the admin role on the province."""
    username = clean(username).lower()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise click.ClickException("Tên đăng nhập cần 1 đến 64 ký tự, không có khoảng trắng.")
    if db.session.scalar(select(User).where(func.lower(User.username) == username)):
        raise click.ClickException(f"Tên đăng nhập {username!r} đã có. Hãy chọn tên khác.")
    problems = password_problems(password, identifiers=(username,))
    if problems:
        raise click.ClickException("Mật khẩu chưa đạt: " + " ".join(problems))
    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    if root is None:
        code = province_code or click.prompt("Chưa có đơn vị nào. Mã Tỉnh ủy (ví dụ TU-QNG)")
        name = province_name or click.prompt("Tên Tỉnh ủy (ví dụ Tỉnh ủy Quảng Ngãi)")
        if not clean(code) or not clean(name):
            raise click.ClickException("Cần mã và tên của Tỉnh ủy.")
        root = Unit.create(code, name, UnitKind.PROVINCE, None)
        click.echo(f"Đã tạo đơn vị gốc {root.name} ({root.code}).")
    user = User(username=username, display_name=clean(display_name) or username)
    user.set_password(password, must_change=False)
    db.session.add(user)
    db.session.add(RoleAssignment(user=user, role=Role.ADMIN, unit=root))
    db.session.flush()
    record("role.granted", user, unit_id=root.id, role=str(Role.ADMIN), unit=root.name)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản quản trị {username!r} trên {root.name}.")
