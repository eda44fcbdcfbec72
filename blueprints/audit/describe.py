"""Readable audit entries: which object an entry is about (its name and page) and its details as
Vietnamese label / value pairs. Objects and members named in a page of entries are loaded with
one query per kind, not one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from blueprints.audit.labels import DETAIL_LABELS, OBJECT_LABELS
from blueprints.audit.models import AuditEntry
from blueprints.auth.models import Role, User
from blueprints.cards.models import CardRequest, RequestKind
from blueprints.handbook.models import Article, Kind
from blueprints.meetings.models import Attend, Meeting
from blueprints.members.models import Member, MemberStatus
from blueprints.roster.models import ImportJob
from blueprints.units.models import Unit
from core.extensions import db
from core.i18n import fmt_date, fmt_datetime, fmt_number

MEMBER_KEYS = ("member_id", "chair_id", "clerk_id")
VALUE_LABELS: dict[str, dict] = {
    "role": Role.labels(),
    "status": Attend.labels(),
    "kind": {
        **RequestKind.labels(),
        **Kind.labels(),
        "units": _l("Đơn vị"),
        "members": _l("Đảng viên"),
    },
    "mode": {"new": _l("Chỉ người chưa có tài khoản"), "all": _l("Tất cả, cấp lại mật khẩu")},
    "source": {"cli": _l("Dòng lệnh trên máy chủ")},
    "member_status": MemberStatus.labels(),
}
MAX_TEXT = 200


@dataclass(frozen=True)
class ObjectRef:
    """What an audit entry is about: its kind, a readable name and the page showing it."""

    kind: str
    name: str
    url: str | None


@dataclass(frozen=True)
class EntryView:
    """One audit entry ready to display."""

    entry: AuditEntry
    target: ObjectRef | None
    details: list[tuple[str, str]]


def describe(entries: Sequence[AuditEntry]) -> list[EntryView]:
    """Entries with their objects named and linked and their details spelled out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    member_ids: set[int] = set()
    for entry in entries:
        if entry.object_type and _db_id(entry.object_id):
            wanted[entry.object_type].add(int(entry.object_id))
        member_ids |= _member_ids(entry.details or {})
    names = {kind: LOADERS[kind](ids) for kind, ids in wanted.items() if kind in LOADERS}
    members = _member_names(member_ids)
    return [
        EntryView(entry, _target(entry, names), _details(entry.details or {}, members))
        for entry in entries
    ]


def _db_id(value: str | None) -> bool:
    """Whether an audit entry's object id can be looked up (digits within the integer range)."""
    return bool(value) and value.isascii() and value.isdecimal() and len(value) <= 9


def _target(entry: AuditEntry, names: dict) -> ObjectRef | None:
    if not entry.object_type:
        return None
    kind = str(OBJECT_LABELS.get(entry.object_type, entry.object_type))
    object_id = entry.object_id or ""
    found = names.get(entry.object_type, {}).get(int(object_id)) if _db_id(object_id) else None
    if found is None:  # deleted since, or a kind with no page
        return ObjectRef(kind, "#" + object_id, None)
    name, url = found
    return ObjectRef(kind, name, url)


# ---- one loader per object type: {id: (name, url)} -----------------------------------------


def _users(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(
        select(User).where(User.id.in_(ids)).options(joinedload(User.member))
    ).all()
    return {
        u.id: (
            u.name,
            url_for("members.member_detail", member_id=u.member_id) if u.member_id else None,
        )
        for u in rows
    }


def _members(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(select(Member).where(Member.id.in_(ids))).all()
    return {
        m.id: (
            f"{m.full_name} ({m.card_number})",
            url_for("members.member_detail", member_id=m.id),
        )
        for m in rows
    }


def _units(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all()
    return {u.id: (u.name, url_for("members.unit_detail", unit_id=u.id)) for u in rows}


def _meetings(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(
        select(Meeting).where(Meeting.id.in_(ids)).options(joinedload(Meeting.cell))
    ).all()
    return {
        m.id: (
            _("%(topic)s — %(cell)s, %(date)s", topic=m.topic, cell=m.cell.name, date=_day(m)),
            url_for("meetings.detail", meeting_id=m.id),
        )
        for m in rows
    }


def _day(meeting: Meeting) -> str:
    return fmt_date(meeting.starts_at)  # fmt_date gives the day in Vietnam, not in UTC


def _articles(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(select(Article).where(Article.id.in_(ids))).all()
    return {a.id: (a.title, url_for("handbook.editor_article", article_id=a.id)) for a in rows}


def _card_requests(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(
        select(CardRequest).where(CardRequest.id.in_(ids)).options(joinedload(CardRequest.member))
    ).all()
    return {
        r.id: (
            _("Số %(id)s — %(name)s", id=r.id, name=r.member.full_name),
            url_for("cards.detail", request_id=r.id),
        )
        for r in rows
    }


def _jobs(ids: Iterable[int]) -> dict:
    rows = db.session.scalars(select(ImportJob).where(ImportJob.id.in_(ids))).all()
    return {
        j.id: (j.filename or "#" + str(j.id), url_for("roster.job_page", job_id=j.id)) for j in rows
    }


LOADERS = {
    "User": _users,
    "Member": _members,
    "Unit": _units,
    "Meeting": _meetings,
    "Article": _articles,
    "CardRequest": _card_requests,
    "ImportJob": _jobs,
}


# ---- details -------------------------------------------------------------------------------


def _member_ids(details: dict) -> set[int]:
    found = {details.get(key) for key in MEMBER_KEYS}
    changes = details.get("changes")
    for key, change in changes.items() if isinstance(changes, dict) else ():
        if key in MEMBER_KEYS and isinstance(change, list):
            found |= set(change)
    return {v for v in found if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31}


def _member_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Member.id, Member.full_name).where(Member.id.in_(ids)))
    return dict(rows.tuples().all())


def _details(details: dict, members: dict[int, str]) -> list[tuple[str, str]]:
    items = []
    for key, value in details.items():
        label = str(DETAIL_LABELS.get(key, key))
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                old, new = change if isinstance(change, list) and len(change) == 2 else ("", change)
                items.append(
                    (
                        str(DETAIL_LABELS.get(field, field)),
                        _value(field, old, members) + " → " + _value(field, new, members),
                    )
                )
            continue
        items.append((label, _value(key, value, members)))
    return items


def _value(key: str, value, members: dict[int, str]) -> str:
    """One detail value as a reader would want it: names, labels, dates, counts."""
    if value is None or value == "":
        return "—"
    if key in MEMBER_KEYS and isinstance(value, int):
        return members.get(value, "#" + str(value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float):
        return fmt_number(value)
    if isinstance(value, list):
        return ngettext("%(num)d mục", "%(num)d mục", len(value))
    labels = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if isinstance(value, str) and key in ("starts_at", "published_at"):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return fmt_datetime(moment)
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
