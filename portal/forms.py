"""The base of every form in the portal: text that no keyboard types is refused at the field.

A NUL byte makes PostgreSQL refuse the statement (a 500) and SQLite store it silently;
other control characters corrupt exports and logs. Forms derive from `PortalForm`, so each
text field (in sub-forms and lists too) answers "contains characters that are not allowed"
instead. Query strings and hand-parsed fields are checked by `portal.security`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Field, FieldList, FormField, HiddenField, TextAreaField

# C0 controls and DEL. Tab passes everywhere (pasted from spreadsheets); line breaks pass in
# multi-line fields (and hidden fields, which may carry them).
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_ALLOWED = _l("This contains characters that are not allowed.")


def has_forbidden_characters(value: str, multi_line: bool = True) -> bool:
    """True when `value` holds a control character that no one types into a form."""
    pattern = MULTI_LINE_FORBIDDEN if multi_line else SINGLE_LINE_FORBIDDEN
    return pattern.search(value) is not None


class PortalForm(FlaskForm):
    """FlaskForm that also refuses control characters in every text field."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in walk(self):
            if not isinstance(field.data, str):
                continue
            multi_line = isinstance(field, TextAreaField | HiddenField)
            if has_forbidden_characters(field.data, multi_line):
                field.errors = [*field.errors, NOT_ALLOWED]
                valid = False
        return valid


def walk(fields) -> Iterator[Field]:
    """Every field of a form, in its rows and their rows too."""
    for field in fields:
        if isinstance(field, FormField):
            yield from walk(field.form)
        elif isinstance(field, FieldList):
            yield from walk(field.entries)
        else:
            yield field


def form_data(data_class, form, **values):
    """An instance of the dataclass `data_class` from the form's fields of the same names;
    `values` overrides (or adds) some, and a field the form lacks takes its default."""
    for field in fields(data_class):
        if field.name not in values and field.name in form:
            values[field.name] = form[field.name].data
    return data_class(**values)


def csv_file_field(max_bytes: int, max_rows: int) -> FileField:
    """An upload of one CSV file, its limits told under it (the sandbox and usage imports)."""
    return FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
        ],
        description=_l(
            "Up to %(size)d KB and %(rows)d rows, saved as 'CSV UTF-8' (or Unicode text).",
            size=max_bytes // 1024,
            rows=max_rows,
        ),
    )


class MoveForm(PortalForm):
    """An up or down button in a list: "up" moves one place up, anything else one down."""

    direction = HiddenField(default="down")

    @property
    def offset(self) -> int:
        return -1 if self.direction.data == "up" else 1


def first_error(form: FlaskForm) -> str | None:
    """The first message of an invalid flat form, for pages that show one line, not the form."""
    for messages in form.errors.values():
        if messages:
            return str(messages[0])
    return None
