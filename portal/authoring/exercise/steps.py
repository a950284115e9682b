"""The reference solution's steps as stored: what they make and point at, and editing them.

A step may use a setup record or a record an earlier step makes; saving, moving and
removing steps keep every such reference resolving (the ordering rules).
"""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.exercise.actions import ACTIONS, Param
from portal.authoring.exercise.step_form import StepForm
from portal.authoring.exercise.validation import step_in_format
from portal.authoring.services import AuthoringError, lesson_in, load, save
from portal.learning.models import Course, LessonKind


def fingerprint(step) -> str:
    """A short digest of a stored step: a form names the step it was made from."""
    text = json.dumps(step, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# What the steps point at: setup records, and records earlier steps made.


def step_actions(step) -> list[dict]:
    """The actions of one stored step, as apply_solution runs them."""
    if not isinstance(step, dict):
        return []
    actions = step.get("actions") or ([step] if "do" in step else [])
    return [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []


def made_by(action: dict) -> list[tuple[str, str]]:
    """(name, entity) of the records an action makes, by which later steps refer to them."""
    if action.get("do") == "lead.create":
        return [(str(action.get("as", "lead")), "lead")]
    if action.get("do") == "lead.convert":
        made = [(str(action.get("as", "customer")), "customer")]
        if action.get("opportunity_name"):
            made.append((str(action.get("opportunity_as", "opportunity")), "opportunity"))
        return made
    return []


def names_before(steps: list, index: int) -> dict[str, str]:
    """Records made by the steps before `index`: name -> entity."""
    names: dict[str, str] = {}
    for step in steps[:index]:
        for action in step_actions(step):
            names.update(made_by(action))
    return names


def _ref_key(value) -> str | None:
    if isinstance(value, dict):
        key = value.get("setup")
        return key if isinstance(key, str) else None
    return value if isinstance(value, str) else None


def uses_setup_record(steps: list, key: str) -> bool:
    """Whether any step's action points at the setup record `key`."""
    for step in steps:
        for action in step_actions(step):
            for param in ACTIONS.get(action.get("do"), ()):
                if param.kind == "ref" and _ref_key(action.get(param.name)) == key:
                    return True
    return False


def _check_refs(
    actions: list[tuple[int, dict]], setup: dict[str, str], names: dict[str, str]
) -> None:
    """Every reference of these (form slot, action) resolves, to a record of the right kind."""
    names = dict(names)
    for slot, action in actions:
        for param in ACTIONS.get(action.get("do"), ()):
            where = f"action-{slot}-{param.name}"
            value = action.get(param.name)
            if param.kind == "ref" and value is not None:
                key = _ref_key(value)
                by_setup = isinstance(value, dict)
                entity = setup.get(key) if by_setup else names.get(key, setup.get(key))
                if entity is None:
                    raise AuthoringError(
                        _(
                            "%(name)s is not a setup record or a record an earlier step makes.",
                            name=key,
                        ),
                        where,
                    )
                if entity not in param.entities:
                    raise AuthoringError(
                        _(
                            "%(name)s is a %(entity)s: choose a %(wanted)s.",
                            name=key,
                            entity=entity,
                            wanted=" / ".join(param.entities),
                        ),
                        where,
                    )
        for name, _entity in made_by(action):
            if name in setup:
                param = "opportunity_as" if _entity == "opportunity" else "as"
                raise AuthoringError(
                    _(
                        "A setup record is already called %(name)s: choose another name.",
                        name=name,
                    ),
                    f"action-{slot}-{param}",
                )
        names.update(made_by(action))


def _problems(steps: list, setup: dict[str, str]) -> list[tuple[int, str, str]]:
    """(step number, step digest, message) for every reference that does not resolve."""
    problems = []
    for number, step in enumerate(steps, start=1):
        try:
            _check_refs(list(enumerate(step_actions(step))), setup, names_before(steps, number - 1))
        except AuthoringError as error:
            problems.append((number, fingerprint(step), error.message))
    return problems


def _check_change(before: list, after: list, setup: dict[str, str]) -> None:
    """Refuse a change that leaves a step pointing at a record nothing makes before it.

    Problems the solution already had (a file imported as it was) do not block other edits.
    """
    known = {(digest, message) for _number, digest, message in _problems(before, setup)}
    for number, digest, message in _problems(after, setup):
        if (digest, message) not in known:
            raise AuthoringError(_("Step %(number)d: %(problem)s", number=number, problem=message))


def ref_options(
    param: Param, setup: list[dict], names: dict[str, str], current: str
) -> list[tuple[str, str]]:
    """(value, label) choices for a reference field: setup records, then made records."""
    options = [
        (f"setup:{r['key']}", _("%(key)s (setup %(entity)s)", key=r["key"], entity=r["entity"]))
        for r in setup
        if r.get("entity") in param.entities
    ]
    options += [
        (name, _("%(key)s (made by an earlier step)", key=name))
        for name, entity in names.items()
        if entity in param.entities
    ]
    if current and current not in {value for value, _label in options}:
        options.append((current, current))
    return options


# Saving, moving and removing steps.


def _exercise(course: Course, lesson_key: str):
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != LessonKind.EXERCISE:
        raise AuthoringError(_("Only exercises have a reference solution."))
    setup = {r["key"]: r["entity"] for r in lesson.content.get("setup", [])}
    return draft, bundle, lesson.content.setdefault("solution", []), setup


def _position(steps: list, index: int | None, expected: str) -> int:
    if index is None or not 0 <= index < len(steps) or fingerprint(steps[index]) != expected:
        raise AuthoringError(
            _("The solution has changed since this page was loaded: reload it and try again.")
        )
    return index


def save_step(
    course: Course,
    lesson_key: str,
    index: int | None,
    expected: str,
    submitted: StepForm,
    actor: User,
) -> int:
    """Add a step at the end (index None), or replace step `index`; returns its position."""
    draft, bundle, steps, setup = _exercise(course, lesson_key)
    if index is not None:
        index = _position(steps, index, expected)
    where = len(steps) if index is None else index
    _check_refs(submitted.actions, setup, names_before(steps, where))
    step_in_format(submitted.step, setup, None if index is None else steps[index])
    changed = list(steps)
    if index is None:
        changed.append(submitted.step)
    else:
        changed[index] = submitted.step
    _check_change(steps, changed, setup)
    steps[:] = changed
    save(draft, bundle, actor)
    return where


def move_step(
    course: Course, lesson_key: str, index: int | None, expected: str, offset: int, actor: User
) -> None:
    """Move step `index` up (-1) or down (+1), if the steps still refer to what they need."""
    draft, bundle, steps, setup = _exercise(course, lesson_key)
    index = _position(steps, index, expected)
    other = index + offset
    if not 0 <= other < len(steps):
        return
    changed = list(steps)
    changed[index], changed[other] = changed[other], changed[index]
    _check_change(steps, changed, setup)
    steps[:] = changed
    save(draft, bundle, actor)


def remove_step(
    course: Course, lesson_key: str, index: int | None, expected: str, actor: User
) -> None:
    """Remove step `index`, unless a later step needs a record it makes."""
    draft, bundle, steps, setup = _exercise(course, lesson_key)
    index = _position(steps, index, expected)
    changed = steps[:index] + steps[index + 1 :]
    _check_change(steps, changed, setup)
    steps[:] = changed
    save(draft, bundle, actor)
