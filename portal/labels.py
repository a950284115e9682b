"""Enums whose members carry the label a person reads, translated when it is shown."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import LazyString


class LabelledEnum(StrEnum):
    """A string enum declared as ``MEMBER = "value", _l("Label")``.

    The value is what is stored; `label` is the lazy label in the reader's language, and
    `choices()` gives a form's (value, label) pairs in declaration order.
    """

    _label: LazyString

    def __new__(cls, value: str, label: LazyString):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def choices(cls) -> list[tuple[str, LazyString]]:
        return [(member.value, member._label) for member in cls]
