"""The reference solution's steps: text for people, and actions a dry run carries out.

A step is stored as the course files write it (courses/README.md): plain text; or
{step, do, ...arguments}; or {step, actions: [{do, ...arguments}, ...]}. The step form shows
a step as flat values (text, action-0-do, action-0-ticket, ...) and reads them back into
the same shape, so steps written by hand survive a save unchanged. What the form cannot
show is carried through as JSON rather than dropped. The actions and their arguments are
the ones sandbox.scenarios.apply_solution understands.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.authoring.services import AuthoringError, lesson_in, load, save
from portal.learning.bundle import KEY
from portal.learning.models import Course
from sandbox import vocabulary
from sandbox.services.automations import FIELDS_FOR, MERGE_FIELD, unknown_fields
from sandbox.services.core import MAX_DAYS

MAX_ACTIONS = 6  # action slots a step form reads
DATE = re.compile(r"^@today([+-]\d+[dwmy])*$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
ACTIVITY_PARENTS = ("customer", "lead", "opportunity", "ticket")
REPORTS = {"sales_targets": _l("Sales against target")}


@dataclass(frozen=True)
class Param:
    """One argument of an action, and how its form field reads and checks it."""

    name: str
    kind: str  # ref | code | text | long | int | number | date | name
    label: object  # a lazy string
    required: bool = False
    entities: tuple[str, ...] = ()  # ref: the kinds of record it may point at
    codes: tuple[str, ...] = ()  # code: the allowed codes
    group: str = ""  # code: the vocabulary group that labels them
    low: int = 0  # int: the allowed range
    high: int = 0
    default: str = ""  # name: what apply_solution calls the record when left empty


def _codes(group: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(code for code in vocabulary.CODES[group] if code not in exclude)


def _ref(name: str, label, *entities: str) -> Param:
    return Param(name, "ref", label, required=True, entities=entities)


ACTIONS: dict[str, tuple[Param, ...]] = {
    "lead.create": (
        Param("as", "name", _l("Name for later steps"), default="lead"),
        Param("first_name", "text", _l("First name"), required=True),
        Param("last_name", "text", _l("Last name")),
        Param("company", "text", _l("Company")),
        Param("title", "text", _l("Job title")),
        Param("email", "text", _l("Email")),
        Param("phone", "text", _l("Phone")),
        Param("source", "code", _l("Source"), codes=_codes("lead_source"), group="lead_source"),
        Param("description", "long", _l("Description")),
    ),
    "lead.status": (
        _ref("lead", _l("Lead"), "lead"),
        Param(
            "status",
            "code",
            _l("Status"),
            required=True,
            codes=_codes("lead_status"),
            group="lead_status",
        ),
    ),
    "note": (
        _ref("parent", _l("Record the note is on"), *ACTIVITY_PARENTS),
        Param(
            "kind",
            "code",
            _l("Kind"),
            codes=_codes("activity", exclude=("task",)),
            group="activity",
        ),
        Param("subject", "text", _l("Subject")),
        Param("body", "long", _l("What happened")),
    ),
    "lead.convert": (
        _ref("lead", _l("Lead"), "lead"),
        Param("opportunity_name", "text", _l("Opportunity name")),
        Param("amount", "number", _l("Amount")),
        Param(
            "stage",
            "code",
            _l("Stage"),
            codes=_codes("stage", exclude=("closed_won", "closed_lost")),
            group="stage",
        ),
        Param("close_date", "date", _l("Expected close date")),
        Param("as", "name", _l("Name of the new customer for later steps"), default="customer"),
        Param(
            "opportunity_as",
            "name",
            _l("Name of the new opportunity for later steps"),
            default="opportunity",
        ),
    ),
    "ticket.assign": (_ref("ticket", _l("Ticket"), "ticket"),),
    "ticket.respond": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("message", "long", _l("Reply to the customer"), required=True),
    ),
    "ticket.resolve": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param(
            "resolution", "long", _l("Resolution note: what was wrong, what you did"), required=True
        ),
    ),
    "ticket.close": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("satisfaction", "int", _l("Customer satisfaction"), required=True, low=1, high=5),
    ),
    "opportunity.stage": (
        _ref("opportunity", _l("Opportunity"), "opportunity"),
        Param(
            "stage",
            "code",
            _l("Move to stage"),
            required=True,
            codes=_codes("stage"),
            group="stage",
        ),
        Param("reason", "text", _l("Reason (needed to close won or lost)")),
    ),
    "automation.create": (
        Param("name", "text", _l("Name"), required=True),
        Param(
            "trigger",
            "code",
            _l("Send when"),
            required=True,
            codes=_codes("trigger"),
            group="trigger",
        ),
        Param("subject", "text", _l("Subject"), required=True),
        Param("body", "long", _l("Email"), required=True),
    ),
    "clock.advance": (Param("days", "int", _l("Days"), low=1, high=MAX_DAYS),),
    "report.view": (Param("report", "code", _l("Report"), required=True, codes=tuple(REPORTS)),),
}
ACTION_LABELS = {
    "lead.create": _l("Create a lead"),
    "lead.status": _l("Change a lead's status"),
    "note": _l("Add a note or activity to a record"),
    "lead.convert": _l("Convert a lead"),
    "ticket.assign": _l("Assign a ticket to yourself"),
    "ticket.respond": _l("Respond to a ticket"),
    "ticket.resolve": _l("Resolve a ticket"),
    "ticket.close": _l("Close a ticket"),
    "opportunity.stage": _l("Move an opportunity to another stage"),
    "automation.create": _l("Create an automation"),
    "clock.advance": _l("Advance the sandbox clock"),
    "report.view": _l("Open a report"),
}
STEP_FIELDS = ("step", "do", "actions")


def code_label(param: Param, code: str) -> str:
    """How a code shows in a select: its vocabulary label, and the code itself."""
    if param.name == "report":
        return f"{REPORTS.get(code, code)} ({code})"
    return f"{vocabulary.label(param.group, code)} ({code})" if param.group else code


def fingerprint(step) -> str:
    """A short digest of a stored step: a form names the step it was made from."""
    text = json.dumps(step, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def slot_numbers(values: Mapping[str, str]) -> range:
    """The action slots a step form shows: those in use, then one empty."""
    used = [i for i in range(MAX_ACTIONS) if values.get(f"action-{i}-do")]
    return range(min((max(used) + 2) if used else 1, MAX_ACTIONS))


def kept_names(text: str | None) -> list[str]:
    """The argument names an action keeps as written (from its hidden `keep` field)."""
    try:
        kept = json.loads(text or "{}")
    except ValueError:
        return []
    return sorted(kept) if isinstance(kept, dict) else []


# Reading one argument from its form field, and showing it there.


def _read(param: Param, text: str, where: str):
    """The stored value of one argument, or None when the field is empty."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return None
    if param.kind == "ref":
        return {"setup": text.removeprefix("setup:")} if text.startswith("setup:") else text
    if param.kind == "code":
        if text not in param.codes:
            raise AuthoringError(_("Choose one of: %(codes)s", codes=", ".join(param.codes)), where)
        return text
    if param.kind == "int":
        if not text.isdigit() or not param.low <= int(text) <= param.high:
            raise AuthoringError(
                _(
                    "Enter a whole number from %(low)d to %(high)d.",
                    low=param.low,
                    high=param.high,
                ),
                where,
            )
        return int(text)
    if param.kind == "number":
        if not NUMBER.match(text):
            raise AuthoringError(_("Enter the amount as a number."), where)
        return float(text) if "." in text else int(text)
    if param.kind == "date":
        if not DATE.match(text):
            raise AuthoringError(
                _("Give a date relative to the sandbox's today, such as @today+3m."), where
            )
        return text
    if param.kind == "name":
        if not KEY.match(text):
            raise AuthoringError(
                _("Use lower-case letters, digits and - only, such as imran-lead."), where
            )
    return text


