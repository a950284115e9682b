"""A reference-solution step as the step form's flat values, and back.

A step is stored as the course files write it (courses/README.md): plain text; or
{step, do, ...arguments}; or {step, actions: [{do, ...arguments}, ...]}. The step form shows
a step as flat values (text, action-0-do, action-0-ticket, ...) and reads them back into
the same shape, so steps written by hand survive a save unchanged. What the form cannot
show is carried through as JSON rather than dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.arguments import parse_count
from portal.authoring.exercise.actions import ACTIONS, MAX_ACTIONS, Param
from portal.authoring.exercise.entities import date_text
from portal.authoring.services import AuthoringError
from portal.courseformat.values import KEY, RELATIVE
from sandbox.services.automations import FIELDS_FOR, MERGE_FIELD, unknown_fields

NUMBER = re.compile(r"^\d+(\.\d+)?$")
STEP_FIELDS = ("step", "do", "actions")


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
        number = parse_count(text, param.high)
        if number is None or number < param.low:
            raise AuthoringError(
                _(
                    "Enter a whole number from %(low)d to %(high)d.",
                    low=param.low,
                    high=param.high,
                ),
                where,
            )
        return number
    if param.kind == "number":
        if not NUMBER.match(text):
            raise AuthoringError(_("Enter the amount as a number."), where)
        return float(text) if "." in text else int(text)
    if param.kind == "date":
        if not (text.startswith("@today") and RELATIVE.match(text)):
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
        text = date_text(form, where) if param.kind == "date" else form.get(where, "")
        value = _read(param, text, where)
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
