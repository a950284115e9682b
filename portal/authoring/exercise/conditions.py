"""Conditions and targets as flat form values, and back: the rows of the check form.

Filters nest ("a note whose parent is a lead whose email is ..."), so condition rows are
named by their path: filter-0-field, and for a row linking to another record, filter-0-entity
with its own rows filter-0-filter-0-field. Whatever a row cannot show is carried through as
JSON (op "keep"), never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.authoring.exercise.entities import (
    CODES,
    NUMBER,
    TARGET_ENTITIES,
    check_value,
    date_text,
    field_name,
    parse_value,
    show_value,
)
from portal.authoring.services import AuthoringError

OPERATORS = ("equals", "contains", "not_empty", "in", "at_least", "at_most", "record")
OPERATOR_LABELS = {
    "equals": _l("is"),
    "contains": _l("contains"),
    "not_empty": _l("is filled in"),
    "in": _l("is one of (comma-separated)"),
    "at_least": _l("is at least"),
    "at_most": _l("is at most"),
    "record": _l("links to a record where"),
}
KEEP = "keep"  # a part the form cannot edit, carried through unchanged (as JSON)
MAX_ROWS = 30
# How deep rows nest: filter-0 (1) links to a record with rows filter-0-filter-0 (2), and so
# on; a condition nested deeper than the form reads is shown and kept as written.
MAX_DEPTH = 3
# A field's code list (None when any value goes): how a row checks what it is given.
Codes = Callable[[str], "tuple[str, ...] | None"]


def same(a, b) -> bool:
    """Equal as stored: 1 is not True, 15000 is not "15000"."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def read_kept(text: str, where: str | None):
    """A part the form carried through as JSON, read back as stored."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise AuthoringError(
            _("A part kept from the file could not be read: reload the page."), where
        ) from error


def can_link(row: str) -> bool:
    """Whether condition row `row` may link to a record with rows of its own (MAX_DEPTH)."""
    return row.count("filter-") < MAX_DEPTH


def _entity_codes(entity: str | None) -> Codes:
    return lambda field: CODES.get((entity or "", field))


def row_numbers(values: Mapping[str, str], base: str, blanks: int = 1, least: int = 0) -> range:
    """The rows of `base` in the form values, then `blanks` empty ones (at least `least`)."""
    used = [i for i in range(MAX_ROWS) if f"{base}-{i}-field" in values]
    count = (max(used) + 1 if used else 0) + blanks
    return range(min(max(count, least), MAX_ROWS))


def _condition(
    form: Mapping[str, str],
    row: str,
    field: str,
    codes: Codes,
    setup_keys: set[str] | None,
    nested: bool,
):
    """One condition row as stored; setup_keys None reads without validating."""
    nested = nested and can_link(row)
    op = form.get(f"{row}-op") or "equals"
    text = date_text(form, f"{row}-value").strip()
    where = f"{row}-value"
    if op == KEEP:
        return read_kept(text, where)
    if op == "not_empty":
        return {"not_empty": True}
    if op == "record" and nested:
        inner = form.get(f"{row}-entity", "")
        if inner not in TARGET_ENTITIES:
            raise AuthoringError(
                _("Choose what kind of record '%(field)s' links to.", field=field_name(field)),
                f"{row}-entity",
            )
        conditions = conditions_from_form(
            form, f"{row}-filter", _entity_codes(inner), setup_keys, nested=True
        )
        return {"entity": inner, "filter": conditions}
    if op not in OPERATORS or op == "record":
        raise AuthoringError(_("Choose a comparison."), f"{row}-op")
    if not text:
        raise AuthoringError(_("Give '%(field)s' a value.", field=field_name(field)), where)
    if op == "contains":
        return {"contains": text}
    if op in ("at_least", "at_most"):
        if not NUMBER.match(text):
            raise AuthoringError(_("'%(field)s' needs a number.", field=field_name(field)), where)
        return {op: parse_value(text)}
    values = [parse_value(v) for v in text.split(",") if v.strip()] if op == "in" else None
    for value in values if values is not None else [parse_value(text)]:
        if setup_keys is not None:
            check_value(codes(field), field, value, setup_keys, where)
    return {"in": values} if values is not None else parse_value(text)


def conditions_from_form(
    form: Mapping[str, str],
    base: str,
    codes: Codes,
    setup_keys: set[str] | None,
    *,
    nested: bool,
) -> dict:
    """The condition rows under `base` as stored; setup_keys None reads without validating."""
    conditions: dict = {}
    for i in range(MAX_ROWS):
        row = f"{base}-{i}"
        field = form.get(f"{row}-field", "").strip()
        if not field:
            continue
        if field in conditions:
            raise AuthoringError(
                _(
                    "'%(field)s' is used twice here: one condition per field.",
                    field=field_name(field),
                ),
                f"{row}-field",
            )
        conditions[field] = _condition(form, row, field, codes, setup_keys, nested)
    return conditions


def _condition_values(row: str, field: str, value, nested: bool) -> dict[str, str]:
    """The form values of one condition row; a row that would not read back is kept."""
    shown = {f"{row}-field": field, f"{row}-op": "equals", f"{row}-value": show_value(value)}
    if isinstance(value, dict) and len(value) == 1 and "setup" not in value:
        ((op, operand),) = value.items()
        if op == "in" and isinstance(operand, list):
            text = ", ".join(show_value(v) for v in operand)
        else:
            text = "" if op == "not_empty" else show_value(operand)
        shown.update({f"{row}-op": op, f"{row}-value": text})
    elif isinstance(value, dict) and "entity" in value and nested:
        shown.update({f"{row}-op": "record", f"{row}-value": "", f"{row}-entity": value["entity"]})
        conditions_form_values(shown, f"{row}-filter", value.get("filter"), nested=True)
    try:
        back = _condition(shown, row, field, _entity_codes(None), None, nested)
    except AuthoringError:
        back = None
    if back is None or not same(back, value):
        shown = {f"{row}-field": field, f"{row}-op": KEEP, f"{row}-value": json.dumps(value)}
    return shown


def conditions_form_values(values: dict, base: str, conditions, *, nested: bool) -> None:
    """Add the rows of stored `conditions` under `base` to the form values."""
    for i, (field, value) in enumerate((conditions or {}).items()):
        values.update(_condition_values(f"{base}-{i}", str(field), value, nested))


def target_form_values(values: dict, prefix: str, target) -> None:
    """Add a stored target's fields to the form values; one they cannot show is kept."""
    if target is None:
        return
    if isinstance(target, dict) and set(target) == {"setup"} and isinstance(target["setup"], str):
        values[f"{prefix}target_setup"] = target["setup"]
        return
    if (
        isinstance(target, dict)
        and target.get("entity") in TARGET_ENTITIES
        and set(target) <= {"entity", "filter"}
        and isinstance(target.get("filter", {}), dict)
    ):
        values[f"{prefix}target_entity"] = target["entity"]
        if "filter" not in target:
            values[f"{prefix}target_bare"] = "y"
        conditions_form_values(values, f"{prefix}filter", target.get("filter"), nested=True)
        return
    values[f"{prefix}target_keep"] = json.dumps(target)


