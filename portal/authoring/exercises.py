"""The exercise builder: setup records, checks, hints and solution steps, edited as forms.

The vocabulary (entities, their fields, code lists, check types, events) is the one the
sandbox understands and courses/README.md documents; editing happens on the draft.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.authoring.services import AuthoringError, lesson_in, load, save, slugify, unique_key
from portal.learning.models import Course
from sandbox import vocabulary

ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "customer": (
        "first_name",
        "last_name",
        "company",
        "email",
        "phone",
        "city",
        "birthday",
        "customer_since",
        "tier",
        "preferences",
    ),
    "lead": (
        "first_name",
        "last_name",
        "company",
        "title",
        "email",
        "phone",
        "source",
        "status",
        "description",
    ),
    "opportunity": ("name", "customer", "owner", "stage", "amount", "close_date"),
    "purchase": ("customer", "product", "quantity", "purchased_on"),
    "ticket": (
        "customer",
        "purchase",
        "subject",
        "category",
        "priority",
        "status",
        "description",
        "first_response_due",
        "resolution_due",
    ),
    "automation": ("name", "trigger", "subject", "body", "active"),
    "sales_target": ("owner", "period_start", "period_end", "amount"),
}
TARGET_ENTITIES = (*ENTITY_FIELDS, "activity", "outbox_email")
# Fields whose values are codes, and the vocabulary group each one draws from.
CODE_GROUPS = {
    ("lead", "status"): "lead_status",
    ("lead", "source"): "lead_source",
    ("opportunity", "stage"): "stage",
    ("ticket", "status"): "ticket_status",
    ("ticket", "priority"): "priority",
    ("ticket", "category"): "category",
    ("automation", "trigger"): "trigger",
    ("customer", "tier"): "tier",
    ("activity", "kind"): "activity",
    ("outbox_email", "trigger"): "trigger",
}
CODES: dict[tuple[str, str], tuple[str, ...]] = {
    field: tuple(vocabulary.CODES[group]) for field, group in CODE_GROUPS.items()
}
CHECK_TYPES = (
    "record_exists",
    "field_equals",
    "count_at_least",
    "event_happened",
    "events_in_order",
    "within_sla",
)
EVENTS = vocabulary.EVENT_VERBS
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
MAX_EVENTS = 10
SLA_MEASURES = ("first_response", "resolution")
COMMON_CHECK_FIELDS = ("key", "type", "required", "description", "hint")
TYPE_FIELDS = {
    "record_exists": ("target",),
    "field_equals": ("target", "field", "value", "not_empty"),
    "count_at_least": ("target", "min"),
    "event_happened": ("event", "target", "data"),
    "events_in_order": ("target", "events"),
    "within_sla": ("target", "measure"),
}
RELATIVE = re.compile(r"^@(today|now)([+-]\d+[hdwmy])*$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


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


def _check_value(
    codes: tuple[str, ...] | None, field: str, value, setup_keys: set[str], where: str = "fields"
) -> None:
    """A plain or linked value is a known setup key, a listed code or a relative date."""
    if isinstance(value, dict) and "setup" in value:
        if value["setup"] not in setup_keys:
            raise AuthoringError(
                _(
                    "'%(field)s' links to %(key)s, which is not a setup record.",
                    field=field,
                    key=value["setup"],
                ),
                where,
            )
        return
    if codes and value not in codes:
        raise AuthoringError(
            _("'%(field)s' must be one of: %(codes)s", field=field, codes=", ".join(codes)),
            where,
        )
    if (
        isinstance(value, str)
        and value.startswith("@")
        and value != "@learner"
        and not RELATIVE.match(value)
    ):
        raise AuthoringError(
            _("'%(value)s' is not a relative date such as @today-3d or @now+2h.", value=value),
            where,
        )


def save_setup_record(
    course: Course,
    lesson_key: str,
    record_key: str | None,
    *,
    entity: str,
    fields: list[tuple[str, str]],
    actor: User,
) -> str:
    """Add or replace one record the exercise injects into the learner's sandbox."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != "exercise":
        raise AuthoringError(_("Only exercises have setup records."))
    if entity not in ENTITY_FIELDS:
        raise AuthoringError(_("Choose what kind of record to add."), "entity")
    setup = lesson.content.setdefault("setup", [])
    others = {r["key"] for r in setup if r["key"] != record_key}
    parsed: dict = {}
    for name, text in fields:
        if not name and not text.strip():
            continue
        if name not in (*ENTITY_FIELDS[entity], "created_at"):
            raise AuthoringError(
                _("A %(entity)s has no field '%(field)s'.", entity=entity, field=name), "fields"
            )
        if not text.strip():
            raise AuthoringError(_("Give '%(field)s' a value.", field=name), "fields")
        value = parse_value(text)
        _check_value(CODES.get((entity, name)), name, value, others)
        parsed[name] = value
    if not parsed:
        raise AuthoringError(_("Fill in at least one field."), "fields")
    existing = next((r for r in setup if r["key"] == record_key), None)
    if record_key and existing is None:
        raise AuthoringError(_("That setup record is not in this exercise."))
    key = record_key or unique_key(slugify(f"{entity}", entity), others)
    record = {"key": key, "entity": entity, "fields": parsed}
    if existing is not None:
        setup[setup.index(existing)] = record
    else:
        setup.append(record)
    save(draft, bundle, actor)
    return key


