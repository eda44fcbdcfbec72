"""Full-text indexes kept by the session, never by hand (microblog's `SearchableMixin` idea).

A `Searchable` model names the attributes its index entry is made of (`__searchable__`) and
says how entries are written and dropped (`write_search_index`, `drop_search_index`). Before
each flush the session listener collects the new rows, the rows whose searchable attributes
changed and the deleted rows; after the flush (ids known, same transaction) it writes their
entries. So every path that changes the text (editor, imports, seeds, tests, a script in a
shell) updates search, nobody can forget to, and a rollback undoes the index with the rows.
Rows changed only in other attributes (a status, a publication time) are not re-indexed:
who may see a hit is decided when searching.
"""

from __future__ import annotations

from collections import defaultdict
from typing import ClassVar

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_PENDING = "searchable_pending"  # session.info key: what the coming flush must (re)index


class Searchable:
    """Mixin of a model kept in a full-text index; see the module docstring."""

    __searchable__: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def write_search_index(cls, connection: Connection, rows: list) -> None:
        """Write (or rewrite) the index entries of `rows`, already flushed (ids known)."""
        raise NotImplementedError

    @classmethod
    def drop_search_index(cls, connection: Connection, ids: list[int]) -> None:
        """Drop the index entries of the deleted rows `ids` (nothing when they go with the row)."""


def _changed(obj: Searchable) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in obj.__searchable__)


def _collect(session: Session, _flush_context, _instances) -> None:
    """before_flush: note the searchable rows this flush adds, changes or deletes."""
    write: dict[type, list] = defaultdict(list)
    drop: dict[type, list[int]] = defaultdict(list)
    for obj in session.new:
        if isinstance(obj, Searchable):
            write[type(obj)].append(obj)
    for obj in session.dirty:
        if isinstance(obj, Searchable) and _changed(obj):
            write[type(obj)].append(obj)
    for obj in session.deleted:
        if isinstance(obj, Searchable):
            drop[type(obj)].append(inspect(obj).identity[0])
    # Set afresh for every flush: a flush that failed leaves nothing behind for the next one.
    session.info[_PENDING] = (write, drop)


def _write(session: Session, _flush_context) -> None:
    """after_flush: write the collected entries on the flush's own connection."""
    write, drop = session.info.pop(_PENDING, ({}, {}))
    if not write and not drop:
        return
    connection = session.connection()
    for model, ids in drop.items():
        model.drop_search_index(connection, ids)
    for model, rows in write.items():
        model.write_search_index(connection, rows)


def listening() -> bool:
    """True while the index is kept by the session (a test guards it)."""
    return event.contains(Session, "before_flush", _collect) and event.contains(
        Session, "after_flush", _write
    )


# On the Session class: every session (Flask-SQLAlchemy's, a script's own) keeps the index.
event.listen(Session, "before_flush", _collect)
event.listen(Session, "after_flush", _write)
