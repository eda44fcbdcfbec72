"""Readable audit entries for the audit page: which object an entry is about (its name and
page) and its details as Vietnamese label / value pairs. Objects and members named in a page of
entries are loaded with one query per kind, not one per row, by the loaders the features
registered with the audit leaf (blueprints/audit/labels.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from blueprints.audit.labels import DETAIL_LABELS, OBJECT_LABELS, OBJECT_LOADERS, VALUE_LABELS
from blueprints.audit.models import AuditEntry
from blueprints.members.models import Member
from core.extensions import db
from core.i18n import fmt_datetime, fmt_number

MEMBER_KEYS = ("member_id", "chair_id", "clerk_id")
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
    names = {
        kind: OBJECT_LOADERS[kind](ids) for kind, ids in wanted.items() if kind in OBJECT_LOADERS
    }
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
