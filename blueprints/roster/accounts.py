"""Issuing accounts with initial passwords, and resetting a member's password.

Initial passwords are random (core.passwords.initial_password), shown only on the printed slip
and must be changed at first login. They are hashed with PBKDF2-SHA256 at a lower cost
(INITIAL_PASSWORD_HASH_METHOD, default 20.000 iterations, salted) instead of scrypt: up to
MAX_ISSUE accounts (a grassroots committee, or a small district) are issued within one request
so the PDF is built in the same request and nothing readable is stored; scrypt (~50 ms each,
far more under load) would take minutes. The member's own password, chosen at first
login, is hashed with the full-cost method. Hashes are computed on two threads (hashlib
releases the GIL), and old login sessions of re-issued accounts are revoked.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from blueprints.auth.models import User, UserSession
from blueprints.members.models import Member, MemberStatus
from blueprints.roster.slips import Slip
from blueprints.units.models import Unit, UnitKind, cells_under, subtree_clause
from core.extensions import db
from core.models import utcnow
from core.passwords import initial_password
from core.text import text_sort_key
from core.urls import external_url

MAX_ISSUE = 2000  # accounts per request (hashes + slips ≈ 10 ms each); larger units go by sub-unit


def _hash_all(passwords: list[str]) -> list[str]:
    method = current_app.config.get("INITIAL_PASSWORD_HASH_METHOD", "pbkdf2:sha256:20000")
    if len(passwords) < 50:
        return [generate_password_hash(p, method=method) for p in passwords]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda p: generate_password_hash(p, method=method), passwords))


def members_for_issue(unit: Unit, *, only_new: bool):
    """Select members of `unit`'s subtree who should get an account, by cell then name."""
    stmt = (
        select(Member, Unit.name)
        .join(Unit, Member.cell_id == Unit.id)
        .where(Member.cell_id.in_(cells_under(unit)), Member.status != MemberStatus.TRANSFERRED)
        .order_by(Unit.name, Unit.id, Member.name_sort, Member.id)
    )
    if only_new:
        stmt = stmt.where(~select(User.id).where(User.member_id == Member.id).exists())
    return stmt


def sub_unit_counts(unit: Unit) -> list[tuple[Unit, int, int]]:
    """Direct sub-units of `unit` with members, and members still without an account.

    One query grouped by cell; each cell's count goes to the sub-unit named by the first
    segment of its path below `unit` (paths are "/1/5/23/").
    """
    has_account = select(User.id).where(User.member_id == Member.id).exists()
    rows = db.session.execute(
        select(Unit.path, func.count(Member.id), func.count(Member.id).filter(~has_account))
        .join(Member, Member.cell_id == Unit.id)
        .where(
            subtree_clause(Unit.path, unit.path),
            Unit.kind == UnitKind.CELL,
            Member.status != MemberStatus.TRANSFERRED,
        )
        .group_by(Unit.path)
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for path, members, without in rows:
        below = path[len(unit.path) :].strip("/")
        if below:
            child = totals[int(below.split("/")[0])]
            child[0] += members
            child[1] += without
    children = db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.id.in_(list(totals)))
    ).all()
    return sorted(((c, *totals[c.id]) for c in children), key=lambda r: text_sort_key(r[0].name))


def issue(rows: list[tuple[Member, str]]) -> list[Slip]:
    """Create or reset the accounts of `rows` (member, cell name); return their slips.

    Runs in the caller's transaction. Existing accounts get a new password (the old one stops
    working at once) and all their login sessions end.
    """
    members = [m for m, _cell in rows]
    users = {
        u.member_id: u
        for u in db.session.scalars(select(User).where(User.member_id.in_([m.id for m in members])))
    }
    passwords = [initial_password() for _ in members]
    hashes = _hash_all(passwords)
    now = utcnow()
    slips = []
    reset_ids = []
    for (member, cell), password, hashed in zip(rows, passwords, hashes, strict=True):
        user = users.get(member.id)
        if user is None:
            user = User(member=member, display_name=member.full_name)
            db.session.add(user)
        else:
            reset_ids.append(user.id)
        user.password_hash = hashed
        user.must_change_password = True
        user.password_changed_at = now
        user.active = True
        slips.append(
            Slip(
                cell=cell,
                name=member.full_name,
                card=member.card_number,
                password=password,
                url=external_url("auth.login", card=member.card_number),
            )
        )
    for start in range(0, len(reset_ids), 900):
        db.session.execute(
            update(UserSession)
            .where(
                UserSession.user_id.in_(reset_ids[start : start + 900]),
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    db.session.flush()
    return slips
