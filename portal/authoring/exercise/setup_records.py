"""An exercise's setup records: what it injects into the learner's sandbox first."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.exercise.entities import (
    CODES,
    ENTITY_FIELDS,
    check_value,
    field_name,
    parse_value,
    relative_value,
)
from portal.authoring.exercise.labels import ENTITY_LABELS, label
from portal.authoring.exercise.steps import uses_setup_record
from portal.authoring.exercise.validation import setup_record_in_format
from portal.authoring.services import AuthoringError, lesson_in, load, save, slugify, unique_key
from portal.authoring.services.keys import edited_item, put_item
from portal.learning.models import Course, LessonKind


def save_setup_record(
    course: Course,
    lesson_key: str,
    record_key: str | None,
    *,
    entity: str,
    fields: list[tuple[str, ...]],
    actor: User,
) -> str:
    """Add or replace one record the exercise injects into the learner's sandbox.

    Each of `fields` is (name, value) or (name, value, amount, unit, direction), the last
    three from the date control ("3 years before the sandbox's today"). A refusal names the
    form field at fault: row i's are field-<i>-name, -value, -amount and -unit.
    """
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != LessonKind.EXERCISE:
        raise AuthoringError(_("Only exercises have setup records."))
    if entity not in ENTITY_FIELDS:
        raise AuthoringError(_("Choose what kind of record to add."), "entity")
    setup = lesson.content.setdefault("setup", [])
    others = {r["key"] for r in setup if r["key"] != record_key}
    parsed: dict = {}
    for i, (name, text, *relative) in enumerate(fields):
        row = f"field-{i}"
        if relative and relative[0].strip():
            if text.strip():
                raise AuthoringError(
                    _("Give '%(field)s' a date or a value, not both.", field=field_name(name)),
                    f"{row}-value",
                )
            text = relative_value(*relative, control=row)
        if not name and not text.strip():
            continue
        if name not in (*ENTITY_FIELDS[entity], "created_at"):
            raise AuthoringError(
                _(
                    "%(entity)s records have no field '%(field)s'.",
                    entity=label(ENTITY_LABELS, entity),
                    field=name,
                ),
                f"{row}-name",
            )
        if name in parsed:
            raise AuthoringError(
                _("'%(field)s' is set twice: one row per field.", field=field_name(name)),
                f"{row}-name",
            )
        if not text.strip():
            raise AuthoringError(
                _("Give '%(field)s' a value.", field=field_name(name)), f"{row}-value"
            )
        value = parse_value(text)
        check_value(CODES.get((entity, name)), name, value, others, f"{row}-value")
        parsed[name] = value
    if not parsed:
        raise AuthoringError(_("Fill in at least one field."), "field-0-name")
    existing = edited_item(setup, record_key, _("That setup record is not in this exercise."))
    key = record_key or unique_key(slugify(f"{entity}", entity), others)
    record = {"key": key, "entity": entity, "fields": parsed}
    others_entities = {r["key"]: r["entity"] for r in setup if r["key"] in others}
    setup_record_in_format(record, others_entities, fields, before=existing)
    put_item(setup, existing, record)
    save(draft, bundle, actor)
    return key


def _references(content: dict, key: str) -> bool:
    text = repr(content.get("checks", [])) + repr(
        [r["fields"] for r in content.get("setup", []) if r["key"] != key]
    )
    return repr({"setup": key}) in text


def remove_setup_record(course: Course, lesson_key: str, record_key: str, actor: User) -> None:
    """Remove a setup record, unless a check, another record or a solution step uses it."""
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
