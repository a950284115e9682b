"""An exercise's checks: read from the check form, shown in it, saved to the draft.

A check is stored as the course files write it (courses/README.md); the check form shows
it as flat values and reads them back into the same shape, keeping what it cannot edit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.arguments import parse_count
from portal.authoring.exercise.conditions import (
    Codes,
    conditions_form_values,
    conditions_from_form,
    read_kept,
    target_entity,
    target_form_values,
    target_from_form,
)
from portal.authoring.exercise.entities import (
    CODES,
    check_value,
    date_text,
    parse_value,
    show_value,
)
from portal.authoring.exercise.validation import check_in_format
from portal.authoring.services import AuthoringError, lesson_in, load, save, slugify, unique_key
from portal.authoring.services.keys import edited_item, put_item
from portal.courseformat import CHECK_TYPES
from portal.learning.models import Course, LessonKind
from sandbox.codes import EVENT_VERBS as EVENTS
from sandbox.codes import SLA_MEASURES, event_codes

MAX_EVENTS = 10
COMMON_CHECK_FIELDS = ("key", "type", "required", "description", "hint")
TYPE_FIELDS = {
    "record_exists": ("target",),
    "field_equals": ("target", "field", "value", "not_empty"),
    "count_at_least": ("target", "min"),
    "event_happened": ("event", "target", "data"),
    "events_in_order": ("target", "events"),
    "within_sla": ("target", "measure"),
    # Its scenario event (`after`) and `minutes` ride along unchanged in the form's `keep`.
    "responded_within": ("target",),
    # The question and its computation, the parts, the consent asked for: kept likewise.
    "answer": (),
    "content": ("target",),
    "consent": ("target",),
}


def _data_codes(event: str) -> Codes:
    """Code lists for an event's data, as sandbox.codes.EVENT_VERBS declares them."""
    return lambda field: event_codes(event, field)


def _event(form: Mapping[str, str], i: int, setup: dict[str, str]) -> dict | None:
    name = form.get(f"event-{i}-event", "")
    data = conditions_from_form(
        form, f"event-{i}-data", _data_codes(name), set(setup), nested=False
    )
    target = target_from_form(form, f"event-{i}-", setup)
    if not name:
        if data or target:
            raise AuthoringError(
                _("Choose the event these conditions are about."), f"event-{i}-event"
            )
        return None
    if name not in EVENTS:
        raise AuthoringError(_("Choose the event."), f"event-{i}-event")
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
    target = target_from_form(form, "", setup)
    targeted = (
        "record_exists",
        "field_equals",
        "count_at_least",
        "within_sla",
        "responded_within",
        "content",
    )
    if kind in targeted and not target:
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
        value = date_text(form, "value")
        if form.get("not_empty") == "y":
            check["not_empty"] = True
        elif value.strip():
            check["value"] = parse_value(value)
            codes = CODES.get((target_entity(target, setup) or "", field))
            check_value(codes, field, check["value"], set(setup), "value")
        else:
            raise AuthoringError(_("Give the value, or tick 'any value'."), "value")
    elif kind == "count_at_least":
        minimum = form.get("min", "").strip()
        if not parse_count(minimum):
            raise AuthoringError(_("The minimum is a whole number of at least 1."), "min")
        check["min"] = int(minimum)
    elif kind == "event_happened":
        if len(events) != 1:
            raise AuthoringError(_("Choose the event."), "event-0-event")
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
            raise AuthoringError(_("Choose at least two events, in order."), "event-1-event")
        check["events"] = events
    elif kind == "within_sla":
        measure = form.get("measure", "")
        if measure not in SLA_MEASURES:
            raise AuthoringError(_("Choose first response or resolution."), "measure")
        if target_entity(target, setup) not in (None, "ticket"):
            raise AuthoringError(_("An SLA check is about a ticket."), "target_setup")
        check["measure"] = measure
    check["hint"] = hint
    kept = form.get("keep", "")
    if kept:
        extra = read_kept(kept, None)
        if isinstance(extra, dict):
            known = (*COMMON_CHECK_FIELDS, *TYPE_FIELDS.get(kind, ()))
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
    target_form_values(values, "", check.get("target"))
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
        values[f"event-{i}-event"] = str(event.get("event", ""))
        target_form_values(values, f"event-{i}-", event.get("target"))
        data = event.get("data")
        if isinstance(data, dict):
            conditions_form_values(values, f"event-{i}-data", data, nested=False)
    known = (*COMMON_CHECK_FIELDS, *TYPE_FIELDS.get(kind, ()))
    extra = {k: v for k, v in check.items() if k not in known}
    if extra:
        values["keep"] = json.dumps(extra)
    return values


def event_numbers(values: Mapping[str, str], least: int = 4) -> range:
    """The event slots the check form shows: those in use, one more, at least `least`."""
    used = [i for i in range(MAX_EVENTS) if values.get(f"event-{i}-event")]
    return range(min(max((max(used) + 2) if used else 0, least), MAX_EVENTS))


def event_detailed(values: Mapping[str, str], err: Mapping[str, str], i: int) -> bool:
    """Whether event `i` has conditions or its own record (its details start open)."""
    prefix = f"event-{i}-"
    return any(name.startswith(prefix) and name != f"{prefix}event" for name in err) or any(
        name.startswith(prefix)
        and value
        and not name.endswith(("-op", "target_bare", "-unit", "-direction"))
        and name != f"{prefix}event"
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
    if lesson.kind != LessonKind.EXERCISE:
        raise AuthoringError(_("Only exercises have checks."))
    setup = {r["key"]: r["entity"] for r in lesson.content.get("setup", [])}
    check = check_from_form(form, setup)
    checks = lesson.content.setdefault("checks", [])
    existing = edited_item(checks, check_key, _("That check is not in this exercise."))
    check["key"] = check_key or unique_key(
        slugify(check.get("description") or check["type"], "check"), {c["key"] for c in checks}
    )
    check_in_format(check, setup, form, before=existing)
    put_item(checks, existing, check)
    save(draft, bundle, actor)
    return check["key"]


def remove_check(course: Course, lesson_key: str, check_key: str, actor: User) -> None:
    """Remove one check from the exercise."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    lesson.content["checks"] = [
        c for c in lesson.content.get("checks", []) if c["key"] != check_key
    ]
    save(draft, bundle, actor)