def target_from_form(form: Mapping[str, str], prefix: str, setup: dict[str, str]) -> dict | None:
    """A target: a setup record by key, or a kind of record with conditions."""
    kept = form.get(f"{prefix}target_keep", "")
    if kept:
        return read_kept(kept, f"{prefix}target_setup")
    key = form.get(f"{prefix}target_setup", "")
    entity = form.get(f"{prefix}target_entity", "")
    if key:
        if key not in setup:
            raise AuthoringError(
                _("Choose one of the exercise's setup records."), f"{prefix}target_setup"
            )
        if entity:
            raise AuthoringError(
                _("Choose a setup record or a kind of record, not both."),
                f"{prefix}target_entity",
            )
        return {"setup": key}
    if not entity:
        return None
    if entity not in TARGET_ENTITIES:
        raise AuthoringError(
            _("Choose what kind of record the check looks for."), f"{prefix}target_entity"
        )
    conditions = conditions_from_form(
        form, f"{prefix}filter", _entity_codes(entity), set(setup), nested=True
    )
    if not conditions and form.get(f"{prefix}target_bare") == "y":
        return {"entity": entity}
    return {"entity": entity, "filter": conditions}


def target_entity(target: dict | None, setup: dict[str, str]) -> str | None:
    """The kind of record a target is about, when it says."""
    if not isinstance(target, dict):
        return None
    return setup.get(target["setup"]) if "setup" in target else target.get("entity")