def _show(param: Param, value) -> str:
    if param.kind == "ref" and isinstance(value, dict) and set(value) == {"setup"}:
        return f"setup:{value['setup']}"
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return json.dumps(value)  # never reads back: kept instead
    return str(value)


# A step as flat form values, and back.


def step_form_values(step) -> dict[str, str]:
    """The step form's values for a stored step (step_from_form reads them back)."""
    if not isinstance(step, dict):
        return {"text": str(step), "layout": "text"}
    values = {"text": str(step.get("step", ""))}
    if "actions" in step:
        values["layout"] = "actions"
        actions = step["actions"] if isinstance(step["actions"], list) else []
        extra = {k: v for k, v in step.items() if k not in STEP_FIELDS}
        if not isinstance(step["actions"], list):
            extra["actions"] = step["actions"]
    elif "do" in step:
        values["layout"] = "do"
        actions = [{k: v for k, v in step.items() if k != "step"}]
        extra = {}
    else:
        values["layout"] = "step"
        actions = []
        extra = {k: v for k, v in step.items() if k != "step"}
    if extra:
        values["keep"] = json.dumps(extra)
    for i, action in enumerate(actions):
        values.update(_action_values(i, action))
    return values


def _action_values(i: int, action) -> dict[str, str]:
    prefix = f"action-{i}-"
    if not isinstance(action, dict) or action.get("do") not in ACTIONS:
        return {f"{prefix}do": "keep", f"{prefix}raw": json.dumps(action)}
    values = {f"{prefix}do": action["do"]}
    params = {p.name: p for p in ACTIONS[action["do"]]}
    extra = {}
    for name, value in action.items():
        param = params.get(name)
        if name == "do":
            continue
        text = _show(param, value) if param else ""
        try:
            readable = param is not None and _same(_read(param, text, ""), value)
        except AuthoringError:
            readable = False
        if readable:
            values[prefix + name] = text
        else:
            extra[name] = value
    if extra:
        values[f"{prefix}keep"] = json.dumps(extra)
    return values


