"""Enumerations whose members carry their own translated label (indico's `RichStrEnum` idea).

A member is declared with its stored value and its label side by side::

    class MemberStatus(LabelledEnum):
        OFFICIAL = "official", _l("Chính thức")

so there is no separate labels dict to keep in step with the enum. Members are `str`s equal to
their value, so String columns keep storing exactly the same text and comparisons with plain
strings still hold. The label is a lazy gettext string, resolved in the reader's language when
it is shown; `choices()` gives WTForms and `<select>` lists in declaration order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class LabelledEnum(StrEnum):
    """A `StrEnum` whose members each have a translated `label`."""

    _label: Any

    def __new__(cls, value: str, label: Any = None) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The label in the current language (the stored value when none was declared)."""
        return str(self._label) if self._label is not None else self.value

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """(value, lazy label) pairs in declaration order, for form fields and filters."""
        return [(member.value, member._label) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, Any]:
        """Stored value → lazy label, for templates and for describing stored values."""
        return dict(cls.choices())

    @classmethod
    def label_for(cls, value: str | None, default: str | None = None) -> str:
        """The label of a stored value; `default` (or the value itself) when it is unknown,
        so a row written by an older version still shows something instead of failing."""
        try:
            return cls(value).label
        except ValueError:
            return (value or "") if default is None else default
