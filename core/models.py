"""Declarative base for every model, with constraint names Alembic can track on any database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware current time in UTC; stored naive-UTC by SQLite, with zone by PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def BinaryString(length: int) -> String:  # noqa: N802 - reads like a column type
    """A string column compared byte by byte on every database.

    Used for keys that must sort and range-match identically on SQLite and PostgreSQL
    (materialised unit paths, Vietnamese sort keys); a locale collation would reorder them.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


# Tables a feature creates beside its models (e.g. an SQLite FTS5 index and its shadow tables):
# autogenerate and the migrations test leave tables whose name starts with one of these alone.
UNMANAGED_TABLE_PREFIXES: list[str] = []


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: ignore the unmanaged tables (see UNMANAGED_TABLE_PREFIXES)."""
    if type_ == "table" and reflected and compare_to is None:
        return not any(name.startswith(p) for p in UNMANAGED_TABLE_PREFIXES)
    return True