def _references(content: dict, key: str) -> bool:
    text = repr(content.get("checks", [])) + repr(
        [r["fields"] for r in content.get("setup", []) if r["key"] != key]
    )
    return repr({"setup": key}) in text


def remove_setup_record(course: Course, lesson_key: str, record_key: str, actor: User) -> None:
    from portal.authoring.solution import uses_setup_record

    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if _references(lesson.content, record_key):
        raise AuthoringError(
            _("Other records or checks use %(key)s: change them first.", key=record_key)
        )
    if uses_setup_record(lesson.content.get("solution", []), record_key):
        raise AuthoringError(
            _("A solution step uses %(key)s: change that step first.", key=record_key)
        )
    lesson.content["setup"] = [r for r in lesson.content.get("setup", []) if r["key"] != record_key]
    save(draft, bundle, actor)


# Checks as flat form values, and back. Filters nest ("a note whose parent is a lead whose
# email is ..."), so condition rows are named by their path: filter-0-field, and for a row
# linking to another record, filter-0-entity with its own rows filter-0-filter-0-field.
# Whatever a row cannot show is carried through as JSON (op "keep"), never dropped.

Codes = Callable[[str], "tuple[str, ...] | None"]


def same(a, b) -> bool:
    """Equal as stored: 1 is not True, 15000 is not "15000"."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _kept(text: str, where: str | None):
    try:
        return json.loads(text)
    except ValueError as error:
        raise AuthoringError(
            _("A part kept from the file could not be read: reload the page."), where
        ) from error


def _entity_codes(entity: str | None) -> Codes:
    return lambda field: CODES.get((entity or "", field))


def _data_codes(event: str) -> Codes:
    """Code lists for an event's data: from/to are statuses or stages, trigger a trigger."""
    prefix = event.split(".")[0]

    def codes(field: str) -> tuple[str, ...] | None:
        if field in ("from", "to"):
            return CODES.get((prefix, "stage" if prefix == "opportunity" else "status"))
        if field == "trigger":
            return CODES[("automation", "trigger")]
        return None

    return codes


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
    op = form.get(f"{row}-op") or "equals"
    text = form.get(f"{row}-value", "").strip()
    where = f"{row}-value"
    if op == KEEP:
        return _kept(text, where)
    if op == "not_empty":
        return {"not_empty": True}
    if op == "record" and nested:
        inner = form.get(f"{row}-entity", "")
        if inner not in TARGET_ENTITIES:
            raise AuthoringError(
                _("Choose what kind of record '%(field)s' links to.", field=field),
                f"{row}-entity",
            )
        conditions = _conditions(
            form, f"{row}-filter", _entity_codes(inner), setup_keys, nested=True
        )
        return {"entity": inner, "filter": conditions}
    if op not in OPERATORS or op == "record":
        raise AuthoringError(_("Choose a comparison."), f"{row}-op")
    if not text:
        raise AuthoringError(_("Give '%(field)s' a value.", field=field), where)
    if op == "contains":
        return {"contains": text}
    if op in ("at_least", "at_most"):
        if not NUMBER.match(text):
            raise AuthoringError(_("'%(field)s' needs a number.", field=field), where)
        return {op: parse_value(text)}
    values = [parse_value(v) for v in text.split(",") if v.strip()] if op == "in" else None
    for value in values if values is not None else [parse_value(text)]:
        if setup_keys is not None:
            _check_value(codes(field), field, value, setup_keys, where)
    return {"in": values} if values is not None else parse_value(text)