@dataclass
class StepForm:
    """A step read from its form: the step as stored, and the slot each action came from."""

    step: object
    actions: list[tuple[int, dict]]  # (form slot, action) for each action to check


def _kept(text: str, where: str | None) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise AuthoringError(
            _("A part kept from the file could not be read: reload the page."), where
        )
    return value


def _action_from(form: Mapping[str, str], i: int) -> dict | None:
    prefix = f"action-{i}-"
    name = form.get(f"{prefix}do", "")
    if not name:
        return None
    if name == "keep":
        try:
            return json.loads(form.get(f"{prefix}raw", ""))
        except ValueError as error:
            raise AuthoringError(
                _("A part kept from the file could not be read: reload the page."), f"{prefix}do"
            ) from error
    if name not in ACTIONS:
        raise AuthoringError(_("Choose an action from the list."), f"{prefix}do")
    kept = _kept(form[f"{prefix}keep"], f"{prefix}do") if form.get(f"{prefix}keep") else {}
    action: dict = {"do": name}
    for param in ACTIONS[name]:
        where = prefix + param.name
        value = _read(param, form.get(where, ""), where)
        if value is None:
            value = kept.get(param.name)
        if value is None and param.required:
            raise AuthoringError(_("Fill in '%(field)s'.", field=param.label), where)
        if value is not None:
            action[param.name] = value
    _check_action(action, prefix)
    action.update({k: v for k, v in kept.items() if k not in action})
    return action


def _check_action(action: dict, prefix: str) -> None:
    """The rules the sandbox applies when the action runs, caught while editing instead."""
    name = action["do"]
    if name == "note" and not (action.get("subject") or action.get("body")):
        raise AuthoringError(_("Write a subject or what happened."), prefix + "body")
    if name == "opportunity.stage" and str(action.get("stage", "")).startswith("closed"):
        if not str(action.get("reason", "")).strip():
            raise AuthoringError(_("Say why the deal was won or lost."), prefix + "reason")
    if name == "lead.convert" and not action.get("opportunity_name"):
        for other in ("amount", "stage", "close_date", "opportunity_as"):
            if other in action:
                raise AuthoringError(
                    _("Name the opportunity, or leave its other fields empty."),
                    prefix + "opportunity_name",
                )
    if name == "automation.create":
        usable = FIELDS_FOR.get(str(action.get("trigger")), ())
        for field in ("subject", "body"):
            text = str(action.get(field, ""))
            unknown = unknown_fields(text)
            if unknown:
                raise AuthoringError(
                    _(
                        "Unknown merge field: %(fields)s",
                        fields=", ".join(f"{{{n}}}" for n in unknown),
                    ),
                    prefix + field,
                )
            unfillable = sorted({n for n in MERGE_FIELD.findall(text) if n not in usable})
            if unfillable:
                raise AuthoringError(
                    _(
                        "%(fields)s cannot be filled in for this trigger; use %(usable)s.",
                        fields=", ".join(f"{{{n}}}" for n in unfillable),
                        usable=", ".join(f"{{{n}}}" for n in usable),
                    ),
                    prefix + field,
                )


def step_from_form(form: Mapping[str, str]) -> StepForm:
    """A step from the step form's values; raises AuthoringError naming the field at fault."""
    text = form.get("text", "").replace("\r\n", "\n").strip()
    if not text:
        raise AuthoringError(_("Write what the learner does in this step."), "text")
    slots, actions = [], []
    for i in range(MAX_ACTIONS):
        action = _action_from(form, i)
        if action is not None:
            slots.append(i)
            actions.append(action)
    layout = form.get("layout", "")
    kept = _kept(form["keep"], "text") if form.get("keep") else {}
    checked = [(slot, a) for slot, a in zip(slots, actions, strict=True) if isinstance(a, dict)]
    if not actions and layout != "step" and not kept:
        return StepForm(text, [])
    step: dict = {"step": text}
    if len(actions) == 1 and layout != "actions":
        step.update(actions[0])
    elif actions or (layout == "actions" and "actions" not in kept):
        step["actions"] = actions
    step.update({k: v for k, v in kept.items() if k not in step})
    return StepForm(step, checked)


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
    if lesson.kind != "exercise":
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
