"""What an exercise's records are made of: entities, their fields and code lists.

The vocabulary is the one the sandbox understands and courses/README.md documents. Values
are written in forms as text ('setup:key' links a setup record) and checked against it.
"""

from __future__ import annotations

import re

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from portal.arguments import parse_count
from portal.authoring.exercise.labels import FIELD_LABELS, label
from portal.authoring.services import AuthoringError
from portal.courseformat.values import LEARNER, RELATIVE, RELATIVE_MAXIMUM, RELATIVE_UNITS
from sandbox import codes, vocabulary

# What a setup record may set per kind of record (its fields, and `created_at`), what a check
# may look for, and which fields hold codes: the sandbox's own lists (sandbox.codes).
SETUP_FIELDS = codes.SETUP_FIELDS
ENTITY_FIELDS = {
    entity: tuple(field for field in fields if field != "created_at")
    for entity, fields in SETUP_FIELDS.items()
}
TARGET_ENTITIES = codes.CHECK_ENTITIES
CODE_GROUPS = codes.CODE_GROUPS
CODES: dict[tuple[str, str], tuple[str, ...]] = {
    field: tuple(codes.CODES[group]) for field, group in CODE_GROUPS.items()
}
# Numbers the sandbox's columns hold (amounts are NUMERIC(12, 2)); longer digits stay text.
NUMBER = re.compile(r"^-?\d{1,10}(\.\d{1,2})?$")
# One step from the sandbox's today (or, for hours, its current time): what the date
# control shows as "3 years before the sandbox's today". Any relative date is the course
# format's RELATIVE (portal.courseformat.values).
ONE_STEP = re.compile(r"^@(today|now)(?:([+-])([1-9]\d{0,3})([hdwmy]))?$")
DIRECTIONS = ("before", "after")


def field_name(field: str) -> str:
    """A field as trainers read it in messages ("customer_since" -> "Customer since")."""
    return label(FIELD_LABELS, field)


def parse_value(text: str):
    """A form value as stored: 'setup:key' is a link; numbers, true/false as such."""
    text = text.strip()
    if text.startswith("setup:"):
        return {"setup": text.removeprefix("setup:").strip()}
    if NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def show_value(value) -> str:
    """The stored value as the form shows it (the inverse of parse_value)."""
    if isinstance(value, dict) and "setup" in value:
        return f"setup:{value['setup']}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def check_value(
    codes: tuple[str, ...] | None, field: str, value, setup_keys: set[str], where: str | None
) -> None:
    """A plain or linked value is a known setup key, a listed code or a relative date."""
    if isinstance(value, dict) and "setup" in value:
        if value["setup"] not in setup_keys:
            raise AuthoringError(
                _(
                    "'%(field)s' links to %(key)s, which is not a setup record.",
                    field=field_name(field),
                    key=value["setup"],
                ),
                where,
            )
        return
    if codes and value not in codes:
        raise AuthoringError(
            _(
                "'%(field)s' must be one of: %(codes)s",
                field=field_name(field),
                codes=", ".join(codes),
            ),
            where,
        )
    if (
        isinstance(value, str)
        and value.startswith("@")
        and value != LEARNER
        and not RELATIVE.match(value)
    ):
        raise AuthoringError(
            _("'%(value)s' is not a relative date such as @today-3d or @now+2h.", value=value),
            where,
        )


def relative_parts(value) -> tuple[str, str, str] | None:
    """A stored relative date as the date control's (amount, unit, direction), when it can."""
    match = ONE_STEP.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    base, sign, amount, unit = match.groups()
    unit = unit or ("h" if base == "now" else "d")
    if (base == "now") != (unit == "h"):
        return None
    return amount or "0", unit, "after" if sign == "+" else "before"


def relative_value(amount: str, unit: str, direction: str, control: str | None = None) -> str:
    """The date control's values as stored: 3, "y", "before" -> "@today-3y".

    A refusal names the control's field at fault (<control>-unit or -amount) when given.
    """
    amount = amount.strip()
    if unit not in RELATIVE_UNITS or direction not in DIRECTIONS:
        raise AuthoringError(
            _("Choose days, weeks, months or years, before or after."),
            f"{control}-unit" if control else None,
        )
    if parse_count(amount, RELATIVE_MAXIMUM[unit]) is None:
        raise AuthoringError(
            _(
                "Give a whole number for the date, from 0 to %(max)s.",
                max=format_decimal(RELATIVE_MAXIMUM[unit]),
            ),
            f"{control}-amount" if control else None,
        )
    base = "@now" if unit == "h" else "@today"
    if int(amount) == 0:
        return base
    return f"{base}{'-' if direction == 'before' else '+'}{int(amount)}{unit}"


def date_text(form, name: str) -> str:
    """A date field's text, or its date control's ("3 years before the sandbox's today",
    sent as <name>-amount, -unit and -direction) when that is filled in."""
    text = form.get(name, "")
    amount = form.get(f"{name}-amount", "").strip()
    if not amount:
        return text
    if text.strip():
        raise AuthoringError(_("Give a date or a value, not both."), name)
    try:
        return relative_value(
            amount, form.get(f"{name}-unit", ""), form.get(f"{name}-direction", "")
        )
    except AuthoringError as error:
        raise AuthoringError(error.message, name) from error


def _span(amount: int, unit: str) -> str:
    if unit == "h":
        return ngettext("%(num)d hour", "%(num)d hours", amount)
    if unit == "d":
        return ngettext("%(num)d day", "%(num)d days", amount)
    if unit == "w":
        return ngettext("%(num)d week", "%(num)d weeks", amount)
    if unit == "m":
        return ngettext("%(num)d month", "%(num)d months", amount)
    return ngettext("%(num)d year", "%(num)d years", amount)


def value_words(value) -> str:
    """A stored value as a summary says it: @today-3y is "3 years before the sandbox's today"."""
    parts = relative_parts(value)
    if parts is None:
        return show_value(value)
    amount, unit, direction = parts
    if amount == "0":
        return _("the sandbox's current time") if unit == "h" else _("the sandbox's today")
    span = _span(int(amount), unit)
    if direction == "before":
        return _("%(span)s before the sandbox's today", span=span)
    return _("%(span)s after the sandbox's today", span=span)


def code_lists(entities) -> dict[str, list[tuple[str, str]]]:
    """For each "entity-field" of `entities` whose values are codes: (code, name) pairs.

    Course files name roles (sandbox.codes), shown in the CRM profile's words."""
    return {
        f"{entity}-{field}": vocabulary.choices(group, codes.CODES[group])
        for (entity, field), group in CODE_GROUPS.items()
        if entity in entities
    }
