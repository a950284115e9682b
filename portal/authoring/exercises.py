"""The exercise builder: setup records, checks, hints and solution steps, edited as forms.

The vocabulary (entities, their fields, code lists, check types, events) is the one the
sandbox understands and courses/README.md documents; editing happens on the draft.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

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
OPERATORS = ("equals", "contains", "not_empty", "in", "at_least", "at_most")
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


def _check_value(entity: str, field: str, value, setup_keys: set[str]) -> None:
    if isinstance(value, dict) and "setup" in value:
        if value["setup"] not in setup_keys:
            raise AuthoringError(
                _(
                    "'%(field)s' links to %(key)s, which is not a setup record.",
                    field=field,
                    key=value["setup"],
                ),
                "fields",
            )
        return
    codes = CODES.get((entity, field))
    if codes and value not in codes:
        raise AuthoringError(
            _("'%(field)s' must be one of: %(codes)s", field=field, codes=", ".join(codes)),
            "fields",
        )
    if (
        isinstance(value, str)
        and value.startswith("@")
        and value != "@learner"
        and not RELATIVE.match(value)
    ):
        raise AuthoringError(
            _("'%(value)s' is not a relative date such as @today-3d or @now+2h.", value=value),
            "fields",
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
        _check_value(entity, name, value, others)
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
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if _references(lesson.content, record_key):
        raise AuthoringError(
            _("Other records or checks use %(key)s: change them first.", key=record_key)
        )
    lesson.content["setup"] = [r for r in lesson.content.get("setup", []) if r["key"] != record_key]
    save(draft, bundle, actor)


def build_target(
    setup_key: str, entity: str, filters: list[tuple[str, str, str]], setup_keys: set[str]
) -> dict | None:
    """A check target: a setup record by key, or an entity with a filter."""
    if setup_key:
        if setup_key not in setup_keys:
            raise AuthoringError(_("Choose one of the exercise's setup records."), "target")
        return {"setup": setup_key}
    if not entity:
        return None
    if entity not in TARGET_ENTITIES:
        raise AuthoringError(_("Choose what kind of record the check looks for."), "target")
    conditions: dict = {}
    for field, operator, text in filters:
        if not field:
            continue
        if operator not in OPERATORS:
            raise AuthoringError(_("Choose a comparison."), "target")
        if operator == "not_empty":
            conditions[field] = {"not_empty": True}
        elif operator == "in":
            conditions[field] = {"in": [parse_value(v) for v in text.split(",") if v.strip()]}
        elif operator in ("at_least", "at_most"):
            if not NUMBER.match(text.strip()):
                raise AuthoringError(_("'%(field)s' needs a number.", field=field), "target")
            conditions[field] = {operator: parse_value(text)}
        elif operator == "contains":
            conditions[field] = {"contains": text.strip()}
        else:
            conditions[field] = parse_value(text)
    return {"entity": entity, "filter": conditions}


def save_check(
    course: Course,
    lesson_key: str,
    check_key: str | None,
    *,
    kind: str,
    required: bool,
    description: str,
    hint: str,
    target: dict | None,
    field: str = "",
    value: str = "",
    not_empty: bool = False,
    minimum: str = "",
    events: list[str] | None = None,
    measure: str = "",
    actor: User,
) -> str:
    """Add or replace one check, with the parameters its type needs."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != "exercise":
        raise AuthoringError(_("Only exercises have checks."))
    if kind not in CHECK_TYPES:
        raise AuthoringError(_("Choose a check type."), "kind")
    if not hint.strip():
        raise AuthoringError(_("Write the hint a learner sees when this check fails."), "hint")
    check: dict = {
        "key": "",
        "type": kind,
        "required": required,
        "description": description.strip(),
        "hint": hint.strip(),
    }
    events = [e for e in (events or []) if e]
    if kind in ("record_exists", "field_equals", "count_at_least", "within_sla") and not target:
        raise AuthoringError(_("Say which record the check is about."), "target")
    if target:
        check["target"] = target
    if kind == "field_equals":
        if not field.strip():
            raise AuthoringError(_("Name the field to check."), "field")
        check["field"] = field.strip()
        if not_empty:
            check["not_empty"] = True
        elif value.strip():
            check["value"] = parse_value(value)
        else:
            raise AuthoringError(_("Give the value, or tick 'any value'."), "value")
    elif kind == "count_at_least":
        if not minimum.strip().isdigit() or int(minimum) < 1:
            raise AuthoringError(_("The minimum is a whole number of at least 1."), "minimum")
        check["min"] = int(minimum)
    elif kind == "event_happened":
        if len(events) != 1 or events[0] not in EVENTS:
            raise AuthoringError(_("Choose the event."), "events")
        check["event"] = events[0]
    elif kind == "events_in_order":
        if len(events) < 2 or any(e not in EVENTS for e in events):
            raise AuthoringError(_("Choose at least two events, in order."), "events")
        check["events"] = [{"event": e} for e in events]
    elif kind == "within_sla":
        if measure not in ("first_response", "resolution"):
            raise AuthoringError(_("Choose first response or resolution."), "measure")
        check["measure"] = measure
    checks = lesson.content.setdefault("checks", [])
    existing = next((c for c in checks if c["key"] == check_key), None)
    if check_key and existing is None:
        raise AuthoringError(_("That check is not in this exercise."))
    check["key"] = check_key or unique_key(
        slugify(description or kind, "check"), {c["key"] for c in checks}
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
    solution: str,
    actor: User,
) -> None:
    """The task (Markdown), hints and the reference solution, one item per line."""
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
    steps = [line.strip() for line in solution.splitlines() if line.strip()]
    # Steps keep any machine-readable action they had when only their text is unchanged.
    old = {(s["step"] if isinstance(s, dict) else s): s for s in lesson.content.get("solution", [])}
    lesson.content["solution"] = [old.get(step, step) for step in steps]
    save(draft, bundle, actor)