def _conditions(
    form: Mapping[str, str],
    base: str,
    codes: Codes,
    setup_keys: set[str] | None,
    *,
    nested: bool,
) -> dict:
    conditions: dict = {}
    for i in range(MAX_ROWS):
        row = f"{base}-{i}"
        field = form.get(f"{row}-field", "").strip()
        if not field:
            continue
        if field in conditions:
            raise AuthoringError(
                _("'%(field)s' is used twice here: one condition per field.", field=field),
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
        _conditions_values(shown, f"{row}-filter", value.get("filter"), nested=True)
    try:
        back = _condition(shown, row, field, _entity_codes(None), None, nested)
    except AuthoringError:
        back = None
    if back is None or not same(back, value):
        shown = {f"{row}-field": field, f"{row}-op": KEEP, f"{row}-value": json.dumps(value)}
    return shown


def _conditions_values(values: dict, base: str, conditions, *, nested: bool) -> None:
    for i, (field, value) in enumerate((conditions or {}).items()):
        values.update(_condition_values(f"{base}-{i}", str(field), value, nested))


def _target_values(values: dict, prefix: str, target) -> None:
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
        _conditions_values(values, f"{prefix}filter", target.get("filter"), nested=True)
        return
    values[f"{prefix}target_keep"] = json.dumps(target)


def _target(form: Mapping[str, str], prefix: str, setup: dict[str, str]) -> dict | None:
    """A target: a setup record by key, or a kind of record with conditions."""
    kept = form.get(f"{prefix}target_keep", "")
    if kept:
        return _kept(kept, f"{prefix}target_setup")
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
    conditions = _conditions(
        form, f"{prefix}filter", _entity_codes(entity), set(setup), nested=True
    )
    if not conditions and form.get(f"{prefix}target_bare") == "y":
        return {"entity": entity}
    return {"entity": entity, "filter": conditions}


def _target_entity(target: dict | None, setup: dict[str, str]) -> str | None:
    if not isinstance(target, dict):
        return None
    return setup.get(target["setup"]) if "setup" in target else target.get("entity")


def _event(form: Mapping[str, str], i: int, setup: dict[str, str]) -> dict | None:
    name = form.get(f"event-{i}", "")
    data = _conditions(form, f"event-{i}-data", _data_codes(name), set(setup), nested=False)
    target = _target(form, f"event-{i}-", setup)
    if not name:
        if data or target:
            raise AuthoringError(_("Choose the event these conditions are about."), f"event-{i}")
        return None
    if name not in EVENTS:
        raise AuthoringError(_("Choose the event."), f"event-{i}")
    event: dict = {"event": name}
    if target:
        event["target"] = target
    if data:
        event["data"] = data
    return event


def check_from_form(form: Mapping[str, str], setup: dict[str, str]) -> dict:
    """A check from the check form's values; `setup` maps setup keys to their entities.

    Raises AuthoringError naming the form field at fault.
    """
    kind = form.get("type", "")
    if kind not in CHECK_TYPES:
        raise AuthoringError(_("Choose a check type."), "type")
    hint = form.get("hint", "").strip()
    if not hint:
        raise AuthoringError(_("Write the hint a learner sees when this check fails."), "hint")
    check: dict = {"key": form.get("check_key", "").strip()}
    description = form.get("description", "").strip()
    if description:
        check["description"] = description
    check.update({"type": kind, "required": form.get("required") == "y"})
    target = _target(form, "", setup)
    if kind in ("record_exists", "field_equals", "count_at_least", "within_sla") and not target:
        raise AuthoringError(_("Say which record the check is about."), "target_setup")
    if target:
        check["target"] = target
    with_events = kind in ("event_happened", "events_in_order")
    slots = [_event(form, i, setup) for i in range(MAX_EVENTS)] if with_events else []
    events = [event for event in slots if event]
    if kind == "field_equals":
        field = form.get("field", "").strip()
        if not field:
            raise AuthoringError(_("Name the field to check."), "field")
        check["field"] = field
        value = form.get("value", "")
        if form.get("not_empty") == "y":
            check["not_empty"] = True
        elif value.strip():
            check["value"] = parse_value(value)
            codes = CODES.get((_target_entity(target, setup) or "", field))
            _check_value(codes, field, check["value"], set(setup), "value")
        else:
            raise AuthoringError(_("Give the value, or tick 'any value'."), "value")
    elif kind == "count_at_least":
        minimum = form.get("min", "").strip()
        if not minimum.isdigit() or int(minimum) < 1:
            raise AuthoringError(_("The minimum is a whole number of at least 1."), "min")
        check["min"] = int(minimum)
    elif kind == "event_happened":
        if len(events) != 1:
            raise AuthoringError(_("Choose the event."), "event-0")
        (event,) = events
        if "target" in event:
            raise AuthoringError(
                _("For a single event, choose its record under 'Record it is about'."),
                f"event-{slots.index(event)}-target_setup",
            )
        check["event"] = event["event"]
        if "data" in event:
            check["data"] = event["data"]
    elif kind == "events_in_order":
        if len(events) < 2:
            raise AuthoringError(_("Choose at least two events, in order."), "event-1")
        check["events"] = events
    elif kind == "within_sla":
        measure = form.get("measure", "")
        if measure not in SLA_MEASURES:
            raise AuthoringError(_("Choose first response or resolution."), "measure")
        if _target_entity(target, setup) not in (None, "ticket"):
            raise AuthoringError(_("An SLA check is about a ticket."), "target_setup")
        check["measure"] = measure
    check["hint"] = hint
    kept = form.get("keep", "")
    if kept:
        extra = _kept(kept, None)
        if isinstance(extra, dict):
            known = (*COMMON_CHECK_FIELDS, *TYPE_FIELDS[kind])
            check.update({k: v for k, v in extra.items() if k not in known})
    return check


def check_form_values(check: dict) -> dict[str, str]:
    """The check form's values for a stored check (check_from_form reads them back)."""
    kind = check.get("type", "")
    values = {
        "check_key": str(check.get("key", "")),
        "type": str(kind),
        "required": "y" if check.get("required") else "",
        "description": str(check.get("description", "")),
        "hint": str(check.get("hint", "")),
    }
    _target_values(values, "", check.get("target"))
    for name in ("field", "min", "measure"):
        if name in check:
            values[name] = str(check[name])
    if "value" in check:
        values["value"] = show_value(check["value"])
    if check.get("not_empty") is True:
        values["not_empty"] = "y"
    events = check.get("events") if kind == "events_in_order" else None
    if kind == "event_happened":
        events = [{"event": check.get("event", ""), "data": check.get("data")}]
    for i, event in enumerate(events or []):
        if not isinstance(event, dict):
            continue
        values[f"event-{i}"] = str(event.get("event", ""))
        _target_values(values, f"event-{i}-", event.get("target"))
        data = event.get("data")
        if isinstance(data, dict):
            _conditions_values(values, f"event-{i}-data", data, nested=False)
    known = (*COMMON_CHECK_FIELDS, *TYPE_FIELDS.get(kind, ()))
    extra = {k: v for k, v in check.items() if k not in known}
    if extra:
        values["keep"] = json.dumps(extra)
    return values


def event_numbers(values: Mapping[str, str], least: int = 4) -> range:
    """The event slots the check form shows: those in use, one more, at least `least`."""
    used = [i for i in range(MAX_EVENTS) if values.get(f"event-{i}")]
    return range(min(max((max(used) + 2) if used else 0, least), MAX_EVENTS))


def event_detailed(values: Mapping[str, str], err: Mapping[str, str], i: int) -> bool:
    """Whether event `i` has conditions or its own record (its details start open)."""
    prefix = f"event-{i}-"
    return any(name.startswith(prefix) for name in err) or any(
        name.startswith(prefix) and value and not name.endswith(("-op", "target_bare"))
        for name, value in values.items()
    )


def kept_fields(values: Mapping[str, str]) -> list[str]:
    """The check's own fields the form cannot edit (kept as they are), for the form to say."""
    try:
        kept = json.loads(values.get("keep") or "{}")
    except ValueError:
        return []
    return sorted(kept) if isinstance(kept, dict) else []


def save_check(
    course: Course, lesson_key: str, check_key: str | None, form: Mapping[str, str], actor: User
) -> str:
    """Add or replace one check, read from the check form's values."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != "exercise":
        raise AuthoringError(_("Only exercises have checks."))
    setup = {r["key"]: r["entity"] for r in lesson.content.get("setup", [])}
    check = check_from_form(form, setup)
    checks = lesson.content.setdefault("checks", [])
    existing = next((c for c in checks if c["key"] == check_key), None)
    if check_key and existing is None:
        raise AuthoringError(_("That check is not in this exercise."))
    check["key"] = check_key or unique_key(
        slugify(check.get("description") or check["type"], "check"), {c["key"] for c in checks}
    )
    if existing is not None:
        checks[checks.index(existing)] = check
    else:
        checks.append(check)
    save(draft, bundle, actor)
    return check["key"]


def remove_check(course: Course, lesson_key: str, check_key: str, actor: User) -> None:
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    lesson.content["checks"] = [
        c for c in lesson.content.get("checks", []) if c["key"] != check_key
    ]
    save(draft, bundle, actor)


def save_exercise_text(
    course: Course,
    lesson_key: str,
    *,
    title: str,
    minutes: int,
    required: bool,
    task: str,
    hints: str,
    actor: User,
) -> None:
    """The task (Markdown) and the hints, one per line; solution steps have their own forms."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    title = " ".join(title.split())
    if not title:
        raise AuthoringError(_("Enter a lesson title."), "title")
    if not task.strip():
        raise AuthoringError(_("Describe the task."), "task")
    lesson.title, lesson.minutes, lesson.required, lesson.body = (
        title,
        minutes,
        required,
        task.strip(),
    )
    lesson.content["hints"] = [line.strip() for line in hints.splitlines() if line.strip()]
    save(draft, bundle, actor)
