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
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from blueprints.auth.models import RoleAssignment, User
from blueprints.auth.sessions import revoke_sessions
from blueprints.members.models import DEPARTED_STATUSES, Member
from blueprints.roster.slips import Slip
from blueprints.units.models import Unit, UnitKind, cells_under, subtree_clause
from core.extensions import db
from core.models import utcnow
from core.passwords import initial_password
from core.permissions import can_manage_account
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
        .where(Member.cell_id.in_(cells_under(unit)), Member.status.not_in(DEPARTED_STATUSES))
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
            Member.status.not_in(DEPARTED_STATUSES),
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


def issue(
    rows: list[tuple[Member, str]], actor, *, action: str = "account.issue", create: bool = True
) -> tuple[list[Slip], int]:
    """Create or reset the accounts of `rows` (member, cell name); return slips and skipped.

    Runs in the caller's transaction. Existing accounts get a new password (the old one stops
    working at once) and all their login sessions end, but only those `actor` may manage
    (core.permissions.account_refusal: no account holding a role the actor does not hold
    above it) and that are not locked: issuing never re-activates an account. With
    `create=False` (a secretary's reset) members without an account are skipped too.
    Skipped members get no slip; their count is returned so the page can say so.
    """
    members = [m for m, _cell in rows]
    users: dict[int, User] = {}
    for start in range(0, len(members), 900):
        ids = [m.id for m in members[start : start + 900]]
        users.update(
            (u.member_id, u)
            for u in db.session.scalars(select(User).where(User.member_id.in_(ids)))
        )
    # The caller authorised `action` on the unit; only accounts holding roles need more checks.
    user_ids = [u.id for u in users.values()]
    role_holders: set[int] = set()
    for start in range(0, len(user_ids), 900):
        role_holders.update(
            db.session.scalars(
                select(RoleAssignment.user_id).where(
                    RoleAssignment.user_id.in_(user_ids[start : start + 900])
                )
            )
        )
    kept: list[tuple[Member, str, User | None]] = []
    skipped = 0
    for member, cell in rows:
        user = users.get(member.id)
        if member.departed or (user is None and not create):
            skipped += 1
        elif user is not None and (
            not user.active
            or (user.id in role_holders and not can_manage_account(actor, user, action))
            or user.id == actor.id
        ):
            skipped += 1
        else:
            kept.append((member, cell, user))
    passwords = [initial_password() for _ in kept]
    hashes = _hash_all(passwords)
    now = utcnow()
    slips = []
    reset_ids = []
    for (member, cell, user), password, hashed in zip(kept, passwords, hashes, strict=True):
        if user is None:
            user = User(member=member, display_name=member.full_name)
            db.session.add(user)
        else:
            reset_ids.append(user.id)
        user.password_hash = hashed
        user.must_change_password = True
        user.password_changed_at = now
        slips.append(
            Slip(
                cell=cell,
                name=member.full_name,
                card=member.card_number,
                password=password,
                url=external_url("auth.login", card=member.card_number),
            )
        )
    revoke_sessions(reset_ids)
    db.session.flush()
    return slips, skipped
